from django.utils.translation import gettext_lazy as _

from yingji.core.navigation import MenuGroup, MenuItem

MENU_GROUPS = [
    MenuGroup(
        _("执法检查"),
        (
            MenuItem(_("年度执法计划"), "inspections:annualplan_list", "inspections.view_annualplan"),
            MenuItem(_("双随机抽取"), "inspections:draw_list", "inspections.view_draw"),
            MenuItem(_("执法检查"), "inspections:inspection_list", "inspections.view_inspection"),
            MenuItem(_("执法案件"), "inspections:case_list", "inspections.view_case"),
            MenuItem(_("执法统计"), "inspections:statistics", "inspections.view_inspection"),
            MenuItem(_("全要素评价"), "inspections:evaluation_list", "inspections.view_evaluation"),
            MenuItem(_("警示约谈"), "inspections:warninginterview_list", "inspections.view_warninginterview"),
            MenuItem(_("评价模板"), "inspections:evaluationtemplate_list", "inspections.view_evaluationtemplate"),
            MenuItem(_("检查频次矩阵"), "inspections:frequency", "inspections.view_frequencyrule"),
            MenuItem(_("执法人员名录"), "inspections:inspector_list", "inspections.view_inspector"),
            MenuItem(_("检查表"), "inspections:checklist_list", "inspections.view_checklist"),
            MenuItem(_("专家抽取"), "inspections:draw_expert_create", "inspections.add_draw"),
            MenuItem(_("公示（一公开）"), "inspections:public"),
        ),
    ),
]
