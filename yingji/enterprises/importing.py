from django.utils.translation import gettext_lazy as _

from yingji.core.importing import ImportColumn, Importer
from yingji.enterprises.forms import EnterpriseForm
from yingji.enterprises.models import Enterprise

ENTERPRISE_IMPORTER = Importer(
    model=Enterprise,
    form_class=EnterpriseForm,
    key_field="credit_code",
    columns=[
        ImportColumn(_("企业名称"), "name", example="示例化工有限公司"),
        ImportColumn(_("统一社会信用代码"), "credit_code",
                     _("必填；18位，按 GB 32100-2015 校验；已登记的代码将更新该企业"), "91390102MA00000015"),
        ImportColumn(_("所在村（社区）区划代码"), "region", _("必填；12位统计用区划代码，须为村级且在您的辖区内"), "390102001001"),
        ImportColumn(_("详细地址"), "address", example="青湖区滨河路1号"),
        ImportColumn(_("经度"), "longitude", _("选填；与纬度同时填写"), 118.52),
        ImportColumn(_("纬度"), "latitude", _("选填；与经度同时填写"), 36.43),
        ImportColumn(_("行业代码"), "industry_code", _("必填；GB/T 4754-2017，如 C2614"), "C2614"),
        ImportColumn(_("行业名称"), "industry_name", example="有机化学原料制造"),
        ImportColumn(_("监管类别"), "category", example="危险化学品生产"),
        ImportColumn(_("规模类型"), "scale_type", example="规模以上"),
        ImportColumn(_("企业规模"), "size", example="中型"),
        ImportColumn(_("监管分级"), "supervision_class", _("必填；甲类（市级监管）或乙类（县级监管），可填“甲类”“乙类”"), "乙类"),
        ImportColumn(_("法定代表人"), "legal_representative", example="张三"),
        ImportColumn(_("法定代表人电话"), "legal_representative_phone", example="13800000000"),
        ImportColumn(_("主要负责人"), "principal", example="李四"),
        ImportColumn(_("主要负责人电话"), "principal_phone", example="13900000000"),
        ImportColumn(_("安全负责人"), "safety_director", example="王五"),
        ImportColumn(_("安全负责人电话"), "safety_director_phone", example="13700000000"),
        ImportColumn(_("从业人数"), "employee_count", example=120),
    ],
)
