"""In-app notifications: stored rows, one per recipient, written in bulk."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from yingji.core.models import Notification, User


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    subject: models.Model | None = None,
) -> list[Notification]:
    """Store one notification per distinct recipient (inactive users are skipped)."""
    now = timezone.now()
    subject_type = ContentType.objects.get_for_model(subject) if subject is not None else None
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(
            recipient=user, kind=kind, title=title[:200], body=body, url=url[:300],
            subject_type=subject_type, subject_id=str(subject.pk) if subject is not None else "",
            created_at=now,
        ))
    return Notification.objects.bulk_create(rows)


@transaction.atomic
def notification_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark a person's notifications read (all of them when no ids are given)."""
    queryset = Notification.objects.for_user(user).unread()
    if notification_ids is not None:
        queryset = queryset.filter(pk__in=list(notification_ids))
    return queryset.update(read_at=timezone.now())
