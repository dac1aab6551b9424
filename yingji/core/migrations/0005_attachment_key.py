import uuid

from django.db import migrations, models


def give_keys(apps, schema_editor):
    attachment = apps.get_model("core", "Attachment")
    for pk in attachment.objects.filter(key__isnull=True).values_list("pk", flat=True).iterator():
        attachment.objects.filter(pk=pk).update(key=uuid.uuid4())
    history = apps.get_model("core", "HistoricalAttachment")
    keys = dict(attachment.objects.values_list("pk", "key"))
    for history_id, pk in history.objects.filter(key__isnull=True).values_list("history_id", "id").iterator():
        history.objects.filter(history_id=history_id).update(key=keys.get(pk) or uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("core", "0004_live_event")]

    operations = [
        migrations.AddField(model_name="attachment", name="key", field=models.UUIDField(null=True, editable=False,
                                                                                       verbose_name="标识")),
        migrations.AddField(model_name="historicalattachment", name="key",
                            field=models.UUIDField(null=True, editable=False, verbose_name="标识")),
        migrations.RunPython(give_keys, migrations.RunPython.noop),
        migrations.AlterField(model_name="attachment", name="key",
                              field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="标识")),
        migrations.AlterField(model_name="historicalattachment", name="key",
                              field=models.UUIDField(db_index=True, default=uuid.uuid4, editable=False,
                                                     verbose_name="标识")),
    ]
