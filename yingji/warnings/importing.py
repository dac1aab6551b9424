"""Excel import of the responsibility lists (责任人清单), keyed by mobile number."""

from django.utils.translation import gettext_lazy as _

from yingji.core.importing import ImportColumn, Importer
from yingji.warnings.forms import ResponsiblePersonForm
from yingji.warnings.models import ResponsiblePerson


class PersonImporter(Importer):
    def row_data(self, values):
        data = super().row_data(values)
        # The superior is named by mobile number in the sheet, not by an internal id.
        superior_phone = str(data.get("superior") or "").strip()
        if superior_phone.endswith(".0"):
            superior_phone = superior_phone[:-2]
        superior = ResponsiblePerson._base_manager.filter(phone=superior_phone).first() if superior_phone else None
        data["superior"] = superior.pk if superior else ("-1" if superior_phone else "")
        for name in ("phone",):
            value = str(data.get(name) or "")
            data[name] = value[:-2] if value.endswith(".0") else value
        if data.get("active") in ("", None):
            data["active"] = True  # left blank: on duty
        return data


PERSON_IMPORTER = PersonImporter(
    model=ResponsiblePerson,
    form_class=ResponsiblePersonForm,
    columns=[
        ImportColumn(_("姓名"), "name", example="王建国"),
        ImportColumn(_("手机号"), "phone", _("必填；11位手机号，作为责任人的唯一标识"), "13900001111"),
        ImportColumn(_("责任类型"), "role", example="包保责任人"),
        ImportColumn(_("责任区划代码"), "region", _("必填；12位乡镇（街道）或村（社区）区划代码"), "390102001001"),
        ImportColumn(_("网格"), "grid", _("选填；网格名称"), "第一网格"),
        ImportColumn(_("职务"), "position", _("选填"), "村委会主任"),
        ImportColumn(_("上级责任人手机号"), "superior", _("选填；须为已登记的责任人（可在本表前面的行中登记）"),
                     "13900002222"),
        ImportColumn(_("在岗"), "active", _("选填；是/否，默认是"), "是"),
    ],
    key_field="phone",
)
