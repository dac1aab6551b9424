from django.utils.translation import gettext_lazy as _

from yingji.core.navigation import MenuGroup, MenuItem

MENU_GROUPS = [
    MenuGroup(
        _("灾情与救助"),
        (
            MenuItem(_("森林火险等级"), "disasters:fire_map", area="monitoring"),
            MenuItem(_("火险指数台账"), "disasters:firedanger_list", area="monitoring"),
            MenuItem(_("气象观测"), "disasters:weatherobservation_list", area="monitoring"),
            MenuItem(_("气象站"), "disasters:weatherstation_list", area="monitoring"),
            MenuItem(_("灾害事件"), "disasters:disasterevent_list"),
            MenuItem(_("报送灾情"), "disasters:disasterreport_create"),
            MenuItem(_("灾情报告"), "disasters:disasterreport_list"),
            MenuItem(_("未报清单"), "disasters:reportduty_list"),
            MenuItem(_("灾害信息员"), "disasters:disasterinformant_list"),
            MenuItem(_("会商研判"), "disasters:consultation_list"),
            MenuItem(_("风险研判"), "disasters:riskjudgement_list"),
            MenuItem(_("会商任务"), "disasters:consultationtask_list"),
        ),
        area="disasters",
    ),
]
