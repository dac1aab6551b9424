"""The shared body of the Excel import commands: a template with --template, else the rows, reported one by one."""

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError

from yingji.core.excel import ImportFileError
from yingji.core.importing import Importer
from yingji.core.models import User


class ExcelImportCommand(BaseCommand):
    importer: Importer

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--template", action="store_true", help="把导入模板写到 FILE，不导入")
        parser.add_argument("--user", help="以该用户的身份和管辖范围导入（默认：系统，不限范围）")

    def handle(self, *args, file: Path, template: bool, user: str | None, **options):
        if template:
            self.importer.template().save(file)
            self.stdout.write(f"模板已写入 {file}")
            return
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"用户 {user} 不存在或已停用")
        try:
            upload = SimpleUploadedFile(file.name, file.read_bytes())
            report = self.importer.run(upload, actor=actor)
        except (ImportFileError, OSError) as exc:
            raise CommandError(f"{exc}（未导入任何数据）") from None
        self.stdout.write(f"新增 {report.created} 条，更新 {report.updated} 条，失败 {len(report.errors)} 条。")
        for number, reason in report.errors:
            self.stdout.write(f"  第 {number} 行：{reason}")
