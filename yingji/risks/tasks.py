"""Risk point deadlines for the periodic sweep: an overdue review reminds the enterprise once per review date."""

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from yingji.core.db import lock_due_rows
from yingji.core.tasks import sweeper
from yingji.risks.models import RiskPoint, RiskPointStatus
from yingji.risks.services import risk_point_remind_review

BATCH = 500


@sweeper
def remind_overdue_reviews() -> int:
    with transaction.atomic():
        due = list(lock_due_rows(
            RiskPoint._base_manager.filter(status=RiskPointStatus.ACTIVE, next_review__lt=timezone.localdate())
            .filter(Q(review_reminded_for__isnull=True) | ~Q(review_reminded_for=F("next_review")))
            .select_related("enterprise")
            .order_by("next_review", "pk")
        )[:BATCH])
        for risk_point in due:
            risk_point_remind_review(risk_point=risk_point)
        return len(due)
