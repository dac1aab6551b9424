from django.utils.translation import gettext_lazy as _

from yingji.core.navigation import MenuGroup, MenuItem

MENU_GROUPS = [
    MenuGroup(
        _("应急指挥"),
        (
            MenuItem(_("指挥一张图"), "incidents:command_map"),
            MenuItem(_("突发事件"), "incidents:incident_list"),
            MenuItem(_("接报登记"), "incidents:incident_create"),
            MenuItem(_("事件统计"), "incidents:incident_statistics"),
            MenuItem(_("信息报送"), "incidents:incidentreport_list"),
            MenuItem(_("调度任务"), "incidents:dispatchtask_list", area="resources"),
        ),
        area="duty",
    ),
    MenuGroup(
        _("值班值守"),
        (
            MenuItem(_("值班安排"), "incidents:dutyshift_list"),
            MenuItem(_("生成排班"), "incidents:dutyshift_generate"),
            MenuItem(_("值班日志"), "incidents:dutylog_list"),
            MenuItem(_("值班点名"), "incidents:rollcall_list"),
            MenuItem(_("发起点名"), "incidents:rollcall_send"),
        ),
        area="duty",
    ),
]
