"""Import the bureau's subtree of the 统计用区划代码 table from CSV or Excel: a preview, then (with --apply) all of it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yingji.core.bureau import bureau_root
from yingji.core.division_import import DivisionImportError, apply_divisions, plan_divisions, read_division_file
from yingji.core.onboarding_report import print_division_plan


class Command(BaseCommand):
    help = "导入统计用区划代码表（CSV 或 Excel）：默认只预览，加 --apply 才写入（整个文件全部写入或全不写入）"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--root", help="辖区根区划代码（默认为本局辖区）")
        parser.add_argument("--apply", action="store_true", help="确认写入")

    def handle(self, *args, file: Path, root: str | None, apply: bool, **options):
        root_code = root or (bureau_root().code if bureau_root() else None)
        if not root_code:
            raise CommandError("尚未配置本局信息，请用 --root 指定辖区根区划代码")
        try:
            rows = read_division_file(file.read_bytes(), file.name)
            plan = plan_divisions(rows, root_code=root_code)
            print_division_plan(plan, self.stdout.write)
            if not apply:
                self.stdout.write("仅预览，未写入。确认无误后加 --apply 导入。")
                return
            self.stdout.write(f"写入中（共 {plan.changes} 处变化，全部写入或全不写入）……")

            def progress(written: int, total: int) -> None:
                if written:
                    self.stdout.write(f"已写入 {written} / {total}（{written * 100 // max(total, 1)}%）")
                    self.stdout.flush()

            apply_divisions(rows, root_code=root_code, actor=None, expected=plan.summary(), progress=progress)
        except (DivisionImportError, OSError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS("区划代码已导入。"))
