"""Report time limits: national defaults (《生产安全事故报告和调查处理条例》第九条, 《突发事件应对法》; see docs/standards.md), overridable in settings.INCIDENT_REPORT_LIMITS.

- 首报 (written): 1 h for 较大 and above, 2 h for 一般, counted from the time of the incident (§0: a common local
  practice; the national rule is 1 h from the unit to the county and at most 2 h per level, 第九条/第十一条).
- 续报: at least daily for 一般/较大, twice daily for 重大/特别重大 (国家安监总局令第21号), counted from the last report.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from yingji.standards import accident

DEFAULT_LIMITS = {
    "first_minutes": {accident.ESPECIALLY_MAJOR: 60, accident.MAJOR: 60, accident.LARGER: 60, accident.GENERAL: 120},
    "follow_up_hours": {accident.ESPECIALLY_MAJOR: 12, accident.MAJOR: 12, accident.LARGER: 24, accident.GENERAL: 24},
}


def limits() -> dict[str, dict[str, int]]:
    configured = getattr(settings, "INCIDENT_REPORT_LIMITS", {}) or {}
    return {key: {**value, **configured.get(key, {})} for key, value in DEFAULT_LIMITS.items()}


def first_report_due(occurred_at: datetime, grade: str) -> datetime:
    return occurred_at + timedelta(minutes=limits()["first_minutes"][grade])


def follow_up_due(last_report_at: datetime, grade: str) -> datetime:
    return last_report_at + timedelta(hours=limits()["follow_up_hours"][grade])
