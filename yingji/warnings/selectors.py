"""Read queries shared by several pages and feeds."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from yingji.warnings.models import Recipient, RecipientStatus, Warning, WarningStatus


def public_current_warnings(*, include_ended: bool = False) -> QuerySet:
    """Published messages for the public page and feeds.

    Deliberately not restricted to a user: a published warning is public by law (《突发事件应对法》), and only
    published rows (never drafts, never recipients) leave this function.
    """
    queryset = Warning._base_manager.filter(identifier__isnull=False, published_at__isnull=False)
    if include_ended:
        queryset = queryset.exclude(status__in=[WarningStatus.DRAFT, WarningStatus.REVIEW])
    else:
        queryset = queryset.filter(status=WarningStatus.PUBLISHED, expires__gt=timezone.now())
    return queryset.select_related("region").prefetch_related("area_regions").order_by("-published_at", "-pk")


def board_summary(warning: Warning, user) -> dict:
    """叫应率 and average answer time by township, over the recipients the user may see."""
    from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q

    acknowledged = Q(status=RecipientStatus.ACKNOWLEDGED)
    rows = (Recipient.objects.restrict(user, "view").filter(warning=warning)
            .values("township_id", "township__name").order_by("township_id")
            .annotate(total=Count("pk"), acknowledged=Count("pk", filter=acknowledged),
                      superior_called=Count("pk", filter=Q(superior_called_at__isnull=False)),
                      average=Avg(ExpressionWrapper(F("acknowledged_at") - F("created_at"),
                                                    output_field=DurationField()), filter=acknowledged)))
    result = []
    for row in rows:
        average = row["average"]
        result.append({
            "township": row["township__name"], "total": row["total"], "acknowledged": row["acknowledged"],
            "pending": row["total"] - row["acknowledged"],
            "rate": round(100 * row["acknowledged"] / row["total"], 1) if row["total"] else 0.0,
            "average_minutes": round(average.total_seconds() / 60, 1) if average is not None else None,
            "superior_called": row["superior_called"],
        })
    total = sum(r["total"] for r in result)
    answered = sum(r["acknowledged"] for r in result)
    return {"rows": result, "total": total, "acknowledged": answered,
            "rate": round(100 * answered / total, 1) if total else 0.0}


def board_unanswered(warning: Warning, user, limit: int = 200) -> list:
    return list(Recipient.objects.restrict(user, "view").filter(warning=warning, status=RecipientStatus.PENDING)
                .select_related("township", "region").order_by("township_id", "region_id", "pk")[:limit])
