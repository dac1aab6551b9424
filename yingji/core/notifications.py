"""In-app notifications: stored rows, one per recipient, written in bulk.

`notify()` writes them in the caller's transaction; `notify_after_commit()` leaves them to the outbox, for a
service whose notification is a side effect of its change (`yingji.core.outbox`, handler `core.notify`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from yingji.core import outbox
from yingji.core.models import Notification, OutboxMessage, User


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    subject: models.Model | None = None,
) -> list[Notification]:
    """Store one notification per distinct recipient (inactive users are skipped), in the current transaction."""
    subject_type = ContentType.objects.get_for_model(subject) if subject is not None else None
    return _store(recipients, kind=kind, title=title, body=body, url=url, subject_type=subject_type,
                  subject_id=str(subject.pk) if subject is not None else "")


def _store(recipients: Iterable[User], *, kind: str, title: str, body: str, url: str,
           subject_type: ContentType | None, subject_id: str, outbox_message: int | None = None) -> list[Notification]:
    now = timezone.now()
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(
            recipient=user, kind=kind, title=title[:200], body=body, url=url[:300],
            subject_type=subject_type, subject_id=subject_id, created_at=now, outbox_message=outbox_message,
        ))
    # A message run twice meets its own rows under the unique (outbox_message, recipient) constraint.
    return Notification.objects.bulk_create(rows, ignore_conflicts=outbox_message is not None)


def notify_after_commit(
    *,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    subject: models.Model | None = None,
) -> OutboxMessage | None:
    """Notify these people once the current transaction commits, through the outbox (`core.notify`).

    The recipients, texts and link are decided now, inside the change's transaction; the rows are stored by the
    outbox handler, exactly once, and not at all if the transaction rolls back.
    """
    people = sorted({user.pk for user in recipients if user is not None and user.is_active})
    if not people:
        return None
    return outbox.emit("core.notify", {
        "recipients": people, "kind": str(kind), "title": str(title)[:200], "body": str(body), "url": str(url)[:300],
        "subject_type": ContentType.objects.get_for_model(subject).pk if subject is not None else None,
        "subject_id": str(subject.pk) if subject is not None else "",
    })


def deliver(message: OutboxMessage) -> list[Notification]:
    """The `core.notify` handler: store the notifications a message names, once per person."""
    payload = message.payload
    subject_type = (ContentType.objects.get_for_id(payload["subject_type"])
                    if payload.get("subject_type") else None)
    return _store(User.objects.filter(pk__in=payload["recipients"], is_active=True).order_by("pk"),
                  kind=payload["kind"], title=payload["title"], body=payload.get("body", ""),
                  url=payload.get("url", ""), subject_type=subject_type, subject_id=payload.get("subject_id", ""),
                  outbox_message=message.pk)


@transaction.atomic
def notification_mark_read(*, user: User, notification_ids: Iterable[int] | None = None) -> int:
    """Mark a person's notifications read (all of them when no ids are given)."""
    queryset = Notification.objects.for_user(user).unread()
    if notification_ids is not None:
        queryset = queryset.filter(pk__in=list(notification_ids))
    return queryset.update(read_at=timezone.now())
