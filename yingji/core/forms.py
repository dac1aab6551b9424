import json
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from django import forms
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yingji.core.models import Organization, Region, User
from yingji.core.scoping import ScopedQuerySet
from yingji.core.validators import coordinates_problem
from yingji.core.widgets import AnnotatedSelect, MapPointWidget, TimetableWidget
from yingji.core.workflow import Transition
from yingji.standards import division

REASON_MAX_LENGTH = 500


# Form fields a located record's choice fills in, and the attribute of the record each takes.
FILLED_FROM = {"region": "region_id", "address": "address", "longitude": "longitude", "latitude": "latitude"}


class ScopedModelForm(forms.ModelForm):
    """A ModelForm whose choices of related records are limited to the user's jurisdiction.

    It also fits the widgets that let people pick instead of type (docs/dev/forms.md): a map picker on every
    longitude/latitude pair, and on a choice of a located record (an enterprise) the data that fills its
    region, address and coordinates in and that narrows its options to the chosen region. Long and multiple
    choices become searchable in the browser (yingji/static/yingji/forms.js). Coordinates are checked to lie in
    or near the record's region.
    """

    # child field -> (parent field, {parent value: child values}): the child's options follow the parent's choice.
    dependent_choices: ClassVar[Mapping[str, tuple[str, Mapping[str, Iterable[str]]]]] = {}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name, field in self.fields.items():
            queryset = getattr(field, "queryset", None)
            if isinstance(queryset, ScopedQuerySet):
                field.queryset = queryset.restrict(user, "view")
            self._without_retired(name, field)
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
        self._fit_map_picker()
        self._fit_located_choices()
        self._fit_dependent_choices()

    def _without_retired(self, name: str, field: forms.Field) -> None:
        """A region retired by a later year's division table is no longer offered, except where the record
        already points to it (it keeps its value until someone chooses a current one)."""
        queryset = getattr(field, "queryset", None)
        if queryset is None or "retired_at" not in {f.name for f in queryset.model._meta.concrete_fields}:
            return
        current = self.initial.get(name)
        values = current if isinstance(current, (list, tuple, models.QuerySet)) else [current]
        keep = [getattr(value, "pk", value) for value in values if value not in (None, "")]
        field.queryset = queryset.filter(Q(retired_at__isnull=True) | Q(pk__in=keep))

    def _visible(self, name: str) -> bool:
        return name in self.fields and not self.fields[name].widget.is_hidden

    def _fit_map_picker(self) -> None:
        fit_map_picker(self)

    def _annotate(self, name: str, option_data, **attrs: str) -> None:
        field = self.fields[name]
        old = field.widget
        if type(old) is not forms.Select and not isinstance(old, AnnotatedSelect):
            return
        widget = AnnotatedSelect(attrs={**old.attrs, **attrs}, choices=old.choices, option_data=option_data)
        widget.is_required = old.is_required
        field.widget = widget

    def _fit_located_choices(self) -> None:
        region_select = self._visible("region") and isinstance(self.fields["region"], forms.ModelChoiceField)
        for name, field in list(self.fields.items()):
            if not isinstance(field, forms.ModelChoiceField) or isinstance(field, forms.ModelMultipleChoiceField):
                continue
            model = field.queryset.model
            if model is Region:
                self._annotate(name, lambda v: {"prefix": division.significant_prefix(str(v))})
                continue
            names = {f.name for f in model._meta.get_fields()}
            if not ({"longitude", "latitude"} <= names or "address" in names):
                continue
            fills = {self[target].auto_id: target for target in FILLED_FROM
                     if target != name and target in names and self._visible(target)}
            if "place" in self.fields and "address" not in self.fields and "address" in names:
                fills[self["place"].auto_id] = "address"
            attrs = {"data-fills": json.dumps(fills)} if fills else {}
            if region_select and name != "region" and "region" in names:
                attrs.update({"data-filter-by": self["region"].auto_id, "data-filter-mode": "prefix"})
            if attrs:
                self._annotate(name, _located_option_data, **attrs)

    def _fit_dependent_choices(self) -> None:
        for child, (parent, children_of) in self.dependent_choices.items():
            if child not in self.fields or parent not in self.fields:
                continue
            parent_of = {str(c): str(p) for p, children in children_of.items() for c in children}
            self._annotate(child, lambda v, parent_of=parent_of: {"parent": parent_of.get(str(v), "")},
                           **{"data-filter-by": self[parent].auto_id, "data-filter-mode": "exact"})

    def _post_clean(self):
        super()._post_clean()
        # After the model's own validation, so its messages (a longitude above 136) come first.
        if "longitude" in self.fields and "latitude" in self.fields \
                and not ({"longitude", "latitude"} & set(self._errors or {})):
            problem = coordinates_problem(self.cleaned_data, self.instance)
            if problem:
                self.add_error("longitude", problem)


def fit_map_picker(form: forms.BaseForm) -> None:
    """Put the map picker on the form's longitude/latitude pair (both visible): the longitude input moves under
    the map, the latitude input stays beside it, and both keep their names, so the server reads them as before."""
    fields = form.fields
    if not all(name in fields and not fields[name].widget.is_hidden for name in ("longitude", "latitude")):
        return
    field = fields["longitude"]
    old = field.widget
    field.widget = MapPointWidget(attrs={**old.attrs, "class": "form-control form-control-sm map-picker-input"},
                                  latitude_input=form["latitude"].auto_id or "")
    field.widget.is_required = old.is_required
    field.label = _("位置")
    field.help_text = field.help_text or _("在地图上点选或搜索地名，经纬度自动填写")
    fields["latitude"].widget.attrs["class"] = "form-control form-control-sm"


class PointForm(forms.Form):
    """A point picked on the map where a page asks for one outside a record (the centre of a nearby search)."""

    longitude = forms.FloatField(label=_("经度"), required=False, min_value=73, max_value=136)
    latitude = forms.FloatField(label=_("纬度"), required=False, min_value=3, max_value=54)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fit_map_picker(self)


def _located_option_data(value: Any) -> dict[str, str]:
    record = getattr(value, "instance", None)
    if record is None:
        return {}
    data = {f"fill-{target}": getattr(record, source, None) for target, source in FILLED_FROM.items()
            if hasattr(record, source)}
    data = {key: "" if item is None else str(item) for key, item in data.items()}
    data["parent"] = data.get("fill-region", "")
    return data


class TimetableField(forms.Field):
    """A timetable of steps after so many minutes, edited as rows (TimetableWidget); the value is the list of
    {"after_minutes": n, <choice_key>: value} the model's JSONField stores. Validate it with the owner's rule."""

    def __init__(self, *, choices: Iterable[tuple[str, Any]], minutes_label: str, choice_label: str,
                 choice_key: str = "step", **kwargs: Any) -> None:
        kwargs.setdefault("widget", TimetableWidget(choices=list(choices), minutes_label=minutes_label,
                                                    choice_label=choice_label, choice_key=choice_key))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[dict[str, Any]]:
        if value in (None, ""):
            return []
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise forms.ValidationError(_("时间表格式不正确")) from None
        return value

    def prepare_value(self, value: Any) -> Any:
        # As JSON text, like the stored value; the widget shows it as rows.
        return value if isinstance(value, str) else json.dumps(value or [], ensure_ascii=False)

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != (initial or [])
        except forms.ValidationError:
            return True


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
