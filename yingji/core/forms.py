from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

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
                    obj: models.Model | None = None) -> forms.Form:
    """The form of one move: its reason (required where the table says so) and the fields it declares, built from
    the model's fields (filled with the record's current values), related choices limited to the user's
    jurisdiction."""
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
    return form_class(data=data, prefix=None, auto_id=f"id_{move.action}_%s")
