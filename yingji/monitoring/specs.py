"""How the monitoring app's models are wired to pages, API, import and URLs (see `yingji.core.specs`).

Pages that are nothing but these declarations are generated; `views.py` registers the app's own classes for the
roles that do more (a source's chemicals, an alarm's events, a gateway's one-time token, a patrol's entries).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core.specs import Flow, ModelSpec
from yingji.core.tables import Column
from yingji.monitoring import services
from yingji.monitoring.filters import (
    AlarmFilterSet,
    GatewayFilterSet,
    MajorHazardSourceFilterSet,
    MonitoringPointFilterSet,
    OnlineRateFilterSet,
    PatrolFilterSet,
)
from yingji.monitoring.forms import MajorHazardSourceForm, MonitoringPointForm
from yingji.monitoring.importing import POINT_IMPORTER
from yingji.monitoring.models import Alarm, Gateway, MajorHazardSource, MonitoringPoint, OnlineRate, Patrol
from yingji.monitoring.states import WORKFLOW as ALARM_WORKFLOW

NS = "monitoring"


def _yes_no(name: str) -> Column:
    return Column(name, accessor=lambda obj: _("是") if getattr(obj, name) else _("否"))


def _grade(source: MajorHazardSource) -> str:
    return source.get_grade_display() if source.is_major else _("不构成")


SOURCE = ModelSpec(
    MajorHazardSource, namespace=NS, prefix="sources",
    create=services.hazard_source_create, update=services.hazard_source_update, object_argument="source",
    columns=[Column("code", link=True), Column("name", link=True), Column("enterprise.name", gettext_lazy("所属企业")),
             Column("region.parent.parent.name", gettext_lazy("县（区）")), Column("unit_kind"), Column("s_value"),
             Column("r_value"), Column("grade", accessor=_grade), Column("exposed_population")],
    form=MajorHazardSourceForm, filterset=MajorHazardSourceFilterSet,
)

POINT = ModelSpec(
    MonitoringPoint, namespace=NS, prefix="points",
    create=services.monitoring_point_create, update=services.monitoring_point_update, object_argument="point",
    importer=POINT_IMPORTER,
    columns=[Column("tag", link=True), Column("name", link=True), Column("source.code", gettext_lazy("危险源编号")),
             Column("source.name", gettext_lazy("重大危险源")), Column("enterprise.name", gettext_lazy("所属企业")),
             Column("kind"), Column("unit"), Column("range_low"), Column("range_high"), Column("low_low"),
             Column("low"), Column("high"), Column("high_high"), Column("deadband", export=True),
             Column("alarm_delay_seconds"), Column("report_period_seconds"), _yes_no("is_active")],
    fields=[Column("tag"), Column("name"), Column("source", gettext_lazy("重大危险源")),
            Column("enterprise.name", gettext_lazy("所属企业")), Column("kind"), Column("unit"), Column("range_low"),
            Column("range_high"), Column("low_low"), Column("low"), Column("high"), Column("high_high"),
            Column("deadband"), Column("alarm_delay_seconds"), Column("report_period_seconds"), Column("rate_limit"),
            _yes_no("is_active")],
    form=MonitoringPointForm, filterset=MonitoringPointFilterSet,
    detail_template="monitoring/monitoringpoint_detail.html",
)

# Alarms are raised and updated by the engine and the sweeps; people only move them through the loop.
ALARM = ModelSpec(
    Alarm, namespace=NS, prefix="alarms", object_argument="alarm",
    flows=[Flow(ALARM_WORKFLOW, act=services.alarm_act, closed=("closed",))],
    columns=[Column("code", link=True), Column("level"), Column("kind"), Column("status"),
             Column("enterprise.name", gettext_lazy("所属企业")), Column("point.tag", gettext_lazy("位号")),
             Column("point.name", gettext_lazy("监测点")), Column("gateway.name", gettext_lazy("网关")),
             Column("started_at"), Column("start_value"), Column("peak_value"), Column("threshold"),
             Column("recovered_at"), Column("closed_at")],
    filterset=AlarmFilterSet,
)

GATEWAY = ModelSpec(
    Gateway, namespace=NS, prefix="gateways",
    create=services.gateway_create, update=services.gateway_update, object_argument="gateway",
    columns=[Column("code", link=True), Column("name", link=True), Column("enterprise.name", gettext_lazy("所属企业")),
             Column("report_period_seconds"), Column("last_seen_at"), _yes_no("is_active")],
    filterset=GatewayFilterSet,
)

# The daily online rates are computed by the sweep (`online_rates_rollup`); a list, nothing else.
ONLINE_RATE = ModelSpec(OnlineRate, namespace=NS, prefix="online/rates", filterset=OnlineRateFilterSet)

# A patrol is recorded on its own page (the monitored enterprises to tick), then its entries are filled in.
PATROL = ModelSpec(
    Patrol, namespace=NS, prefix="patrols",
    columns=[Column("code", link=True), Column("day"), Column("officer", gettext_lazy("巡查人")),
             Column("region.name", gettext_lazy("巡查单位所在区划")),
             Column("entries", gettext_lazy("巡查企业数"), accessor=lambda p: p.entries.count()), Column("summary")],
    filterset=PatrolFilterSet,
)
