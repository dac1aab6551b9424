from django.utils.translation import gettext_lazy as _

from yingji.core.navigation import MenuGroup, MenuItem

MENU_GROUPS = [
    MenuGroup(
        _("统计分析"),
        (
            MenuItem(_("指挥大屏"), "analytics:cockpit"),
            MenuItem(_("月度风险分析报告"), "analytics:monthlyreport_list"),
        ),
        area="analytics",
    ),
]
