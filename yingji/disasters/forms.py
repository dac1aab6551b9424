from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yingji.core.forms import RegionChoiceField, ScopedModelForm
from yingji.core.models import Organization, Region
from yingji.disasters.models import (
    STAT_FIELDS,
    Consultation,
    ConsultationTask,
    DisasterEvent,
    DisasterInformant,
    DisasterReport,
    RiskJudgement,
    WeatherObservation,
    WeatherStation,
)

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if hasattr(value, "strftime"):
            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.strftime("%Y-%m-%dT%H:%M")
        return value


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value):
        return value.strftime("%Y-%m-%d") if hasattr(value, "strftime") else value


class StationForm(ScopedModelForm):
    region = RegionChoiceField(label=_("所在区划"), queryset=Region.objects.exclude(level__in=["province", "city"])
                               .select_related("parent"))

    class Meta:
        model = WeatherStation
        fields = ["code", "name", "region", "longitude", "latitude", "elevation", "automatic", "active"]


class ObservationForm(ScopedModelForm):
    class Meta:
        model = WeatherObservation
        fields = ["station", "date", "temperature", "humidity", "wind_speed", "precipitation"]
        widgets = {"date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A correction changes the values; the station and day are what it corrects.
            self.fields["station"].disabled = True
            self.fields["date"].disabled = True

    def validate_unique(self):
        # A second observation of a station's day is a correction of the first (the service replaces it).
        pass


class InformantForm(ScopedModelForm):
    region = RegionChoiceField(label=_("负责区划"), queryset=Region.objects.filter(
        level__in=["county", "township", "village"]).select_related("parent"))

    class Meta:
        model = DisasterInformant
        fields = ["name", "mobile", "region", "organization", "user", "training_status", "trained_on", "certified",
                  "certificate_no", "active"]
        widgets = {"trained_on": DateInput()}


class EventForm(ScopedModelForm):
    region = RegionChoiceField(label=_("发生区划"), queryset=Region.objects.filter(level__in=["city", "county"]))
    affected_regions = forms.ModelMultipleChoiceField(
        label=_("受灾乡镇/村"), queryset=Region.objects.filter(level__in=["township", "village"]).select_related("parent"),
        required=False, widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("须报送灾情的乡镇（街道）和村（社区）；按住 Ctrl 多选"))
    occurred_at = forms.DateTimeField(label=_("发生时间"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS)

    class Meta:
        model = DisasterEvent
        fields = ["name", "hazard_type", "region", "affected_regions", "occurred_at", "description", "initial_hours",
                  "followup_hours", "verification_days"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ReportForm(ScopedModelForm):
    """The 灾情 form a village informant fills in on a phone: empty figures count as 0."""

    event = forms.ModelChoiceField(label=_("灾害事件"), queryset=DisasterEvent.objects.exclude(status="closed"))
    region = RegionChoiceField(label=_("报送区划"), queryset=Region.objects.filter(
        level__in=["township", "village"]).select_related("parent"))

    class Meta:
        model = DisasterReport
        fields = ["event", "region", "kind", *STAT_FIELDS, "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in STAT_FIELDS:
            field = self.fields[name]
            field.required = False
            field.widget.attrs.update({"inputmode": "decimal" if name.endswith(("_ha", "_yuan")) else "numeric",
                                       "min": "0"})
        if self.instance.pk:
            for name in ("event", "region", "kind"):
                self.fields[name].disabled = True

    def clean(self):
        data = super().clean()
        for name in STAT_FIELDS:
            if name not in self.errors and data.get(name) in (None, ""):
                data[name] = 0
        return data


class ConsultationForm(ScopedModelForm):
    region = RegionChoiceField(label=_("组织区划"), queryset=Region.objects.filter(
        level__in=["city", "county", "township"]))
    departments = forms.ModelMultipleChoiceField(label=_("参会部门"), queryset=Organization.objects.all(),
                                                 required=False, widget=forms.SelectMultiple(attrs={"size": 6}))
    held_at = forms.DateTimeField(label=_("会商时间"), widget=DateTimeInput(), input_formats=DATETIME_FORMATS)

    class Meta:
        model = Consultation
        fields = ["topic", "kind", "period", "region", "held_at", "place", "host", "departments", "participants",
                  "period_start", "period_end", "conclusions"]
        widgets = {"period_start": DateInput(), "period_end": DateInput(),
                   "participants": forms.Textarea(attrs={"rows": 3}), "conclusions": forms.Textarea(attrs={"rows": 4})}


class JudgementForm(ScopedModelForm):
    class Meta:
        model = RiskJudgement
        fields = ["consultation", "region", "hazard_type", "level", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = self.fields["region"].queryset.exclude(level__in=["province", "village"])
        if self.instance.pk:
            self.fields["consultation"].disabled = True


class TaskForm(ScopedModelForm):
    class Meta:
        model = ConsultationTask
        fields = ["consultation", "title", "description", "organization", "due_date"]
        widgets = {"due_date": DateInput(), "description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["consultation"].disabled = True


class ObservationImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 或 CSV 文件"))
