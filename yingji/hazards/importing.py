from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.importing import ImportColumn, Importer
from yingji.enterprises.models import Enterprise
from yingji.hazards.forms import HazardForm
from yingji.hazards.models import Hazard


class HazardImportForm(HazardForm):
    """The page's form, with the enterprise named by its 统一社会信用代码 as people know it."""

    enterprise = forms.ModelChoiceField(
        label=_("所属企业"), queryset=Enterprise.objects.all(), to_field_name="credit_code", required=False,
        error_messages={"invalid_choice": _("未找到该统一社会信用代码的企业，或不在您的管辖范围内")},
    )


HAZARD_IMPORTER = Importer(
    model=Hazard,
    form_class=HazardImportForm,
    key_field="code",
    columns=[
        ImportColumn(_("隐患编号"), "code", _("新登记留空；填写已有编号则更新该隐患"), ""),
        ImportColumn(_("企业统一社会信用代码"), "enterprise", _("企业隐患必填；公共场所隐患留空"), "91390102MA00000015"),
        ImportColumn(_("所在区划代码"), "region", _("公共场所隐患必填：12位乡镇或村级区划代码"), "390102001001"),
        ImportColumn(_("隐患描述"), "description", example="储罐区可燃气体报警器失效"),
        ImportColumn(_("隐患部位/地点"), "place", example="储罐区"),
        ImportColumn(_("隐患类别"), "category", example="设备设施"),
        ImportColumn(_("隐患级别"), "level", example="一般隐患"),
        ImportColumn(_("隐患来源"), "source", example="企业自查"),
        ImportColumn(_("发现人"), "found_by_name", example="张三"),
        ImportColumn(_("发现时间"), "found_at", _("必填；如 2026-05-01 09:30"), "2026-05-01 09:30"),
        ImportColumn(_("整改责任单位"), "responsible_unit", example="设备部"),
        ImportColumn(_("整改责任人"), "responsible_person", example="李四"),
        ImportColumn(_("整改措施"), "measures", example="更换报警器并校验"),
        ImportColumn(_("整改资金（元）"), "funds", example=3000),
        ImportColumn(_("整改期限"), "deadline", _("选填；如 2026-05-15"), "2026-05-15"),
    ],
)
