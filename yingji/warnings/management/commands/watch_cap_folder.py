"""Import CAP 1.2 / national-format files dropped into a folder, each once, moving it to processed/ or failed/."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from yingji.core.models import Region
from yingji.warnings.models import UpstreamSource
from yingji.warnings.services import upstream_import

MAX_BYTES = 2 * 2**20


def import_folder(folder: Path, region: Region) -> tuple[int, int]:
    """One pass over the folder: (imported, failed). A failed file gets a .txt beside it with the reason."""
    processed, failed = folder / "processed", folder / "failed"
    processed.mkdir(exist_ok=True)
    failed.mkdir(exist_ok=True)
    done = bad = 0
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() == ".xml"):
        try:
            if path.stat().st_size > MAX_BYTES:
                raise ValidationError(f"文件过大，上限 {MAX_BYTES // 2**20} MB")
            upstream_import(actor=None, data=path.read_bytes(), region=region, source=UpstreamSource.FOLDER,
                            file_name=path.name)
        except ValidationError as exc:
            bad += 1
            path.replace(failed / path.name)
            (failed / f"{path.name}.txt").write_text("；".join(exc.messages), encoding="utf-8")
        else:
            done += 1
            path.replace(processed / path.name)
    return done, bad


class Command(BaseCommand):
    help = "监视目录：导入放入目录的 CAP 1.2 或国家预警平台格式文件（每个文件只导入一次）"

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--region", required=True, help="接收单位的12位区划代码")
        parser.add_argument("--once", action="store_true", help="只扫描一次")
        parser.add_argument("--interval", type=float, default=10.0)

    def handle(self, folder, region, once, interval, **options):
        path = Path(folder)
        if not path.is_dir():
            raise CommandError(f"目录不存在：{folder}")
        receiver = Region.objects.filter(pk=region).first()
        if receiver is None:
            raise CommandError(f"区划不存在：{region}")
        while True:
            done, bad = import_folder(path, receiver)
            if done or bad:
                self.stdout.write(f"导入 {done} 个，失败 {bad} 个")
            if once:
                return
            time.sleep(interval)
