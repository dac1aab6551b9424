from django.utils.translation import gettext_lazy as _

from yingji.core.navigation import MenuGroup, MenuItem

MENU_GROUPS = [
    MenuGroup(
        _("应急资源"),
        (
            MenuItem(_("资源分布图"), "resources:resource_map"),
            MenuItem(_("就近资源查询"), "resources:nearest"),
            MenuItem(_("救援队伍"), "resources:rescueteam_list"),
            MenuItem(_("物资仓库"), "resources:warehouse_list"),
            MenuItem(_("库存台账"), "resources:stockbalance_list"),
            MenuItem(_("出入库记录"), "resources:stockmovement_list"),
            MenuItem(_("库存提醒"), "resources:stockreminder_list"),
            MenuItem(_("物资目录"), "resources:material_list"),
            MenuItem(_("避难场所"), "resources:shelter_list"),
            MenuItem(_("避难场所覆盖"), "resources:shelter_coverage"),
            MenuItem(_("专家库"), "resources:expert_list"),
            MenuItem(_("医疗机构/起降点"), "resources:resourcepoint_list"),
        ),
        area="resources",
    ),
]
