from django.utils.translation import gettext_lazy as _

from yingji.core.navigation import MenuGroup, MenuItem

MENU_GROUPS = [
    MenuGroup(
        _("预案演练"),
        (
            MenuItem(_("预案管理"), "plans:plan_list", "plans.view_plan"),
            MenuItem(_("预案体系"), "plans:plan_system", "plans.view_plan"),
            MenuItem(_("任务分工"), "plans:plantask_list", "plans.view_plantask"),
            MenuItem(_("预案启动记录"), "plans:planactivation_list", "plans.view_planactivation"),
            MenuItem(_("应急演练"), "plans:drill_list", "plans.view_drill"),
            MenuItem(_("演练改进任务"), "plans:drillimprovement_list", "plans.view_drillimprovement"),
            MenuItem(_("队伍演练覆盖"), "plans:drill_coverage", "plans.view_drill"),
            MenuItem(_("基层应急能力评估"), "plans:readinessassessment_list", "plans.view_readinessassessment"),
            MenuItem(_("基层达标情况"), "plans:readiness_rollup", "plans.view_readinessassessment"),
        ),
    ),
]
