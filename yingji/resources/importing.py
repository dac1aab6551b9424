"""Excel import of the resource registers: each bad row reported with its reason, good rows kept."""

from django.utils.translation import gettext_lazy as _

from yingji.core.importing import ImportColumn, Importer
from yingji.resources import forms
from yingji.resources.models import Expert, Material, RescueTeam, ResourcePoint, Shelter, Warehouse

REGION_NOTE = _("必填；12位统计用区划代码，须在您的辖区内")


def _located(*columns: ImportColumn) -> list[ImportColumn]:
    return [*columns, ImportColumn(_("地址"), "address", example="青湖区滨河路1号"),
            ImportColumn(_("经度"), "longitude", _("必填"), 118.52), ImportColumn(_("纬度"), "latitude", _("必填"), 36.43)]


RESCUE_TEAM_IMPORTER = Importer(
    model=RescueTeam, form_class=forms.RescueTeamForm, key_field="name",
    columns=_located(
        ImportColumn(_("队伍名称"), "name", _("必填；同名队伍将被更新"), "青湖区危化救援队"),
        ImportColumn(_("队伍类型"), "kind", example="专业"),
        ImportColumn(_("所属区划代码"), "region", REGION_NOTE, "390102000000"),
        ImportColumn(_("专业方向"), "specialty", example="危险化学品"),
        ImportColumn(_("负责人"), "leader", example="张三"),
        ImportColumn(_("联系电话"), "phone", example="13900000000"),
        ImportColumn(_("队员人数"), "member_count", example=30),
        ImportColumn(_("主要装备"), "equipment", example="抢险车2辆"),
    ),
)

WAREHOUSE_IMPORTER = Importer(
    model=Warehouse, form_class=forms.WarehouseForm, key_field="name",
    columns=_located(
        ImportColumn(_("仓库名称"), "name", _("必填；同名仓库将被更新"), "青湖区应急物资储备库"),
        ImportColumn(_("仓库级别"), "level", example="县级"),
        ImportColumn(_("所属区划代码"), "region", REGION_NOTE, "390102000000"),
        ImportColumn(_("管理人"), "manager", example="李四"),
        ImportColumn(_("联系电话"), "phone", example="13900000000"),
        ImportColumn(_("库房面积（m²）"), "area_m2", example=800),
    ),
)

MATERIAL_IMPORTER = Importer(
    model=Material, form_class=forms.MaterialForm, key_field="code",
    columns=[
        ImportColumn(_("物资编码"), "code", _("必填；已有编码将被更新"), "WZ-TENT-01"),
        ImportColumn(_("物资名称"), "name", example="救灾帐篷"),
        ImportColumn(_("物资类别"), "category", example="生活保障"),
        ImportColumn(_("规格型号"), "specification", example="12m²"),
        ImportColumn(_("计量单位"), "unit", example="顶"),
        ImportColumn(_("保质期（天）"), "shelf_life_days", _("选填；不填表示无保质期"), ""),
        ImportColumn(_("每库最低储备"), "minimum_stock", example=50),
    ],
)

SHELTER_IMPORTER = Importer(
    model=Shelter, form_class=forms.ShelterForm, key_field="name",
    columns=_located(
        ImportColumn(_("场所名称"), "name", _("必填；同名场所将被更新"), "滨河公园避难场所"),
        ImportColumn(_("场所类型"), "kind", example="固定避难场所"),
        ImportColumn(_("所在区划代码"), "region", REGION_NOTE, "390102001000"),
        ImportColumn(_("有效避难面积（m²）"), "effective_area_m2", _("必填；容纳人数按人均面积自动计算"), 6000),
        ImportColumn(_("当前安置人数"), "occupancy", example=0),
        ImportColumn(_("配套设施"), "facilities", example="应急供水、供电、厕所"),
        ImportColumn(_("管理人"), "manager", example="王五"),
        ImportColumn(_("联系电话"), "phone", example="13900000000"),
    ),
)

EXPERT_IMPORTER = Importer(
    model=Expert, form_class=forms.ExpertForm, key_field="phone",
    columns=[
        ImportColumn(_("姓名"), "name", example="赵六"),
        ImportColumn(_("专业领域"), "field", example="危险化学品"),
        ImportColumn(_("职称"), "title", example="高级工程师"),
        ImportColumn(_("工作单位"), "organization", example="市化工研究院"),
        ImportColumn(_("联系电话"), "phone", _("必填；已有电话将更新该专家"), "13900000000"),
        ImportColumn(_("所属区划代码"), "region", REGION_NOTE, "390100000000"),
        ImportColumn(_("经度"), "longitude", _("选填；与纬度同时填写"), 118.52),
        ImportColumn(_("纬度"), "latitude", _("选填；与经度同时填写"), 36.43),
    ],
)

RESOURCE_POINT_IMPORTER = Importer(
    model=ResourcePoint, form_class=forms.ResourcePointForm, key_field="name",
    columns=_located(
        ImportColumn(_("名称"), "name", _("必填；同名资源点将被更新"), "市第一人民医院"),
        ImportColumn(_("类型"), "kind", example="医疗机构"),
        ImportColumn(_("所属区划代码"), "region", REGION_NOTE, "390102000000"),
        ImportColumn(_("联系电话"), "phone", example="0539-1234567"),
        ImportColumn(_("说明"), "description", example="三级甲等，床位800张"),
    ),
)
