from django.utils.translation import gettext_lazy as _

from yingji.core.navigation import MenuGroup, MenuItem

MENU_GROUPS = [
    MenuGroup(
        _("企业监管"),
        (
            MenuItem(_("企业档案"), "enterprises:enterprise_list"),
            MenuItem(_("企业分布图"), "enterprises:enterprise_map"),
            MenuItem(_("企业批量导入"), "enterprises:enterprise_import"),
        ),
        area="risks",
    ),
]
