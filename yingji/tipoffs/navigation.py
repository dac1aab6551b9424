from django.utils.translation import gettext_lazy as _

from yingji.core.navigation import MenuGroup, MenuItem

MENU_GROUPS = [
    MenuGroup(
        _("群众举报"),
        (
            MenuItem(_("举报受理"), "tipoffs:tipoff_list"),
            MenuItem(_("公众举报页"), "tipoffs:public_report", beside="tipoffs:tipoff_list"),
        ),
        area="risks",
    ),
]
