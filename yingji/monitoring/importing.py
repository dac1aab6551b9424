"""Excel import of monitoring points: a point is identified by its hazard source's code and its tag."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import excel
from yingji.core.importing import ImportColumn, Importer
from yingji.core.specs import spec_for
from yingji.monitoring.forms import MonitoringPointForm
from yingji.monitoring.models import MajorHazardSource, MonitoringPoint

SOURCE_HEADING = gettext_lazy("重大危险源编号")


class MonitoringPointImporter(Importer):
    def key_of(self, values: dict[str, Any]) -> tuple[str, str] | None:
        # Tags are unique per enterprise, not nationally, so a repeated row is judged by source and tag together.
        code = str(values.get(str(SOURCE_HEADING)) or "").strip().upper()
        tag = str(values.get(str(self.columns[1].heading)) or "").strip()
        return (code, tag) if code and tag else None

    def row_data(self, values: dict[str, Any]) -> dict[str, Any]:
        data = super().row_data(values)
        if data.get("is_active") in ("", None):
            data["is_active"] = True  # left blank: in use
        return data

    def save_row(self, row: excel.ImportRow, actor) -> bool:
        data = self.row_data(row.values)
        code = str(data.pop("source", "") or "").strip().upper()
        tag = str(data.get("tag", "") or "").strip()
        if not code:
            raise ValidationError({"source": _("请填写重大危险源编号")})
        source = MajorHazardSource.objects.restrict(actor, "view").filter(code=code).first()
        if source is None:
            raise ValidationError({"source": _("重大危险源编号“%(code)s”不存在或不在您的管辖范围内") % {"code": code}})
        data["source"] = source.pk
        existing = MonitoringPoint._base_manager.filter(enterprise_id=source.enterprise_id, tag=tag).first()
        if existing is not None and not MonitoringPoint.objects.restrict(actor, "change").filter(pk=existing.pk).exists():
            raise ValidationError(_("监测点“%(tag)s”已登记，且不在您可修改的范围内") % {"tag": tag})
        fields = self.validated(data, existing, actor)
        spec = spec_for(MonitoringPoint)  # monitoring.specs names this importer
        if existing is None:
            spec.create_object(actor=actor, **fields)
            return True
        spec.update_object(existing, actor=actor, **fields)
        return False


POINT_IMPORTER = MonitoringPointImporter(
    model=MonitoringPoint,
    form_class=MonitoringPointForm,
    key_field="tag",
    columns=[
        ImportColumn(SOURCE_HEADING, "source", gettext_lazy("必填；已登记的重大危险源编号，须在您的辖区内"), "HS-0001",
                     source="source.code"),
        ImportColumn(gettext_lazy("位号"), "tag", gettext_lazy("必填；同一企业内唯一，已登记的位号将更新该监测点"), "LT-101"),
        ImportColumn(gettext_lazy("监测点名称"), "name", example="1号储罐液位"),
        ImportColumn(gettext_lazy("监测类型"), "kind", example="液位"),
        ImportColumn(gettext_lazy("计量单位"), "unit", example="m"),
        ImportColumn(gettext_lazy("量程下限"), "range_low", example=0),
        ImportColumn(gettext_lazy("量程上限"), "range_high", example=20),
        ImportColumn(gettext_lazy("低低报阈值"), "low_low", gettext_lazy("选填"), 1),
        ImportColumn(gettext_lazy("低报阈值"), "low", gettext_lazy("选填"), 2),
        ImportColumn(gettext_lazy("高报阈值"), "high", gettext_lazy("选填"), 15),
        ImportColumn(gettext_lazy("高高报阈值"), "high_high", gettext_lazy("选填"), 18),
        ImportColumn(gettext_lazy("回差（死区）"), "deadband", gettext_lazy("选填；默认0"), 0.5),
        ImportColumn(gettext_lazy("报警延时（秒）"), "alarm_delay_seconds", gettext_lazy("选填；默认0"), 10),
        ImportColumn(gettext_lazy("上报周期（秒）"), "report_period_seconds", gettext_lazy("必填；1～86400"), 60),
        ImportColumn(gettext_lazy("变化率阈值（每分钟）"), "rate_limit", gettext_lazy("选填；不填则不判变化率"), ""),
        ImportColumn(gettext_lazy("启用"), "is_active", gettext_lazy("选填；填“否”表示停用"), "是"),
    ],
)
