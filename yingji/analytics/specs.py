"""How monthly reports are wired to pages and URLs (see `yingji.core.specs`).

A report is requested on its own page (region and month, `views.report_request`), built by the worker and never
edited; a person's only move is 重新生成 a failed one.
"""

from yingji.analytics import services
from yingji.analytics.models import MonthlyReport
from yingji.analytics.states import WORKFLOW
from yingji.core.specs import Flow, ModelSpec

MONTHLY_REPORT = ModelSpec(MonthlyReport, namespace="analytics", prefix="reports", object_argument="report",
                           flows=[Flow(WORKFLOW, act=services.monthly_report_act, closed=("done",))])
