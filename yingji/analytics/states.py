"""The life of a generated report: 排队中 → 生成中 → 已生成 / 生成失败 (→ 排队中 again on retry).

The worker (actor None, the system) starts, finishes and fails a build; a user who may request reports
(`analytics.add_monthlyreport`) may put a failed one back in the queue.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from yingji.analytics.models import ReportStatus
from yingji.core.workflow import Transition, Workflow, system_rule, user_rule

S = ReportStatus


@system_rule
def _system_only(user, report) -> bool:
    # The build is the worker's business; `transition()` skips `who` for the system (actor None).
    return False


@user_rule
def can_retry(user, report) -> bool:
    return user.has_perm("analytics.add_monthlyreport")


WORKFLOW = Workflow(
    choices=ReportStatus,
    transitions=[
        Transition(S.QUEUED, "start", S.RUNNING, _("开始生成"), who=_system_only),
        Transition(S.RUNNING, "finish", S.DONE, _("生成完成"), who=_system_only),
        Transition(S.RUNNING, "fail", S.FAILED, _("生成失败"), who=_system_only),
        Transition(S.FAILED, "retry", S.QUEUED, _("重新生成"), who=can_retry),
    ],
)
