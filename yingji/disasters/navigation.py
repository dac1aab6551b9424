from django.utils.translation import gettext_lazy as _

from yingji.core.navigation import MenuGroup, MenuItem

MENU_GROUPS = [
    MenuGroup(
        _("自然灾害防治"),
        (
            MenuItem(_("森林火险等级"), "disasters:fire_map", "disasters.view_firedanger"),
            MenuItem(_("火险指数台账"), "disasters:firedanger_list", "disasters.view_firedanger"),
            MenuItem(_("气象观测"), "disasters:weatherobservation_list", "disasters.view_weatherobservation"),
            MenuItem(_("气象站"), "disasters:weatherstation_list", "disasters.view_weatherstation"),
            MenuItem(_("灾害事件"), "disasters:disasterevent_list", "disasters.view_disasterevent"),
            MenuItem(_("报送灾情"), "disasters:disasterreport_create", "disasters.add_disasterreport"),
            MenuItem(_("灾情报告"), "disasters:disasterreport_list", "disasters.view_disasterreport"),
            MenuItem(_("未报清单"), "disasters:reportduty_list", "disasters.view_reportduty"),
            MenuItem(_("灾害信息员"), "disasters:disasterinformant_list", "disasters.view_disasterinformant"),
            MenuItem(_("会商研判"), "disasters:consultation_list", "disasters.view_consultation"),
            MenuItem(_("风险研判"), "disasters:riskjudgement_list", "disasters.view_riskjudgement"),
            MenuItem(_("会商任务"), "disasters:consultationtask_list", "disasters.view_consultationtask"),
        ),
    ),
]
