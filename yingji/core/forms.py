from django import forms
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.core.models import Organization, User
from yingji.core.scoping import ScopedQuerySet
from yingji.core.workflow import Transition

REASON_MAX_LENGTH = 500


class ScopedModelForm(forms.ModelForm):
    """A ModelForm whose choices of related records are limited to the user's jurisdiction."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if isinstance(queryset, ScopedQuerySet):
                field.queryset = queryset.restrict(user, "view")
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField) and not isinstance(field, forms.ModelMultipleChoiceField):
                field.empty_label = _("请选择")
            elif isinstance(field, forms.TypedChoiceField) and field.choices and field.choices[0][0] == "":
                field.choices = [("", _("请选择")), *field.choices[1:]]
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            if isinstance(widget, (forms.Select, forms.SelectMultiple)):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-control")


class RegionChoiceField(forms.ModelChoiceField):
    """A region shown with its parents, e.g. 北山县 / 石桥镇 / 王庄村."""

    def label_from_instance(self, obj: models.Model) -> str:
        parent = getattr(obj, "parent", None)
        return f"{parent.name} / {obj.name}" if parent else obj.name


def transition_form(model: type[models.Model], move: Transition, user, data=None,
                    obj: models.Model | None = None, files=None) -> forms.Form:
    """The form of one move: its reason (required where the table says so) and the fields it declares, built from
    the model's fields (filled with the record's current values), related choices limited to the user's
    jurisdiction; a file field (a photo of the scene) takes the upload from `files`."""
    fields: dict[str, forms.Field] = {}
    for action_field in move.action_fields():
        field = action_field.model_field(model).formfield()
        field.required = action_field.required
        if obj is not None and action_field.field is None:
            field.initial = getattr(obj, action_field.model_field(model).attname)
        queryset = getattr(field, "queryset", None)
        if isinstance(queryset, ScopedQuerySet):
            field.queryset = queryset.restrict(user, "view")
        if isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField):
            field.widget = forms.DateInput(attrs={"type": "date"})
        fields[action_field.name] = field
    fields["reason"] = forms.CharField(
        label=_("原因") if move.reason_required else _("说明"), required=move.reason_required,
        max_length=REASON_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": _("原因（必填）") if move.reason_required else _("说明（选填）")}),
    )
    for field in fields.values():
        widget = field.widget
        if isinstance(widget, (forms.Select, forms.SelectMultiple)):
            widget.attrs.setdefault("class", "form-select form-select-sm")
        elif not isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-control form-control-sm")
    form_class = type(f"{model.__name__}{move.action.title()}Form", (forms.Form,), fields)
    return form_class(data=data, files=files, prefix=None, auto_id=f"id_{move.action}_%s")


class OrganizationForm(ScopedModelForm):
    class Meta:
        model = Organization
        fields = ["name", "kind", "region", "parent", "phone"]


class UserForm(ScopedModelForm):
    roles = forms.ModelMultipleChoiceField(
        label=_("角色"), queryset=Group.objects.order_by("name"), to_field_name="name", required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    password = forms.CharField(
        label=_("初始密码"), widget=forms.PasswordInput(render_value=False), required=False,
        help_text=_("至少8位，包含大写字母、小写字母、数字、符号中的三类"),
    )

    class Meta:
        model = User
        fields = ["username", "real_name", "mobile", "organization", "scope_region", "scope_enterprise", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["username"].disabled = True
            self.fields["roles"].initial = [g.name for g in self.instance.groups.all()]
            del self.fields["password"]
        else:
            self.fields["password"].required = True
            del self.fields["is_active"]
        self.fields["real_name"].required = True
        self.fields["scope_region"].queryset = self.fields["scope_region"].queryset.exclude(level="village")

    def clean(self):
        data = super().clean()
        if data.get("scope_region") and data.get("scope_enterprise"):
            raise forms.ValidationError(_("管辖区划与所属企业只能填写一项"))
        if not data.get("scope_region") and not data.get("scope_enterprise"):
            raise forms.ValidationError(_("请为用户指定管辖区划或所属企业"))
        return data
