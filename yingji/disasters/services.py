"""Every write of the disasters app goes through here."""

from __future__ import annotations

import datetime
import os
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yingji.core.models import Region, User
from yingji.core.notifications import notify, notify_after_commit
from yingji.core.scoping import ensure_in_scope, ensure_perm, is_in_scope
from yingji.core.services import scoped_create, scoped_update
from yingji.core.workflow import InvalidTransition, transition
from yingji.disasters.models import (
    STAT_FIELDS,
    Consultation,
    ConsultationTask,
    DisasterEvent,
    DisasterInformant,
    DisasterReport,
    EventStatus,
    FireDanger,
    ObservationSource,
    ReportDuty,
    ReportKind,
    ReportStatus,
    RiskJudgement,
    WeatherObservation,
    WeatherStation,
)
from yingji.disasters.selectors import township_levels
from yingji.disasters.states import CONSULTATION_WORKFLOW, EVENT_WORKFLOW, REPORT_WORKFLOW, TASK_WORKFLOW
from yingji.standards import fwi as fwi_standard
from yingji.warnings.models import Warning, WarningKind, WarningStatus
from yingji.warnings.services import warning_create


def setting(name: str, default: int) -> int:
    """An integer setting: Django settings first, then the environment, then the shipped default."""
    value = getattr(settings, name, None)
    if value in (None, ""):
        value = os.environ.get(name, default)
    return int(value)


def max_gap_days() -> int:
    """Missing days over which the FWI codes are carried; a longer gap restarts them at 85 / 6 / 15."""
    return setting("DISASTERS_FWI_MAX_GAP_DAYS", 3)


def warning_min_level() -> int:
    """The fire danger level from which a fire-danger warning draft may be started (default 四级)."""
    return setting("DISASTERS_FIRE_WARNING_MIN_LEVEL", 4)


# ---------------------------------------------------------------------------------------------------------------
# Weather stations, observations and the FWI


@transaction.atomic
def station_create(*, actor: User | None, **fields: Any) -> WeatherStation:
    fields["code"] = str(fields.get("code", "")).strip().upper()
    return scoped_create(WeatherStation, actor=actor, reason=_("登记气象站"), **fields)


@transaction.atomic
def station_update(*, station: WeatherStation, actor: User | None, **fields: Any) -> WeatherStation:
    fields.pop("code", None)  # the 站号 is how automatic stations name themselves
    updated = scoped_update(station, actor=actor, reason=_("修改气象站"), **fields)
    if "latitude" in fields or "region" in fields:
        WeatherObservation._base_manager.filter(station=updated).exclude(region=updated.region).update(
            region=updated.region)
        first = updated.observations.order_by("date").values_list("date", flat=True).first()
        if first is not None:
            fire_danger_recompute(station=updated, from_date=first)
    return updated


@transaction.atomic
def observation_record(
    *,
    actor: User | None,
    station: WeatherStation,
    date: datetime.date,
    temperature: float,
    humidity: float,
    wind_speed: float,
    precipitation: float,
    source: str = ObservationSource.MANUAL,
    recompute: bool = True,
) -> WeatherObservation:
    """Record (or correct) a station's noon observation of one day and recompute the FWI from that day on.

    A second observation for the same station and day replaces the first: a late or corrected value changes
    that day's codes and every later day carried from them.
    """
    if actor is not None and not WeatherStation.objects.restrict(actor, "view").filter(pk=station.pk).exists():
        raise PermissionDenied(_("该气象站不在您的管辖范围内。"))
    if date > timezone.localdate():
        raise ValidationError({"date": _("观测日期不能晚于今天")})
    values = {"temperature": temperature, "humidity": humidity, "wind_speed": wind_speed,
              "precipitation": precipitation, "source": source}
    existing = WeatherObservation._base_manager.filter(station=station, date=date).first()
    if existing is None:
        observation = scoped_create(WeatherObservation, actor=actor, reason=_("录入气象观测"), station=station,
                                    region=station.region, date=date, **values)
    else:
        observation = scoped_update(existing, actor=actor, reason=_("更正气象观测"), **values)
    if recompute:
        fire_danger_recompute(station=station, from_date=date)
    return observation


@transaction.atomic
def observation_update(*, observation: WeatherObservation, actor: User | None, **fields: Any) -> WeatherObservation:
    """Correct an observation's values (its station and day stay); the FWI is recomputed from its day."""
    for frozen in ("station", "date", "region"):
        fields.pop(frozen, None)
    updated = scoped_update(observation, actor=actor, reason=_("更正气象观测"), **fields)
    fire_danger_recompute(station=updated.station, from_date=updated.date)
    return updated


def observation_create(*, actor: User | None, **fields: Any) -> WeatherObservation:
    """The page's and API's create: the same as `observation_record`."""
    return observation_record(actor=actor, **fields)


@transaction.atomic
def fire_danger_recompute(*, station: WeatherStation, from_date: datetime.date) -> int:
    """Compute the FWI codes and danger level of a station from `from_date` to its last observation.

    Each day is carried from the previous computed day (standards.md §6.1). A day without an observation gets
    no result; the next observed day carries the codes over up to `max_gap_days()` missing days, and after a
    longer gap (or for the station's first observation) starts again from 85 / 6 / 15. Returns the days written.
    The station row is locked so two corrections of one station are applied one after the other.
    """
    station = WeatherStation._base_manager.select_for_update().get(pk=station.pk)
    previous = FireDanger.objects.filter(station=station, date__lt=from_date).order_by("-date").first()
    observations = list(WeatherObservation._base_manager.filter(station=station, date__gte=from_date)
                        .order_by("date"))
    existing = {d.date: d for d in FireDanger.objects.filter(station=station, date__gte=from_date)}
    gap_limit = max_gap_days()
    written = 0
    for observation in observations:
        if previous is None or (observation.date - previous.date).days - 1 > gap_limit:
            codes = (fwi_standard.START_FFMC, fwi_standard.START_DMC, fwi_standard.START_DC)
            gap, restarted = 0, True
        else:
            codes = (previous.ffmc, previous.dmc, previous.dc)
            gap, restarted = (observation.date - previous.date).days - 1, False
        day = fwi_standard.daily(
            ffmc_yda=codes[0], dmc_yda=codes[1], dc_yda=codes[2], temp=observation.temperature,
            rh=observation.humidity, ws=observation.wind_speed, prec=observation.precipitation,
            lat=station.latitude, mon=observation.date.month,
        )
        values = {"region": station.region, "ffmc": day.ffmc, "dmc": day.dmc, "dc": day.dc, "isi": day.isi,
                  "bui": day.bui, "fwi": day.fwi, "level": fwi_standard.danger_level(day.fwi), "gap_days": gap,
                  "restarted": restarted}
        row = existing.pop(observation.date, None)
        if row is None:
            row = FireDanger(station=station, date=observation.date, **values)
        else:
            for name, value in values.items():
                setattr(row, name, value)
        row.save()
        previous = row
        written += 1
    # Results of days whose observation no longer exists would be stale.
    if existing:
        FireDanger.objects.filter(pk__in=[d.pk for d in existing.values()]).delete()
    return written


WARNING_LEVEL_OF_DANGER = {5: "red", 4: "orange", 3: "yellow", 2: "blue", 1: "blue"}


@transaction.atomic
def fire_warning_draft(*, actor: User, region: Region, date: datetime.date | None = None):
    """Start a 森林火险 warning draft in the warnings app for the townships of `region` at a high level.

    Uses the warnings app's own create service (the draft then follows its approval loop). Refused when no
    township reaches `warning_min_level()`; a draft for the same region and day is not made twice.
    """
    ensure_perm(actor, Warning, "add")
    ensure_in_scope(actor, region)
    date = date or timezone.localdate()
    threshold = warning_min_level()
    rows = [r for r in township_levels(actor, region, date) if r["level"] and r["level"] >= threshold]
    if not rows:
        raise ValidationError(_("%(region)s %(date)s 没有达到%(level)s及以上火险等级的乡镇，无需发布森林火险预警")
                              % {"region": region.name, "date": date, "level": fwi_standard.DANGER_NAMES[threshold]})
    top = max(r["level"] for r in rows)
    headline = _("%(region)s发布森林火险%(colour)s预警") % {
        "region": region.name, "colour": {"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"}[
            WARNING_LEVEL_OF_DANGER[top]]}
    existing = Warning.objects.restrict(actor, "view").filter(
        region=region, kind=WarningKind.FOREST_FIRE, status=WarningStatus.DRAFT, headline=headline,
        onset__date__gte=date).first()
    if existing is not None:
        return existing
    names = "、".join(f"{r['name']}（{fwi_standard.DANGER_NAMES[r['level']]}，FWI {r['fwi']:.1f}）" for r in rows)
    onset = timezone.now()
    regions = list(Region.objects.filter(code__in=[r["code"] for r in rows]))
    return warning_create(
        actor=actor, region=region, kind=WarningKind.FOREST_FIRE, event_type="11B25",
        level=WARNING_LEVEL_OF_DANGER[top], headline=headline,
        description=_("据森林火险气象监测，%(date)s 以下乡镇（街道）森林火险等级达到%(level)s及以上：%(names)s。")
        % {"date": date, "level": fwi_standard.DANGER_NAMES[threshold], "names": names},
        instructions=_("严禁野外用火；加强巡山护林和火源管控；扑火队伍进入待命状态；发现火情立即报告。"),
        onset=onset, expires=onset + datetime.timedelta(hours=24), source=_("森林火险天气指数（FWI）"),
        area_regions=regions,
    )


# ---------------------------------------------------------------------------------------------------------------
# Disaster informants and events


@transaction.atomic
def informant_create(*, actor: User | None, **fields: Any) -> DisasterInformant:
    return scoped_create(DisasterInformant, actor=actor, reason=_("登记灾害信息员"), **fields)


@transaction.atomic
def informant_update(*, informant: DisasterInformant, actor: User | None, **fields: Any) -> DisasterInformant:
    return scoped_update(informant, actor=actor, reason=_("修改灾害信息员"), **fields)


def _next_code(prefix: str, model, region: Region, year: int) -> str:
    # Locking the region row serialises concurrent numbering in one region.
    Region.objects.select_for_update().filter(pk=region.pk).first()
    stem = f"{prefix}{region.code[:6]}{year}"
    last = (model._base_manager.filter(code__startswith=stem).order_by("-code").values_list("code", flat=True)
            .first())
    number = int(last[len(stem):]) + 1 if last else 1
    return f"{stem}{number:04d}"


def _check_affected(event_region: Region, regions: list[Region]) -> None:
    wrong = [r.name for r in regions if r.level not in ("township", "village") or not r.code.startswith(
        event_region.prefix)]
    if wrong:
        raise ValidationError({"affected_regions": _("受灾区划应为发生区划内的乡镇或村：%(names)s")
                               % {"names": "、".join(wrong)}})


def _add_duties(event: DisasterEvent, regions: list[Region], kind: str, due_at: datetime.datetime) -> int:
    have = set(ReportDuty.objects.filter(event=event, kind=kind, fulfilled_at__isnull=True, cancelled=False)
               .values_list("region_id", flat=True))
    if kind == ReportKind.INITIAL:
        have |= set(ReportDuty.objects.filter(event=event, kind=kind).values_list("region_id", flat=True))
    rows = [ReportDuty(event=event, region=r, kind=kind, due_at=due_at) for r in regions if r.pk not in have]
    ReportDuty.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def event_create(*, actor: User | None, affected_regions: list[Region] | None = None, **fields: Any) -> DisasterEvent:
    """Register a disaster; every affected township and village then owes its 初报 within `initial_hours`."""
    region = fields.get("region")
    occurred = fields.get("occurred_at") or timezone.now()
    fields["occurred_at"] = occurred
    if region is None:
        raise ValidationError({"region": _("请选择发生区划")})
    regions = list(affected_regions or [])
    _check_affected(region, regions)
    code = _next_code("ZH", DisasterEvent, region, timezone.localtime(occurred).year)
    event = scoped_create(DisasterEvent, actor=actor, reason=_("登记灾害事件"), code=code, created_by=actor,
                          **fields)
    event.affected_regions.set(regions)
    _add_duties(event, regions, ReportKind.INITIAL, occurred + datetime.timedelta(hours=event.initial_hours))
    return event


@transaction.atomic
def event_update(*, event: DisasterEvent, actor: User | None, affected_regions: list[Region] | None = None,
                 **fields: Any) -> DisasterEvent:
    """Change an event's details; newly affected regions owe their 初报 from now."""
    for frozen in ("code", "created_by"):
        fields.pop(frozen, None)
    if actor is not None and actor.scope_region_id and not event.region_id.startswith(
            Region(code=actor.scope_region_id).prefix):
        raise PermissionDenied(_("上级登记的灾害事件只能由登记单位修改。"))
    updated = scoped_update(event, actor=actor, reason=_("修改灾害事件"), **fields)
    if affected_regions is not None:
        regions = list(affected_regions)
        _check_affected(updated.region, regions)
        updated.affected_regions.set(regions)
        if updated.status == EventStatus.REPORTING:
            _add_duties(updated, regions, ReportKind.INITIAL,
                        max(timezone.now(), updated.occurred_at) + datetime.timedelta(hours=updated.initial_hours))
    return updated


def _cancel_open(event: DisasterEvent, kinds: list[str]) -> None:
    ReportDuty.objects.filter(event=event, kind__in=kinds, fulfilled_at__isnull=True, cancelled=False).update(
        cancelled=True)


@transaction.atomic
def event_act(*, event: DisasterEvent, actor: User | None, action: str, reason: str = "") -> DisasterEvent:
    """转入核报 (every affected region owes a 核报 within `verification_days`), 结束, 恢复续报."""
    now = timezone.now()
    changes = {"verification_started_at": now} if action == "verify" else None
    moved = transition(event, workflow=EVENT_WORKFLOW, action=action, actor=actor, reason=reason, changes=changes)
    regions = list(moved.affected_regions.all())
    if action == "verify":
        _cancel_open(moved, [ReportKind.FOLLOWUP])
        _add_duties(moved, regions, ReportKind.VERIFICATION, now + datetime.timedelta(days=moved.verification_days))
    elif action == "close":
        _cancel_open(moved, [ReportKind.INITIAL, ReportKind.FOLLOWUP, ReportKind.VERIFICATION])
    elif action == "reopen":
        _cancel_open(moved, [ReportKind.VERIFICATION])
        reported = set(DisasterReport.objects.filter(event=moved, status__in=VALID_STATUSES)
                       .values_list("region_id", flat=True))
        _add_duties(moved, [r for r in regions if r.pk in reported], ReportKind.FOLLOWUP,
                    now + datetime.timedelta(hours=moved.followup_hours))
    return moved


# ---------------------------------------------------------------------------------------------------------------
# Disaster reports

VALID_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
REPORT_EDITABLE = {"informant", "note", *STAT_FIELDS}


def _check_kind(event: DisasterEvent, region: Region, kind: str) -> None:
    reports = DisasterReport._base_manager.filter(event=event, region=region)
    if kind == ReportKind.INITIAL and reports.filter(kind=ReportKind.INITIAL).exists():
        raise ValidationError({"kind": _("%(region)s已有初报，请报送续报") % {"region": region.name}})
    if kind == ReportKind.FOLLOWUP and not reports.filter(kind=ReportKind.INITIAL, status__in=VALID_STATUSES).exists():
        raise ValidationError({"kind": _("请先报送初报，再报送续报")})
    if kind == ReportKind.VERIFICATION and event.status != EventStatus.VERIFYING:
        raise ValidationError({"kind": _("灾害事件进入核报阶段后方可报送核报")})
    if kind in (ReportKind.INITIAL, ReportKind.FOLLOWUP) and event.status != EventStatus.REPORTING:
        raise ValidationError({"kind": _("灾害事件已进入核报阶段，请报送核报")})


@transaction.atomic
def report_create(*, actor: User | None, event: DisasterEvent, region: Region, kind: str, submit: bool = False,
                  **fields: Any) -> DisasterReport:
    """Fill in a village's or township's report (a draft; `submit=True` also sends it in)."""
    unknown = set(fields) - REPORT_EDITABLE
    if unknown:
        raise ValidationError(_("未知字段：%(names)s") % {"names": "、".join(sorted(unknown))})
    if actor is not None and not DisasterEvent.objects.restrict(actor, "view").filter(pk=event.pk).exists():
        raise PermissionDenied(_("该灾害事件不在您的管辖范围内。"))
    event = DisasterEvent._base_manager.get(pk=event.pk)
    if not region.code.startswith(event.region.prefix):
        raise ValidationError({"region": _("报送区划不在灾害发生区划之内")})
    if event.status == EventStatus.CLOSED:
        raise ValidationError(_("灾害事件已结束，不能再报送"))
    _check_kind(event, region, kind)
    if fields.get("informant") is None and actor is not None:
        fields["informant"] = DisasterInformant.objects.filter(user=actor, active=True).first()
    report = scoped_create(DisasterReport, actor=actor, reason=_("填报灾情"), event=event, region=region, kind=kind,
                           created_by=actor, **fields)
    if region.level in ("township", "village") and not event.affected_regions.filter(pk=region.pk).exists():
        # A village not listed at first has reported damage: from now on it is expected to report like the others.
        event.affected_regions.add(region)
    if submit:
        report = report_act(report=report, actor=actor, action="submit")
    return report


@transaction.atomic
def report_update(*, report: DisasterReport, actor: User | None, submit: bool = False,
                  **fields: Any) -> DisasterReport:
    """Correct a draft or a returned report (`submit=True` sends a returned one in again); a submitted report is
    reviewed, not edited."""
    for frozen in ("event", "region", "kind", "created_by"):
        fields.pop(frozen, None)
    unknown = set(fields) - REPORT_EDITABLE
    if unknown:
        raise ValidationError(_("以下字段不能直接修改：%(names)s") % {"names": "、".join(sorted(unknown))})
    if DisasterReport._base_manager.get(pk=report.pk).status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise ValidationError(_("报告已报送，不能修改；如需更正请联系审核人退回"))
    updated = scoped_update(report, actor=actor, reason=_("修改灾情报告"), **fields)
    if submit and updated.status == ReportStatus.RETURNED:
        updated = report_act(report=updated, actor=actor, action="resubmit")
    return updated


def reviewers(region: Region) -> list[User]:
    """Who reviews a report of a village or township: the county's users who may review reports."""
    county = region.code[:6] + "000000"
    return list(User.objects.filter(
        scope_region_id__in=[county, region.code[:9] + "000"], is_active=True,
        groups__permissions__codename="review_disasterreport",
    ).distinct())


def _fulfil(report: DisasterReport) -> None:
    now = report.reported_at or timezone.now()
    event = report.event
    duties = ReportDuty.objects.select_for_update().filter(event=event, region=report.region, kind=report.kind,
                                                            fulfilled_at__isnull=True, cancelled=False)
    duties.update(fulfilled_at=now, report=report)
    if report.kind in (ReportKind.INITIAL, ReportKind.FOLLOWUP) and event.status == EventStatus.REPORTING:
        # The next 续报 is due one interval after this report (自然灾害情况统计调查制度: 续报 while it develops).
        ReportDuty.objects.filter(event=event, region=report.region, kind=ReportKind.FOLLOWUP,
                                  fulfilled_at__isnull=True, cancelled=False).update(fulfilled_at=now, report=report)
        ReportDuty.objects.create(event=event, region=report.region, kind=ReportKind.FOLLOWUP,
                                  due_at=now + datetime.timedelta(hours=event.followup_hours))


@transaction.atomic
def report_act(*, report: DisasterReport, actor: User | None, action: str, reason: str = "") -> DisasterReport:
    """报送 / 重新报送 (fulfils the region's duty), 审核通过, 退回 (reason required)."""
    if action not in {t.action for t in REPORT_WORKFLOW.transitions}:
        raise InvalidTransition(_("未知的操作：%(action)s") % {"action": action})
    changes = {"reported_at": timezone.now()} if action in ("submit", "resubmit") else None
    if action in ("submit", "resubmit"):
        locked = DisasterReport._base_manager.get(pk=report.pk)
        locked.full_clean()
    moved = transition(report, workflow=REPORT_WORKFLOW, action=action, actor=actor, reason=reason,
                       changes=changes)
    url = reverse("disasters:disasterreport_detail", args=[moved.pk])
    if action in ("submit", "resubmit"):
        notify_after_commit(recipients=reviewers(moved.region), kind=_("灾情报送"), url=url, subject=moved,
                            title=_("%(report)s 待审核") % {"report": moved})
    elif action == "return" and moved.created_by_id:
        notify_after_commit(recipients=[moved.created_by], kind=_("灾情报送"), url=url, subject=moved, body=reason,
                            title=_("%(report)s 被退回，请修改后重新报送") % {"report": moved})
    if action == "submit":
        _fulfil(moved)
    return moved


@transaction.atomic
def duty_flag_overdue(*, duty: ReportDuty) -> bool:
    """Mark a report not in by its deadline as overdue, once, and tell the region's informants and reviewers."""
    locked = ReportDuty.objects.select_for_update().select_related("event", "region").get(pk=duty.pk)
    now = timezone.now()
    if not locked.open or locked.overdue_since or locked.due_at >= now:
        return False
    locked.overdue_since = now
    locked.save(update_fields=["overdue_since"])
    informants = [i.user for i in DisasterInformant.objects.filter(
        region=locked.region, active=True, user__isnull=False).select_related("user")]
    notify(recipients=informants + reviewers(locked.region), kind=_("灾情报送"),
           title=_("%(region)s %(event)s %(kind)s已逾期") % {"region": locked.region.name, "event": locked.event.name,
                                                           "kind": locked.get_kind_display()},
           body=_("报送时限：%(due)s") % {"due": timezone.localtime(locked.due_at).strftime("%Y-%m-%d %H:%M")},
           url=reverse("disasters:disasterevent_detail", args=[locked.event_id]), subject=locked.event)
    return True


# ---------------------------------------------------------------------------------------------------------------
# Consultations


@transaction.atomic
def consultation_create(*, actor: User | None, departments: list | None = None, **fields: Any) -> Consultation:
    region = fields.get("region")
    if region is None:
        raise ValidationError({"region": _("请选择组织区划")})
    held = fields.get("held_at") or timezone.now()
    code = _next_code("HS", Consultation, region, timezone.localtime(held).year)
    consultation = scoped_create(Consultation, actor=actor, reason=_("登记会商"), code=code, created_by=actor,
                                 **fields)
    consultation.departments.set(departments or [])
    return consultation


@transaction.atomic
def consultation_update(*, consultation: Consultation, actor: User | None, departments: list | None = None,
                        **fields: Any) -> Consultation:
    for frozen in ("code", "created_by"):
        fields.pop(frozen, None)
    updated = scoped_update(consultation, actor=actor, reason=_("修改会商"), **fields)
    if departments is not None:
        updated.departments.set(departments)
    return updated


@transaction.atomic
def consultation_act(*, consultation: Consultation, actor: User | None, action: str, reason: str = "") -> Consultation:
    if action not in {t.action for t in CONSULTATION_WORKFLOW.transitions}:
        raise InvalidTransition(_("未知的操作：%(action)s") % {"action": action})
    return transition(consultation, workflow=CONSULTATION_WORKFLOW, action=action, actor=actor, reason=reason)


def _check_consultation(actor: User | None, consultation: Consultation) -> None:
    if actor is not None and not is_in_scope(actor, consultation):
        raise PermissionDenied(_("该会商不在您的管辖范围内。"))


@transaction.atomic
def judgement_create(*, actor: User | None, consultation: Consultation, **fields: Any) -> RiskJudgement:
    _check_consultation(actor, consultation)
    return scoped_create(RiskJudgement, actor=actor, reason=_("登记风险研判"), consultation=consultation, **fields)


@transaction.atomic
def judgement_update(*, judgement: RiskJudgement, actor: User | None, **fields: Any) -> RiskJudgement:
    fields.pop("consultation", None)
    return scoped_update(judgement, actor=actor, reason=_("修改风险研判"), **fields)


@transaction.atomic
def task_create(*, actor: User | None, consultation: Consultation, organization, **fields: Any) -> ConsultationTask:
    """Assign a task to an organisation; its people are told after commit."""
    _check_consultation(actor, consultation)
    task = scoped_create(ConsultationTask, actor=actor, reason=_("交办会商任务"), consultation=consultation,
                         organization=organization, region=organization.region, **fields)
    notify_after_commit(
        recipients=User.objects.filter(organization=organization, is_active=True), kind=_("会商任务"),
        title=_("会商任务：%(title)s（%(due)s 前办结）") % {"title": task.title, "due": task.due_date},
        url=reverse("disasters:consultationtask_detail", args=[task.pk]), subject=task)
    return task


@transaction.atomic
def task_update(*, task: ConsultationTask, actor: User | None, **fields: Any) -> ConsultationTask:
    for frozen in ("consultation", "region", "done_at"):
        fields.pop(frozen, None)
    if "organization" in fields:
        fields["region"] = fields["organization"].region
    return scoped_update(task, actor=actor, reason=_("修改会商任务"), **fields)


@transaction.atomic
def task_act(*, task: ConsultationTask, actor: User | None, action: str, reason: str = "",
             result: str = "") -> ConsultationTask:
    """签收办理, 报告办结 (with the result), 确认办结, 退回重办 (reason required)."""
    if action not in {t.action for t in TASK_WORKFLOW.transitions}:
        raise InvalidTransition(_("未知的操作：%(action)s") % {"action": action})
    changes: dict[str, Any] = {}
    if action == "submit" and not (result.strip() or ConsultationTask._base_manager.get(pk=task.pk).result.strip()):
        raise InvalidTransition(_("请填写办理结果"))
    if action == "submit" and result.strip():
        # The result is part of the task before the move, so the "result required" rule sees it.
        task = scoped_update(task, actor=actor, reason=_("填写办理结果"), result=result.strip())
    if action == "confirm":
        changes["done_at"] = timezone.now()
    return transition(task, workflow=TASK_WORKFLOW, action=action, actor=actor, reason=reason, changes=changes)

