"""Excel import of risk points, keyed by (enterprise credit code, risk point name).

The generic importer keys rows by one field; a risk point's natural key spans the enterprise and the name,
so this importer finds the enterprise first (within the importer's scope) and then the point.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import excel
from yingji.core.importing import ImportColumn, Importer
from yingji.core.specs import spec_for
from yingji.enterprises.models import Enterprise
from yingji.risks.forms import RiskPointForm
from yingji.risks.models import RiskPoint
from yingji.standards import risk

CREDIT_CODE = gettext_lazy("企业统一社会信用代码")
DECIMAL_FIELDS = {"lec_l", "lec_e", "lec_c"}


class RiskPointImporter(Importer):
    def row_data(self, values: dict[str, Any]) -> dict[str, Any]:
        data = {}
        for column in self.columns:
            value = values.get(str(column.heading))
            if column.field == "enterprise_credit_code":
                data[column.field] = str(value or "").strip().upper()
                continue
            field = self.model._meta.get_field(column.field)
            if column.field in DECIMAL_FIELDS and value not in (None, ""):
                value = _one_place(value)
            else:
                if isinstance(value, float) and value.is_integer() and column.field not in ("longitude", "latitude"):
                    value = int(value)
                if isinstance(value, datetime.datetime):
                    value = value.date()
                if field.choices:
                    value = excel.choice_value(field, value)
            data[column.field] = "" if value is None else value
        return data

    def column_kinds(self) -> list[excel.ColumnKind]:
        # L, E and C are written as their values (3, 6, 15), not as the table's labels: no label drop-down.
        return [excel.ColumnKind(kind.heading) if column.field in DECIMAL_FIELDS else kind
                for kind, column in zip(super().column_kinds(), self.columns, strict=True)]

    def export_value(self, obj, column: ImportColumn) -> Any:
        if column.field in DECIMAL_FIELDS:
            return getattr(obj, column.field)  # the L, E, C value itself, as the import takes it
        return super().export_value(obj, column)

    def key_of(self, values: dict[str, Any]) -> tuple[str, str] | None:
        code = str(values.get(str(CREDIT_CODE)) or "").strip().upper()
        name = str(values.get(str(self.columns[1].heading)) or "").strip()
        return (code, name) if code and name else None

    def save_row(self, row: excel.ImportRow, actor) -> bool:
        data = self.row_data(row.values)
        code = data.pop("enterprise_credit_code")
        if not code:
            raise ValidationError(_("%(field)s：必填") % {"field": CREDIT_CODE})
        enterprise = Enterprise.objects.restrict(actor, "view").filter(credit_code=code).first()
        if enterprise is None:
            raise ValidationError(_("%(field)s“%(code)s”未登记，或不在您的管辖范围内") % {"field": CREDIT_CODE, "code": code})
        data["enterprise"] = enterprise.pk
        name = str(data.get("name", "")).strip()
        existing = RiskPoint._base_manager.filter(enterprise=enterprise, name=name).first() if name else None
        if existing is not None and not RiskPoint.objects.restrict(actor, "change").filter(pk=existing.pk).exists():
            raise ValidationError(_("风险点“%(name)s”已登记，且不在您可修改的范围内") % {"name": name})
        fields = self.validated(data, existing, actor)
        spec = spec_for(RiskPoint)
        if existing is None:
            spec.create_object(actor=actor, **fields)
            return True
        spec.update_object(existing, actor=actor, **fields)
        return False

    def _default_note(self, column: ImportColumn) -> str:
        if column.field == "enterprise_credit_code":
            return _("必填；18位，须为已登记且在您辖区内的企业")
        return super()._default_note(column)


def _one_place(value: Any) -> str:
    try:
        return str(Decimal(str(value).strip()).quantize(Decimal("0.1")))
    except (InvalidOperation, ValueError):
        return str(value)


def _lec_note(table, name: str) -> str:
    return _("LEC法必填；%(name)s取值：%(values)s") % {"name": name, "values": "、".join(v for v, _t in table)}


def _columns() -> list[ImportColumn]:
    return [
        ImportColumn(CREDIT_CODE, "enterprise_credit_code", example="91390102MA00000015", source="enterprise.credit_code"),
        ImportColumn(gettext_lazy("风险点名称"), "name", _("必填；同一企业内不重复，已登记的名称将更新该风险点"), "液氨储罐区"),
        ImportColumn(gettext_lazy("所在位置"), "place", example="厂区东北角罐区"),
        ImportColumn(gettext_lazy("风险点类型"), "kind", example="设备设施"),
        ImportColumn(gettext_lazy("评价方法"), "method", _("必填；填“LEC法”或“风险矩阵法”"), "LEC法"),
        ImportColumn(gettext_lazy("L 事故发生可能性"), "lec_l", _lec_note(risk.LEC_L_TABLE, "L"), 3),
        ImportColumn(gettext_lazy("E 暴露频繁程度"), "lec_e", _lec_note(risk.LEC_E_TABLE, "E"), 6),
        ImportColumn(gettext_lazy("C 后果严重程度"), "lec_c", _lec_note(risk.LEC_C_TABLE, "C"), 15),
        ImportColumn(gettext_lazy("矩阵 L 可能性"), "matrix_l", _("风险矩阵法必填；1至5的整数"), ""),
        ImportColumn(gettext_lazy("矩阵 S 严重性"), "matrix_s", _("风险矩阵法必填；1至5的整数"), ""),
        ImportColumn(gettext_lazy("工程技术措施"), "measure_engineering", _("五类管控措施至少填写一类"), "设置可燃气体报警仪"),
        ImportColumn(gettext_lazy("管理措施"), "measure_management", example="每班巡检，每月检测"),
        ImportColumn(gettext_lazy("培训教育措施"), "measure_training", example="岗前安全培训"),
        ImportColumn(gettext_lazy("个体防护措施"), "measure_protection", example="佩戴防毒面具"),
        ImportColumn(gettext_lazy("应急处置措施"), "measure_emergency", example="泄漏时启动喷淋并疏散"),
        ImportColumn(gettext_lazy("管控层级"), "control_level", example="公司级"),
        ImportColumn(gettext_lazy("责任人"), "responsible_person", example="张三"),
        ImportColumn(gettext_lazy("责任人电话"), "responsible_phone", example="13800000000"),
        ImportColumn(gettext_lazy("下次评审日期"), "next_review", _("必填；日期，如 2027-06-30"), "2027-06-30"),
        ImportColumn(gettext_lazy("经度"), "longitude", _("选填；与纬度同时填写"), ""),
        ImportColumn(gettext_lazy("纬度"), "latitude", _("选填；与经度同时填写"), ""),
    ]


RISK_POINT_IMPORTER = RiskPointImporter(
    model=RiskPoint,
    form_class=RiskPointForm,
    key_field="name",
    columns=_columns(),
)
