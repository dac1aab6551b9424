from django.utils.translation import gettext_lazy as _

from yingji.core.navigation import MenuGroup, MenuItem

MENU_GROUPS = [
    MenuGroup(
        _("预案演练"),
        (
            MenuItem(_("预案管理"), "plans:plan_list"),
            MenuItem(_("预案体系"), "plans:plan_system"),
            MenuItem(_("任务分工"), "plans:plantask_list"),
            MenuItem(_("预案启动记录"), "plans:planactivation_list"),
            MenuItem(_("应急演练"), "plans:drill_list"),
            MenuItem(_("演练改进任务"), "plans:drillimprovement_list"),
            MenuItem(_("队伍演练覆盖"), "plans:drill_coverage"),
            MenuItem(_("基层应急能力评估"), "plans:readinessassessment_list"),
            MenuItem(_("基层达标情况"), "plans:readiness_rollup"),
        ),
        area="plans",
    ),
]
