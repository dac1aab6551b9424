"""How the disasters app's models are wired to pages, API and URLs (see `yingji.core.specs`).

Pages that are nothing but these declarations are generated; the app's own classes in `views.py` register for the
roles that do more (the event's reporting status, the report's save-and-send, the observation import).
"""

from django.utils.translation import gettext_lazy as _

from yingji.core.specs import Flow, ModelSpec
from yingji.core.tables import Column
from yingji.disasters import services
from yingji.disasters.filters import (
    ConsultationFilterSet,
    DutyFilterSet,
    EventFilterSet,
    FireDangerFilterSet,
    InformantFilterSet,
    JudgementFilterSet,
    ObservationFilterSet,
    ReportFilterSet,
    StationFilterSet,
    TaskFilterSet,
)
from yingji.disasters.forms import InformantForm, ObservationForm, StationForm
from yingji.disasters.models import (
    Consultation,
    ConsultationTask,
    DisasterEvent,
    DisasterInformant,
    DisasterReport,
    FireDanger,
    ReportDuty,
    RiskJudgement,
    WeatherObservation,
    WeatherStation,
)
from yingji.disasters.states import CONSULTATION_WORKFLOW, EVENT_WORKFLOW, REPORT_WORKFLOW, TASK_WORKFLOW

NS = "disasters"


def region_path(obj) -> str:
    parent = obj.region.parent
    return f"{parent.name} / {obj.region.name}" if parent else obj.region.name


def _rounded(name: str) -> Column:
    return Column(name, accessor=lambda d: round(getattr(d, name), 1))


STATION = ModelSpec(
    WeatherStation, namespace=NS, prefix="stations",
    create=services.station_create, update=services.station_update, object_argument="station",
    columns=[Column("name", link=True), Column("code"), Column("region.parent.name", _("上级区划")),
             Column("region.name", _("所在区划")), Column("longitude"), Column("latitude"), Column("automatic"),
             Column("active")],
    fields=[Column("code"), Column("name"), Column("region", accessor=region_path), Column("longitude"),
            Column("latitude"), Column("elevation"), Column("automatic"), Column("active")],
    form=StationForm, filterset=StationFilterSet,
)

OBSERVATION = ModelSpec(
    WeatherObservation, namespace=NS, prefix="observations",
    create=services.observation_create, update=services.observation_update, object_argument="observation",
    columns=[Column("id", _("观测"), link=True, accessor=str, orderable=False), Column("date"),
             Column("station.code", _("站号")), Column("temperature"), Column("humidity"), Column("wind_speed"),
             Column("precipitation"), Column("source")],
    fields=[Column("station"), Column("date"), Column("temperature"), Column("humidity"), Column("wind_speed"),
            Column("precipitation"), Column("source"), Column("received_at")],
    form=ObservationForm, filterset=ObservationFilterSet,
)

FIRE_DANGER = ModelSpec(
    FireDanger, namespace=NS, prefix="fire/days",
    columns=[Column("id", _("记录"), link=True, accessor=str, orderable=False), Column("date"),
             Column("region.name", _("所在区划")), *(_rounded(n) for n in ("ffmc", "dmc", "dc", "isi", "bui", "fwi")),
             Column("level"), Column("gap_days")],
    fields=[Column("station"), Column("date"), Column("ffmc"), Column("dmc"), Column("dc"), Column("isi"),
            Column("bui"), Column("fwi"), Column("level"), Column("gap_days"), Column("restarted"),
            Column("computed_at")],
    filterset=FireDangerFilterSet,
)

INFORMANT = ModelSpec(
    DisasterInformant, namespace=NS, prefix="informants",
    create=services.informant_create, update=services.informant_update, object_argument="informant",
    columns=[Column("name", link=True), Column("mobile"), Column("region.parent.name", _("上级区划")),
             Column("region.name", _("负责区划")), Column("region.level", _("层级")), Column("organization"),
             Column("training_status"), Column("trained_on"), Column("certified"), Column("certificate_no"),
             Column("active")],
    fields=[Column("name"), Column("mobile"), Column("region", accessor=region_path), Column("organization"),
            Column("user"), Column("training_status"), Column("trained_on"), Column("certified"),
            Column("certificate_no"), Column("active")],
    form=InformantForm, filterset=InformantFilterSet,
)

EVENT = ModelSpec(
    DisasterEvent, namespace=NS, prefix="events",
    create=services.event_create, update=services.event_update, object_argument="event",
    flows=[Flow(EVENT_WORKFLOW, act=services.event_act, closed=("closed",))],
    columns=[Column("code", link=True), Column("name"), Column("hazard_type"), Column("region.name", _("发生区划")),
             Column("occurred_at"), Column("status")],
    filterset=EventFilterSet,
)

REPORT = ModelSpec(
    DisasterReport, namespace=NS, prefix="reports",
    create=services.report_create, update=services.report_update, object_argument="report",
    flows=[Flow(REPORT_WORKFLOW, act=services.report_act, closed=("accepted",))],
    columns=[Column("id", _("报告"), link=True, accessor=str, orderable=False), Column("event.name", _("灾害事件")),
             Column("region.name", _("报送区划")), Column("kind"), Column("reported_at"),
             Column("affected_population"), Column("deaths"), Column("missing"), Column("relocated"),
             Column("direct_loss_10k_yuan"), Column("status")],
    filterset=ReportFilterSet,
)

DUTY = ModelSpec(
    ReportDuty, namespace=NS, prefix="duties",
    fields=[Column("event"), Column("region", accessor=region_path), Column("kind"), Column("due_at"),
            Column("fulfilled_at"), Column("report"), Column("overdue_since"), Column("cancelled")],
    filterset=DutyFilterSet,
)

CONSULTATION = ModelSpec(
    Consultation, namespace=NS, prefix="consultations",
    create=services.consultation_create, update=services.consultation_update, object_argument="consultation",
    flows=[Flow(CONSULTATION_WORKFLOW, act=services.consultation_act, closed=("issued",))],
    columns=[Column("code", link=True), Column("topic"), Column("kind"), Column("period"),
             Column("region.name", _("组织区划")), Column("held_at"), Column("period_start"), Column("period_end"),
             Column("status")],
    filterset=ConsultationFilterSet,
)

JUDGEMENT = ModelSpec(
    RiskJudgement, namespace=NS, prefix="judgements",
    create=services.judgement_create, update=services.judgement_update, object_argument="judgement",
    columns=[Column("id", _("研判"), link=True, accessor=str, orderable=False),
             Column("consultation.topic", _("会商")), Column("region.name", _("区划")), Column("hazard_type"),
             Column("level"), Column("description", orderable=False),
             Column("consultation.period_start", _("研判期起")), Column("consultation.period_end", _("研判期止"))],
    fields=[Column("consultation"), Column("region"), Column("hazard_type"), Column("level"), Column("description")],
    filterset=JudgementFilterSet,
)

TASK = ModelSpec(
    ConsultationTask, namespace=NS, prefix="tasks",
    create=services.task_create, update=services.task_update, object_argument="task",
    flows=[Flow(TASK_WORKFLOW, act=services.task_act, closed=("done",))],
    columns=[Column("title", link=True), Column("consultation.topic", _("会商")),
             Column("organization.name", _("承办单位")), Column("due_date"), Column("status"), Column("done_at")],
    fields=[Column("consultation"), Column("title"), Column("description"), Column("organization"),
            Column("due_date"), Column("status"), Column("result"), Column("done_at")],
    filterset=TaskFilterSet, detail_template="disasters/task_detail.html",
)
