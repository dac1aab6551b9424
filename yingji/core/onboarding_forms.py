"""Forms of the first configuration and of the region, boundary and role template pages."""

from django import forms
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from yingji.core.models import RoleTemplate

STYLE = {"class": "form-control"}


class BureauForm(forms.Form):
    name = forms.CharField(label=_("单位名称"), max_length=100, widget=forms.TextInput(STYLE),
                           help_text=_("如：青禾市应急管理局"))
    root_code = forms.CharField(label=_("辖区区划代码"), max_length=12, widget=forms.TextInput(STYLE),
                                help_text=_("12位统计用区划代码，如 390100000000"))
    root_name = forms.CharField(label=_("辖区名称"), max_length=100, widget=forms.TextInput(STYLE))
    ancestor_names = forms.CharField(
        label=_("上级区划名称"), required=False, widget=forms.TextInput(STYLE),
        help_text=_("系统中还没有上级区划时填写，自上而下以“/”分隔，如：江海省"))
    platform_name = forms.CharField(label=_("平台名称"), max_length=100, required=False, widget=forms.TextInput(STYLE),
                                    help_text=_("登录页和文件中显示；不填则为“应急管理综合应用平台”"))
    emblem = forms.FileField(label=_("徽标图片"), required=False,
                             widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": "image/*"}),
                             help_text=_("PNG、JPEG、GIF 或 WebP，不超过 512 KB"))

    def ancestors(self) -> list[str]:
        return [n for n in self.cleaned_data.get("ancestor_names", "").replace("／", "/").split("/") if n.strip()]


class SetupForm(BureauForm):
    username = forms.CharField(label=_("管理员用户名"), max_length=150, widget=forms.TextInput(STYLE))
    real_name = forms.CharField(label=_("管理员姓名"), max_length=50, widget=forms.TextInput(STYLE))
    password = forms.CharField(label=_("密码"), widget=forms.PasswordInput(attrs=STYLE),
                               help_text=_("至少8位，包含大写字母、小写字母、数字、符号中的三类"))
    password2 = forms.CharField(label=_("再次输入密码"), widget=forms.PasswordInput(attrs=STYLE))

    field_order = ["username", "real_name", "password", "password2"]

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致"))
        return data


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("文件"), widget=forms.ClearableFileInput(attrs={"class": "form-control"}))


class BoundaryUploadForm(ImportUploadForm):
    parent = forms.CharField(
        label=_("按名称匹配时的上级区划代码"), required=False, max_length=12, widget=forms.TextInput(STYLE),
        help_text=_("要素没有区划代码属性时，在该区划的下级中按名称匹配"))


class RoleTemplateForm(forms.ModelForm):
    roles = forms.ModelMultipleChoiceField(label=_("默认角色"), queryset=Group.objects.order_by("name"),
                                           required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = RoleTemplate
        fields = ["roles"]


class OwnPasswordForm(forms.Form):
    """A person who was given an initial password chooses their own."""

    password = forms.CharField(label=_("新密码"), widget=forms.PasswordInput(attrs=STYLE),
                               help_text=_("至少8位，包含大写字母、小写字母、数字、符号中的三类"))
    password2 = forms.CharField(label=_("再次输入新密码"), widget=forms.PasswordInput(attrs=STYLE))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        password = data.get("password")
        if password and password != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致"))
        elif password:
            if self.user.check_password(password):
                self.add_error("password", _("新密码不能与初始密码相同"))
            else:
                try:
                    validate_password(password, self.user)
                except forms.ValidationError as exc:
                    self.add_error("password", exc)
        return data
