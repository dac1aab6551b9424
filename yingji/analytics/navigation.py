from django.utils.translation import gettext_lazy as _

from yingji.core.navigation import MenuGroup, MenuItem

MENU_GROUPS = [
    MenuGroup(
        _("分析研判"),
        (
            MenuItem(_("指挥大屏"), "analytics:cockpit", "analytics.open_cockpit"),
            MenuItem(_("月度风险分析报告"), "analytics:monthlyreport_list", "analytics.view_monthlyreport"),
        ),
    ),
]
