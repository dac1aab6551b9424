from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from yingji.core import signon


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码错误。连续多次错误将暂时锁定该账号。"),
        "inactive": _("该账号已停用。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control"

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            # The directory could not be asked: say so rather than blame the password.
            if signon.was_unavailable(self.request):
                raise ValidationError(signon.UNAVAILABLE_MESSAGE, code="directory_unavailable") from None
            raise


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["redirect_sign_on"] = signon.redirect_sign_on_enabled()
        return context
