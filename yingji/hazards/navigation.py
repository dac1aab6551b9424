from django.utils.translation import gettext_lazy as _

from yingji.core.navigation import MenuGroup, MenuItem

MENU_GROUPS = [
    MenuGroup(
        _("隐患排查治理"),
        (
            MenuItem(_("隐患台账"), "hazards:hazard_list", "hazards.view_hazard"),
            MenuItem(_("登记隐患"), "hazards:hazard_create", "hazards.add_hazard"),
            MenuItem(_("重大隐患督办"), "hazards:hazard_major", "hazards.view_hazard"),
            MenuItem(_("隐患统计分析"), "hazards:hazard_statistics", "hazards.view_hazard"),
            MenuItem(_("批量导入"), "hazards:hazard_import", "hazards.add_hazard"),
        ),
    ),
]
