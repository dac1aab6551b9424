from django.utils.translation import gettext_lazy as _

from yingji.core.navigation import MenuGroup, MenuItem

MENU_GROUPS = [
    MenuGroup(
        _("群众举报"),
        (
            MenuItem(_("举报受理"), "tipoffs:tipoff_list", "tipoffs.view_tipoff"),
            MenuItem(_("公众举报页"), "tipoffs:public_report", "tipoffs.view_tipoff"),
        ),
    ),
]
