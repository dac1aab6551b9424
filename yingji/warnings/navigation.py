from django.utils.translation import gettext_lazy as _

from yingji.core.navigation import MenuGroup, MenuItem

MENU_GROUPS = [
    MenuGroup(
        _("预警发布"),
        (
            MenuItem(_("预警信息"), "warnings:warning_list", "warnings.view_warning"),
            MenuItem(_("拟制预警"), "warnings:warning_create", "warnings.add_warning"),
            MenuItem(_("上级预警"), "warnings:upstreammessage_list", "warnings.view_upstreammessage"),
            MenuItem(_("责任人清单"), "warnings:responsibleperson_list", "warnings.view_responsibleperson"),
            MenuItem(_("叫应对象"), "warnings:recipient_list", "warnings.view_recipient"),
            MenuItem(_("发送记录"), "warnings:delivery_list", "warnings.view_delivery"),
            MenuItem(_("我的叫应"), "warnings:my_warnings"),
            MenuItem(_("公众预警页"), "warnings:public_list", "warnings.view_warning"),
        ),
    ),
]
