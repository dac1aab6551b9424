"""Import region boundaries from GeoJSON or a zipped Shapefile: a preview, then (with --apply) all of them."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yingji.core.boundary_import import apply_boundaries, plan_boundaries, read_boundary_file
from yingji.core.bureau import bureau_root
from yingji.core.division_import import DivisionImportError
from yingji.core.onboarding_report import print_boundary_plan


class Command(BaseCommand):
    help = "导入区划边界（GeoJSON 或 Shapefile 压缩包）：按区划代码匹配，或用 --parent 在上级区划下按名称匹配；加 --apply 才写入"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--root", help="辖区根区划代码（默认为本局辖区）")
        parser.add_argument("--parent", help="按名称匹配时的上级区划代码")
        parser.add_argument("--apply", action="store_true", help="确认写入")

    def handle(self, *args, file: Path, root: str | None, parent: str | None, apply: bool, **options):
        root_code = root or (bureau_root().code if bureau_root() else None)
        if not root_code:
            raise CommandError("尚未配置本局信息，请用 --root 指定辖区根区划代码")
        try:
            features = read_boundary_file(file.read_bytes(), file.name)
            plan = plan_boundaries(features, root_code=root_code, parent_code=parent)
            print_boundary_plan(plan, self.stdout.write)
            if not apply:
                self.stdout.write("仅预览，未写入。确认无误后加 --apply 导入。")
                return
            apply_boundaries(features, root_code=root_code, parent_code=parent, actor=None, expected=plan.summary())
        except (DivisionImportError, OSError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS("区划边界已导入。"))
