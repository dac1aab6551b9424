from django.utils.translation import gettext_lazy as _

from yingji.core.navigation import MenuGroup, MenuItem

MENU_GROUPS = [
    MenuGroup(
        _("执法检查"),
        (
            MenuItem(_("年度执法计划"), "inspections:annualplan_list"),
            MenuItem(_("双随机抽取"), "inspections:draw_list"),
            MenuItem(_("执法检查"), "inspections:inspection_list"),
            MenuItem(_("执法案件"), "inspections:case_list"),
            MenuItem(_("执法统计"), "inspections:statistics"),
            MenuItem(_("全要素评价"), "inspections:evaluation_list"),
            MenuItem(_("警示约谈"), "inspections:warninginterview_list"),
            MenuItem(_("评价模板"), "inspections:evaluationtemplate_list"),
            MenuItem(_("检查频次矩阵"), "inspections:frequency"),
            MenuItem(_("执法人员名录"), "inspections:inspector_list"),
            MenuItem(_("检查表"), "inspections:checklist_list"),
            MenuItem(_("专家抽取"), "inspections:draw_expert_create"),
            MenuItem(_("公示（一公开）"), "inspections:public", beside="inspections:inspection_list"),
        ),
        area="enforcement",
    ),
]
