from django.utils.translation import gettext_lazy as _

from yingji.core.navigation import MenuGroup, MenuItem

MENU_GROUPS = [
    MenuGroup(
        _("监测预警"),
        (
            MenuItem(_("监测看板"), "monitoring:board"),
            MenuItem(_("报警处置"), "monitoring:alarm_list"),
            MenuItem(_("重大危险源"), "monitoring:majorhazardsource_list"),
            MenuItem(_("监测点"), "monitoring:monitoringpoint_list"),
            MenuItem(_("监测点导入"), "monitoring:monitoringpoint_import"),
            MenuItem(_("采集网关"), "monitoring:gateway_list"),
            MenuItem(_("在线率"), "monitoring:online_rate"),
            MenuItem(_("线上巡查"), "monitoring:patrol_list"),
        ),
        area="monitoring",
    ),
]
