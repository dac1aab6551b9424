from django import forms
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import RegionChoiceField, ScopedModelForm
from yingji.core.models import Region
from yingji.core.scoping import code_prefix_q
from yingji.incidents.models import Incident, ResponseLevel
from yingji.plans.models import (
    Drill,
    DrillImprovement,
    Plan,
    PlanKind,
    PlanLevel,
    PlanOrganization,
    PlanStatus,
    PlanTask,
    ReadinessAssessment,
    ReadinessItem,
)

DATE = {"type": "date"}
PARENT_KINDS = [PlanKind.GENERAL, PlanKind.SPECIAL, PlanKind.COUNTY, PlanKind.TOWNSHIP]


class PlanForm(ScopedModelForm):
    region = RegionChoiceField(label=_("所属区划"), required=False, queryset=Region.objects.select_related("parent"),
                               help_text=_("企业预案取企业所在区划"))

    class Meta:
        model = Plan
        fields = ["name", "kind", "parent", "region", "enterprise", "organization", "event_types", "summary",
                  "issued_on", "revision_years"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3}), "issued_on": forms.DateInput(attrs=DATE)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = self.fields["parent"].queryset.filter(kind__in=PARENT_KINDS).exclude(
            status__in=[PlanStatus.SUPERSEDED, PlanStatus.ABOLISHED])
        if self.instance.pk:
            parents = parents.exclude(code=self.instance.code)
        self.fields["parent"].queryset = parents
        if self.user.scope_enterprise_id:
            # An enterprise keeps its own enterprise plans: kind, enterprise and region follow from the account.
            for name in ("kind", "enterprise", "region"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if not self.user.scope_enterprise_id and not data.get("region") and not data.get("enterprise"):
            self.add_error("region", _("请选择预案所属区划"))
        return data


class _PlanPartForm(ScopedModelForm):
    """A part of a plan's structure; the plan is chosen among the user's plans still being drafted."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plans = self.fields["plan"].queryset.filter(status=PlanStatus.DRAFT)
        self.fields["plan"].queryset = plans.restrict(self.user, "change")
        if self.instance.pk:
            self.fields["plan"].disabled = True


class PlanLevelForm(_PlanPartForm):
    class Meta:
        model = PlanLevel
        fields = ["plan", "level", "condition", "commander"]
        widgets = {"condition": forms.Textarea(attrs={"rows": 3})}


class PlanOrganizationForm(_PlanPartForm):
    class Meta:
        model = PlanOrganization
        fields = ["plan", "organization", "role", "responsibilities"]
        widgets = {"responsibilities": forms.Textarea(attrs={"rows": 3})}


class PlanTaskForm(_PlanPartForm):
    class Meta:
        model = PlanTask
        fields = ["plan", "level", "organization", "task"]
        widgets = {"task": forms.Textarea(attrs={"rows": 3})}


class ActivationForm(forms.Form):
    """Start a plan's response for an incident: the incident (in scope, not closed) and the level."""

    incident = forms.ModelChoiceField(label=_("事件"), queryset=Incident.objects.none())
    level = forms.ChoiceField(label=_("响应级别"), choices=ResponseLevel.choices)
    commander = forms.CharField(label=_("指挥长"), max_length=50, required=False,
                                help_text=_("不填则按预案中该级响应的指挥长"))

    def __init__(self, *args, user, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        incidents = Incident.objects.restrict(user, "change").filter(closed=False).order_by("-occurred_at")
        if plan is not None:
            incidents = incidents.filter(code_prefix_q("region__code", plan.region.prefix))
            levels = set(plan.tasks.values_list("level", flat=True))
            self.fields["level"].choices = [(v, label) for v, label in ResponseLevel.choices if v in levels]
        self.fields["incident"].queryset = incidents
        self.fields["incident"].label_from_instance = lambda i: f"{i.code} {i.title}"
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select" if isinstance(field.widget, forms.Select)
                                          else "form-control")


class PlanChoiceActivationForm(ActivationForm):
    """The same, reached from an incident: the plan is chosen among filed plans covering it."""

    plan = forms.ModelChoiceField(label=_("预案"), queryset=Plan.objects.none())

    def __init__(self, *args, user, incident=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        plans = Plan.objects.restrict(user, "view").filter(status=PlanStatus.FILED).order_by("region_id", "kind")
        if incident is not None:
            plans = [p for p in plans if incident.region_id.startswith(p.region.prefix)]
            self.fields["plan"].queryset = Plan.objects.filter(pk__in=[p.pk for p in plans])
        else:
            self.fields["plan"].queryset = plans
        self.fields["plan"].widget.attrs["class"] = "form-select"
        self.order_fields(["plan", "incident", "level", "commander"])


class DrillForm(ScopedModelForm):
    region = RegionChoiceField(label=_("所属区划"), required=False, queryset=Region.objects.select_related("parent"))

    class Meta:
        model = Drill
        fields = ["name", "kind", "plan", "region", "enterprise", "organizer", "scenario", "event_subtype", "place",
                  "longitude", "latitude", "planned_on", "participants", "participant_count", "teams"]
        widgets = {"scenario": forms.Textarea(attrs={"rows": 3}), "participants": forms.Textarea(attrs={"rows": 2}),
                   "planned_on": forms.DateInput(attrs=DATE), "teams": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = self.fields["plan"].queryset.filter(status=PlanStatus.FILED)
        self.fields["teams"].required = False
        if self.user.scope_enterprise_id:
            del self.fields["enterprise"]
            del self.fields["region"]

    def clean(self):
        data = super().clean()
        if not self.user.scope_enterprise_id and not data.get("region") and not data.get("enterprise"):
            self.add_error("region", _("请选择演练所属区划"))
        return data


class DrillImprovementForm(ScopedModelForm):
    class Meta:
        model = DrillImprovement
        fields = ["drill", "problem", "measure", "responsible_unit", "deadline"]
        widgets = {"problem": forms.Textarea(attrs={"rows": 2}), "measure": forms.Textarea(attrs={"rows": 2}),
                   "deadline": forms.DateInput(attrs=DATE)}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["drill"].queryset = self.fields["drill"].queryset.filter(status__in=["conducted", "evaluated"])


class ReadinessAssessmentForm(ScopedModelForm):
    region = RegionChoiceField(label=_("乡镇（街道）/村（社区）"),
                               queryset=Region.objects.filter(level__in=["township", "village"])
                               .select_related("parent"))

    class Meta:
        model = ReadinessAssessment
        fields = ["region", "year"]


class ReadinessItemForm(ScopedModelForm):
    class Meta:
        model = ReadinessItem
        fields = ["self_met", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
