import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import yingji.core.models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0008_document_number"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="BackgroundJob",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("export", "导出"), ("import", "导入")], editable=False,
                                          max_length=10, verbose_name="类型")),
                ("model_label", models.CharField(editable=False, max_length=100, verbose_name="数据")),
                ("title", models.CharField(editable=False, max_length=100, verbose_name="名称")),
                ("query", models.TextField(blank=True, editable=False, verbose_name="筛选条件")),
                ("status", models.CharField(choices=[("queued", "排队中"), ("running", "处理中"), ("done", "已完成"),
                                                     ("failed", "失败")],
                                            default="queued", editable=False, max_length=10, verbose_name="状态")),
                ("progress", models.PositiveSmallIntegerField(default=0, editable=False, verbose_name="进度（%）")),
                ("step", models.CharField(blank=True, editable=False, max_length=100, verbose_name="当前步骤")),
                ("source", models.FileField(blank=True, editable=False, max_length=200,
                                            upload_to=yingji.core.models.job_path, verbose_name="导入文件")),
                ("result", models.FileField(blank=True, editable=False, max_length=200,
                                            upload_to=yingji.core.models.job_path, verbose_name="结果文件")),
                ("report", models.JSONField(blank=True, default=dict, editable=False, verbose_name="导入结果")),
                ("error", models.TextField(blank=True, editable=False, verbose_name="错误信息")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="申请时间")),
                ("finished_at", models.DateTimeField(blank=True, editable=False, null=True, verbose_name="完成时间")),
                ("region", models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT,
                                             related_name="+", to="core.region", verbose_name="所属区划")),
                ("owner", models.ForeignKey(editable=False, on_delete=django.db.models.deletion.CASCADE,
                                            related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="申请人")),
            ],
            options={
                "verbose_name": "后台任务",
                "verbose_name_plural": "后台任务",
                "ordering": ["-created_at", "-pk"],
                "indexes": [models.Index(fields=["status", "created_at"], name="core_backgr_status_e66a68_idx")],
            },
        ),
    ]
