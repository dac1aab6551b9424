from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from yingji.core.scoping import ScopedQuerySet


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
