"""The revision sweep: a filed plan whose revision falls due (every `revision_years`, default 3) is flagged once
and its maintainers told, PLAN_REVISION_NOTICE_DAYS (default 30) days ahead."""

import datetime

from django.db import transaction
from django.utils import timezone

from yingji.core.db import lock_due_rows
from yingji.core.tasks import sweeper
from yingji.plans.models import Plan, PlanStatus
from yingji.plans.services import plan_remind_revision, revision_notice_days

BATCH = 200


def plans_due_for_revision():
    horizon = timezone.localdate() + datetime.timedelta(days=revision_notice_days())
    return Plan._base_manager.filter(status=PlanStatus.FILED, next_revision_due__lte=horizon,
                                     revision_reminded_on__isnull=True).order_by("next_revision_due", "pk")


@sweeper
def remind_plan_revisions() -> int:
    """Remind up to BATCH plans; several workers split the rows (SKIP LOCKED) instead of repeating them."""
    with transaction.atomic():
        due = list(lock_due_rows(plans_due_for_revision())[:BATCH])
        return sum(1 for plan in due if plan_remind_revision(plan=plan))
