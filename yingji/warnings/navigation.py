from django.utils.translation import gettext_lazy as _

from yingji.core.navigation import MenuGroup, MenuItem

MENU_GROUPS = [
    MenuGroup(
        _("预警发布"),
        (
            MenuItem(_("预警信息"), "warnings:warning_list"),
            MenuItem(_("拟制预警"), "warnings:warning_create"),
            MenuItem(_("上级预警"), "warnings:upstreammessage_list"),
            MenuItem(_("责任人清单"), "warnings:responsibleperson_list"),
            MenuItem(_("叫应对象"), "warnings:recipient_list"),
            MenuItem(_("发送记录"), "warnings:delivery_list"),
            MenuItem(_("我的叫应"), "warnings:my_warnings", area="workbench"),
            MenuItem(_("公众预警页"), "warnings:public_list", beside="warnings:warning_list"),
        ),
        area="warnings",
    ),
]
