"""Periodic sweeps: escalation of unacknowledged alarms, and offline detection of points and gateways."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import ExpressionWrapper, F, IntegerField, Max
from django.utils import timezone

from yingji.core.db import lock_due_rows
from yingji.core.tasks import sweeper
from yingji.monitoring import ingest, services
from yingji.monitoring.models import (
    Alarm,
    AlarmKind,
    AlarmStatus,
    Gateway,
    MonitoringPoint,
    OnlineProgress,
    OnlineRate,
    OnlineRecount,
)
from yingji.monitoring.services.online import day_bounds_ms

BATCH = 500


def offline_factor() -> float:
    """A point or gateway is offline after this many reporting periods without a reading."""
    return float(getattr(settings, "MONITORING_OFFLINE_PERIODS", 3))


def escalate_alarms(now: datetime | None = None) -> int:
    """Send unacknowledged alarms whose time has come one step up; workers split the rows (SKIP LOCKED)."""
    now = now or timezone.now()
    with transaction.atomic():
        due = lock_due_rows(Alarm._base_manager.filter(status=AlarmStatus.UNACKNOWLEDGED,
                                                        next_escalation_at__lte=now).order_by("next_escalation_at"))
        return sum(services.alarm_escalate(alarm=alarm, now=now) for alarm in list(due[:BATCH]))


def detect_offline(now_ms: int | None = None) -> int:
    """Raise offline alarms for gateways and points silent for longer than their periods allow."""
    now_ms = ingest.now_ms() if now_ms is None else now_ms
    factor = offline_factor()
    raised = 0
    now = datetime.fromtimestamp(now_ms / 1000, tz=UTC)
    with transaction.atomic():
        open_gateways = set(Alarm._base_manager.filter(kind=AlarmKind.GATEWAY_OFFLINE).exclude(
            status=AlarmStatus.CLOSED).filter(recovered_at__isnull=True).values_list("gateway_id", flat=True))
        for gateway in Gateway._base_manager.filter(is_active=True, last_seen_at__isnull=False):
            silent = (now - gateway.last_seen_at).total_seconds()
            if silent > gateway.report_period_seconds * factor and gateway.pk not in open_gateways:
                services.alarm_raise(kind=AlarmKind.GATEWAY_OFFLINE, level=3, at_ms=now_ms, gateway_id=gateway.pk)
                open_gateways.add(gateway.pk)
                raised += 1
        offline_enterprises = set(Gateway._base_manager.filter(pk__in=open_gateways)
                                  .values_list("enterprise_id", flat=True))
        allowed = ExpressionWrapper(F("report_period_seconds") * int(factor * 1000), output_field=IntegerField())
        silent_points = (
            MonitoringPoint._base_manager.filter(is_active=True, latest__isnull=False)
            .annotate(allowed_ms=allowed)
            .filter(latest__received_at__lt=now_ms - F("allowed_ms"))
            .exclude(enterprise_id__in=offline_enterprises)  # the gateway's alarm already says it
            .exclude(alarms__kind=AlarmKind.POINT_OFFLINE, alarms__recovered_at__isnull=True,
                     alarms__status__in=[s for s in AlarmStatus.values if s != AlarmStatus.CLOSED])
            .values_list("pk", flat=True)[:BATCH]
        )
        for point_id in list(silent_points):
            services.alarm_raise(kind=AlarmKind.POINT_OFFLINE, level=3, at_ms=now_ms, point_id=point_id)
            raised += 1
    return raised


def rollup_online_rates(now: datetime | None = None) -> int:
    """Keep the online-rate roll-up current: today every `MONITORING_ONLINE_ROLLUP_MINUTES` (10), and
    yesterday once more after it is over plus that many minutes for late readings; after that a finished day
    is rolled up again only when late readings arrived for it (at most as often), and only if it was rolled
    up before. Each run costs what arrived since the previous one (services.online_rates_rollup)."""
    now = now or timezone.now()
    now_ms = int(now.timestamp() * 1000)
    every = timedelta(minutes=int(getattr(settings, "MONITORING_ONLINE_ROLLUP_MINUTES", 10)))
    today = timezone.localdate(now)
    written = 0
    done = set()

    def run(day) -> int:
        done.add(day)
        try:
            return services.online_rates_rollup(day=day, now_ms=now_ms)
        except IntegrityError:
            return 0  # another worker wrote the same day at the same moment; its rows stand

    for day in (today - timedelta(days=1), today):
        _start, end = day_bounds_ms(day)
        last = OnlineRate.objects.filter(day=day).aggregate(last=Max("computed_at"))["last"]
        if day < today:
            final_from = datetime.fromtimestamp(end / 1000, tz=UTC) + every
            due = last is None or (last < final_from <= now)
        else:
            due = last is None or now - last >= every
        if due:
            written += run(day)
    late_days = set(OnlineRecount.objects.filter(day__lt=today).values_list("day", flat=True).distinct()) - done
    known = set(OnlineProgress.objects.filter(day__in=late_days).values_list("day", flat=True))
    OnlineRecount.objects.filter(day__in=late_days - known).delete()  # never rolled up: nothing to correct
    for day in sorted(known):
        last = OnlineRate.objects.filter(day=day).aggregate(last=Max("computed_at"))["last"]
        if last is None or now - last >= every:
            written += run(day)
    return written


@sweeper
def sweep_alarm_escalations() -> int:
    return escalate_alarms()


@sweeper
def sweep_offline() -> int:
    return detect_offline()


@sweeper
def sweep_online_rates() -> int:
    return rollup_online_rates()
