"""Answer-link tokens leave every stored text: messages (and their history) keep the link with its key hidden,
in-app notifications likewise, and the recipients' history no longer copies the token."""

from django.db import migrations
from django.db.models import Q

from yingji.warnings.links import PATH, redact

BATCH = 2000


def _redact_rows(model, fields: tuple[str, ...]) -> None:
    """Rewrite, a batch at a time by primary key, every row whose text fields carry an answer link."""
    condition = None
    for field in fields:
        clause = Q(**{f"{field}__contains": PATH})
        condition = clause if condition is None else condition | clause
    rows = model._base_manager.filter(condition).order_by("pk")
    last = None
    while True:
        batch = list((rows if last is None else rows.filter(pk__gt=last)).only("pk", *fields)[:BATCH])
        if not batch:
            return
        changed = []
        for row in batch:
            values = {field: redact(getattr(row, field)) for field in fields}
            if any(values[field] != getattr(row, field) for field in fields):
                for field, value in values.items():
                    setattr(row, field, value)
                changed.append(row)
        model._base_manager.bulk_update(changed, fields)
        last = batch[-1].pk


def hide_link_tokens(apps, schema_editor):
    _redact_rows(apps.get_model("warnings", "Delivery"), ("text",))
    _redact_rows(apps.get_model("warnings", "HistoricalDelivery"), ("text",))
    _redact_rows(apps.get_model("core", "Notification"), ("title", "body"))


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_state_change_notification"),
        ("warnings", "0003_reply_codes_and_lean_recipient_writes"),
    ]

    operations = [
        migrations.RemoveField(model_name="historicalrecipient", name="token"),
        migrations.RunPython(hide_link_tokens, migrations.RunPython.noop),
    ]
