from django.utils.translation import gettext_lazy as _

from yingji.core.navigation import MenuGroup, MenuItem

MENU_GROUPS = [
    MenuGroup(
        _("隐患排查治理"),
        (
            MenuItem(_("隐患台账"), "hazards:hazard_list"),
            MenuItem(_("登记隐患"), "hazards:hazard_create"),
            MenuItem(_("重大隐患督办"), "hazards:hazard_major"),
            MenuItem(_("隐患统计分析"), "hazards:hazard_statistics"),
            MenuItem(_("隐患批量导入"), "hazards:hazard_import"),
        ),
        area="risks",
    ),
]
