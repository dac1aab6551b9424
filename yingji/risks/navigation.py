from django.utils.translation import gettext_lazy as _

from yingji.core.navigation import MenuGroup, MenuItem

MENU_GROUPS = [
    MenuGroup(
        _("风险分级管控"),
        (
            MenuItem(_("风险点"), "risks:riskpoint_list"),
            MenuItem(_("风险分级分布"), "risks:region_risks"),
            MenuItem(_("风险点导入"), "risks:riskpoint_import"),
        ),
        area="risks",
    ),
]
