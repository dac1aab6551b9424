from django.utils.translation import gettext_lazy as _

from yingji.core.navigation import MenuGroup, MenuItem

MENU_GROUPS = [
    MenuGroup(
        _("培训考试"),
        (
            MenuItem(_("题库"), "training:questionbank_list"),
            MenuItem(_("试题"), "training:question_list"),
            MenuItem(_("练习"), "training:practice"),
            MenuItem(_("从业人员"), "training:trainee_list"),
            MenuItem(_("考试"), "training:exam_list"),
            MenuItem(_("考生名单"), "training:candidate_list"),
            MenuItem(_("考试成绩"), "training:attempt_list"),
        ),
        area="training",
    ),
]
