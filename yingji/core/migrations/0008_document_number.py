import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0007_onboarding_bureau_region_retirement"),
    ]

    operations = [
        migrations.CreateModel(
            name="DocumentNumber",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(max_length=40, verbose_name="文种")),
                ("year", models.PositiveSmallIntegerField(verbose_name="年份")),
                ("serial", models.PositiveIntegerField(verbose_name="序号")),
                ("text", models.CharField(max_length=60, verbose_name="发文字号")),
                ("owner_id", models.CharField(blank=True, max_length=40)),
                ("issued_at", models.DateTimeField(auto_now_add=True, verbose_name="编号时间")),
                ("organization", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                                   to="core.organization", verbose_name="发文机关")),
                ("owner_type", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE,
                                                 related_name="+", to="contenttypes.contenttype")),
            ],
            options={
                "verbose_name": "发文字号",
                "verbose_name_plural": "发文字号",
                "constraints": [
                    models.UniqueConstraint(fields=("organization", "kind", "year", "serial"),
                                            name="document_number_unique"),
                    models.UniqueConstraint(condition=models.Q(("owner_id", ""), _negated=True),
                                            fields=("kind", "owner_type", "owner_id"),
                                            name="document_number_one_per_record"),
                ],
            },
        ),
    ]
