"""Demo analytics: the cockpit's roll-up computed from the demo records, and last month's reports of the city and
of every county generated, so the cockpit and the report list show real figures at once.

A report is looked up by region and month first, so a second run creates nothing.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from yingji.analytics import rollups, services
from yingji.analytics.models import MonthlyReport
from yingji.analytics.report import previous_month
from yingji.core.models import Region


def seed(context: dict[str, Any]) -> None:
    log = context.get("log", print)
    written = rollups.refresh_tallies()
    month = previous_month(timezone.localdate().replace(day=1))
    created = 0
    for region in Region._base_manager.filter(level__in=("city", "county")).order_by("code"):
        if MonthlyReport._base_manager.filter(region=region, month=month, automatic=True).exists():
            continue
        report = services.monthly_report_request(actor=None, region=region, month=month, automatic=True)
        services.monthly_report_build(report_id=report.pk)
        created += 1
    log(f"分析研判：汇总指标 {written} 条，生成 {month:%Y年%m月} 月度风险分析报告 {created} 份")
