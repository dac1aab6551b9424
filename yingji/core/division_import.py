"""Import of the bureau's subtree of the 统计用区划代码和城乡划分代码 table, as the statistics bureau publishes it.

Three steps, the same from a page and from `manage.py import_regions`:

1. `read_division_file` reads a CSV or Excel file (columns 统计用区划代码, 名称, 城乡分类代码; synonyms accepted)
   into rows, refusing a file that cannot be read at all;
2. `plan_divisions` compares the rows with the database and says what would change (new, renamed, reclassified,
   retired, restored) and what is wrong with which row and why — nothing is written;
3. `apply_divisions` writes a plan without errors in one transaction: all of the file or nothing.

A later year's table updates names, adds new codes and retires the codes it no longer has, under the topmost codes
it covers (a county's file retires nothing in the next county). A retired code stays, so every record that points
to it still does, marked retired with the new code of the same name when there is one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from simple_history.utils import bulk_update_with_history

from yingji.core import bulk, excel
from yingji.core.bureau import bureau_root
from yingji.core.models import Region, User
from yingji.core.scoping import code_prefix_q, has_model_perm
from yingji.standards import division

CODE_HEADINGS = ("统计用区划代码", "区划代码", "行政区划代码", "代码", "code")
NAME_HEADINGS = ("名称", "区划名称", "单位名称", "name")
URBAN_RURAL_HEADINGS = ("城乡分类代码", "城乡分类", "urban_rural_code")
URBAN_RURAL_CODES = {"111", "112", "121", "122", "123", "210", "220"}
PREVIEW_ROWS = 20
BULK_BATCH = 2000
# New rows per COPY (PostgreSQL) or executemany (SQLite): the progress is reported after each.
WRITE_BATCH = 20000


@dataclass(frozen=True)
class DivisionRow:
    number: int  # the line or row number the user sees in the file
    code: str
    name: str
    urban_rural_code: str = ""


@dataclass
class DivisionPlan:
    root_code: str
    rows: list[DivisionRow] = field(default_factory=list)
    new: list[DivisionRow] = field(default_factory=list)
    renamed: list[tuple[DivisionRow, str]] = field(default_factory=list)  # (row, old name)
    reclassified: list[DivisionRow] = field(default_factory=list)
    restored: list[DivisionRow] = field(default_factory=list)
    retired: list[tuple[str, str, str]] = field(default_factory=list)  # (code, name, replacing code or "")
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    ignored: list[tuple[int, str]] = field(default_factory=list)  # outside the root: reported, not imported

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    @property
    def changes(self) -> int:
        return len(self.new) + len(self.renamed) + len(self.reclassified) + len(self.restored) + len(self.retired)

    def summary(self) -> dict[str, int]:
        """The counts the preview shows; confirming refuses a plan whose counts have changed since."""
        return {"rows": len(self.rows), "new": len(self.new), "renamed": len(self.renamed),
                "reclassified": len(self.reclassified), "restored": len(self.restored),
                "retired": len(self.retired), "unchanged": self.unchanged, "errors": len(self.errors),
                "ignored": len(self.ignored)}


class DivisionImportError(Exception):
    """The import as a whole cannot go on (unreadable file, a plan with errors, data changed since the preview)."""


# Reading ------------------------------------------------------------------------------------------------------

def normalize_code(value: Any) -> str:
    """The code as 12 digits: Excel's numbers as text, a 6-digit GB/T 2260 county code padded with zeros."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip().replace(" ", "")
    if len(text) == 6 and text.isdigit():
        return text + "000000"
    return text


def _column(positions: dict[str, int], candidates: tuple[str, ...], required: bool) -> int | None:
    for heading in candidates:
        if heading in positions:
            return positions[heading]
    if required:
        raise DivisionImportError(_("缺少列：%(columns)s") % {"columns": " 或 ".join(candidates[:2])})
    return None


def _rows_from_records(records, first_number: int) -> list[DivisionRow]:
    records = iter(records)
    header = next(records, None)
    if header is None:
        raise DivisionImportError(_("文件是空的"))
    positions = {str(h).strip().lstrip("\ufeff"): i for i, h in enumerate(header) if h not in (None, "")}
    code_at = _column(positions, CODE_HEADINGS, True)
    name_at = _column(positions, NAME_HEADINGS, True)
    urban_at = _column(positions, URBAN_RURAL_HEADINGS, False)
    rows: list[DivisionRow] = []
    for number, record in enumerate(records, start=first_number):
        record = tuple(record)
        code, name, urban = (record[i] if i is not None and i < len(record) else None
                             for i in (code_at, name_at, urban_at))
        if all(v in (None, "") or (isinstance(v, str) and not v.strip()) for v in (code, name)):
            continue
        if len(rows) >= settings.DIVISION_IMPORT_MAX_ROWS:
            raise DivisionImportError(_("数据超过 %(rows)d 行的上限") % {"rows": settings.DIVISION_IMPORT_MAX_ROWS})
        rows.append(DivisionRow(number, normalize_code(code), excel.xml_text(name or "").strip(),
                                normalize_code(urban) if urban not in (None, "") else ""))
    return rows


def _decode(data: bytes) -> str:
    # The statistics bureau's pages and most converted tables are UTF-8; older ones and Excel's CSV are GB 18030.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DivisionImportError(_("无法识别文件编码，请另存为 UTF-8 编码的 CSV"))


def read_division_file(data: bytes, file_name: str) -> list[DivisionRow]:
    """The rows of a CSV or Excel (.xlsx) division table; raises DivisionImportError for an unreadable file."""
    if len(data) > settings.DIVISION_IMPORT_MAX_BYTES:
        raise DivisionImportError(_("文件过大，上限 %(mb).0f MB") % {"mb": settings.DIVISION_IMPORT_MAX_BYTES / 2**20})
    if file_name.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        try:
            excel.check_archive(data)
        except excel.ImportFileError as exc:
            raise DivisionImportError(str(exc)) from None
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:
            raise DivisionImportError(_("无法读取 Excel 文件：%(error)s") % {"error": exc}) from None
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()
            return _rows_from_records(sheet.iter_rows(values_only=True), 2)
        finally:
            workbook.close()
    text = _decode(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    return _rows_from_records(csv.reader(io.StringIO(text), dialect), 2)


# Planning -----------------------------------------------------------------------------------------------------

def _in_subtree(code: str, root_code: str) -> bool:
    return code.startswith(division.significant_prefix(root_code))


def plan_divisions(rows: list[DivisionRow], *, root_code: str) -> DivisionPlan:
    """What importing `rows` under the region `root_code` would do, and every row's problem; writes nothing."""
    plan = DivisionPlan(root_code=root_code)
    prefix = division.significant_prefix(root_code)
    existing = {
        code: (name, urban, retired is not None)
        for code, name, urban, retired in Region.objects.filter(code_prefix_q("code", prefix))
        .values_list("code", "name", "urban_rural_code", "retired_at")
    }
    seen: dict[str, int] = {}
    good: list[DivisionRow] = []
    for row in rows:
        if not division.is_well_formed(row.code):
            plan.errors.append((row.number, _("区划代码“%(code)s”应为12位数字（或6位县级代码）") % {"code": row.code}))
            continue
        if not _in_subtree(row.code, root_code):
            if row.code not in division.ancestor_codes(root_code):
                plan.ignored.append((row.number, _("%(code)s 不在本局辖区（%(root)s）内，已忽略")
                                     % {"code": row.code, "root": root_code}))
            continue
        if not row.name:
            plan.errors.append((row.number, _("%(code)s 缺少名称") % {"code": row.code}))
            continue
        if len(row.name) > Region._meta.get_field("name").max_length:
            plan.errors.append((row.number, _("%(code)s 名称过长") % {"code": row.code}))
            continue
        if row.urban_rural_code and row.urban_rural_code not in URBAN_RURAL_CODES:
            plan.errors.append((row.number, _("%(code)s 的城乡分类代码“%(value)s”不是有效代码（111、112、121、122、123、"
                                              "210、220）") % {"code": row.code, "value": row.urban_rural_code}))
            continue
        if row.code in seen:
            plan.errors.append((row.number, _("%(code)s 与第%(row)d行重复") % {"code": row.code, "row": seen[row.code]}))
            continue
        seen[row.code] = row.number
        good.append(row)
    in_file = {row.code for row in good}
    for row in good:
        parent = division.parent_code(row.code)
        if parent is None or parent in in_file:
            continue
        if parent not in existing and not (_in_subtree(root_code, parent) and Region.objects.filter(code=parent).exists()):
            plan.errors.append((row.number, _("%(code)s 的上级区划 %(parent)s 不存在（文件中没有，系统中也没有）")
                                % {"code": row.code, "parent": parent}))
    # Retire what the file no longer has under each of its topmost codes.
    tops = [code for code in in_file if division.parent_code(code) not in in_file]
    tops = [c for c in tops if c in existing or c == root_code]
    gone = sorted(
        code for code, (_name, _urban, retired) in existing.items()
        if code not in in_file and not retired and any(code.startswith(division.significant_prefix(t)) for t in tops)
    )
    gone_set = set(gone)
    for row in good:
        parent = division.parent_code(row.code)
        if parent in gone_set:
            plan.errors.append((row.number, _("%(code)s 的上级区划 %(parent)s 在新表中已撤销") % {"code": row.code, "parent": parent}))
    new_by_name: dict[str, list[str]] = {}
    for row in good:
        if row.code not in existing:
            new_by_name.setdefault(row.name, []).append(row.code)
    for code in gone:
        candidates = new_by_name.get(existing[code][0], [])
        # The same name one level up the tree first (a village moved to a neighbouring township), then anywhere.
        same_level = [c for c in candidates if division.level_of(c) == division.level_of(code)]
        plan.retired.append((code, existing[code][0], same_level[0] if same_level else ""))
    for row in good:
        old = existing.get(row.code)
        if old is None:
            plan.new.append(row)
        elif old[2]:
            plan.restored.append(row)
        elif old[0] != row.name:
            plan.renamed.append((row, old[0]))
        elif row.urban_rural_code and old[1] != row.urban_rural_code:
            plan.reclassified.append(row)
        else:
            plan.unchanged += 1
    plan.rows = good
    plan.errors.sort()
    return plan


# Writing ------------------------------------------------------------------------------------------------------

def apply_divisions(rows: list[DivisionRow], *, root_code: str, actor: User | None,
                    expected: dict[str, int] | None = None,
                    progress: Callable[[int, int], None] | None = None) -> DivisionPlan:
    """Plan again against the database as it is now and write the whole plan in one transaction.

    Refuses a plan with errors, and (with `expected`, the counts of the preview the user confirmed) a plan that has
    changed since the preview. The actor must be allowed to change regions, and the root must lie in their subtree.
    `progress(written, total)` is called after each batch, inside the transaction: what it records elsewhere must
    not go through this transaction (`yingji.core.jobs.JobProgress`).

    A province's table is ~700,000 rows, nearly all new at the first import: they and their history rows go in by
    COPY on PostgreSQL (`yingji.core.bulk`), with no model instance per row; the few renamed and retired ones of a
    later year go through the ORM's bulk update with history.
    """
    if actor is not None:
        if not Region.objects.restrict(actor, "change").filter(code=root_code).exists():
            raise DivisionImportError(_("您没有修改该区划及其下级区划的权限"))
    report = progress or (lambda written, total: None)
    with transaction.atomic():
        # One import at a time: the bureau's root row is the lock.
        Region.objects.select_for_update().filter(code=root_code).first()
        plan = plan_divisions(rows, root_code=root_code)
        if plan.errors:
            raise DivisionImportError(_("文件有 %(count)d 处错误，未导入任何数据") % {"count": len(plan.errors)})
        if expected is not None and plan.summary() != expected:
            raise DivisionImportError(_("预览之后区划数据已有变化，请重新上传预览"))
        now = timezone.now()
        reason = _("导入区划代码表")
        changed_rows = [row for row, _old in plan.renamed] + plan.reclassified + plan.restored
        total = len(plan.new) + len(changed_rows) + len(plan.retired)
        written = 0
        report(written, total)
        new_rows = sorted(plan.new, key=lambda r: r.code)  # parents before their children
        for start in range(0, len(new_rows), WRITE_BATCH):
            batch = new_rows[start:start + WRITE_BATCH]
            _insert_new(batch, actor=actor, when=now, reason=reason)
            written += len(batch)
            report(written, total)
        by_code = {row.code: row for row in changed_rows}
        retired = {code: replacement for code, _name, replacement in plan.retired}
        codes = sorted(by_code) + sorted(retired)
        for start in range(0, len(codes), BULK_BATCH):
            regions = list(Region.objects.filter(code__in=codes[start:start + BULK_BATCH]))
            for region in regions:
                row = by_code.get(region.code)
                if row is not None:
                    region.name = row.name
                    region.urban_rural_code = row.urban_rural_code or region.urban_rural_code
                    region.retired_at = None
                    region.replaced_by = None
                else:
                    region.retired_at = now
                    region.replaced_by_id = retired[region.code] or None
            bulk_update_with_history(regions, Region, ["name", "urban_rural_code", "retired_at", "replaced_by"],
                                     batch_size=BULK_BATCH, default_user=actor, default_change_reason=reason,
                                     default_date=now)
            written += len(regions)
            report(written, total)
    return plan


NEW_FIELDS = ("code", "name", "level", "parent", "urban_rural_code")


def _insert_new(rows: list[DivisionRow], *, actor: User | None, when: datetime, reason: str) -> None:
    """New regions and their history rows ("+", as `bulk_create_with_history` would write them)."""
    values = [(row.code, row.name, division.level_of(row.code), division.parent_code(row.code), row.urban_rural_code)
              for row in rows]
    bulk.insert_rows(Region, NEW_FIELDS, values)
    actor_id = actor.pk if actor is not None else None
    bulk.insert_rows(Region.history.model,
                     (*NEW_FIELDS, "history_date", "history_type", "history_user", "history_change_reason"),
                     (value + (when, "+", actor_id, reason) for value in values))


def import_root_for(user: User) -> Region:
    """Where the user's region import may write: their own region (never above it), or the bureau's root.

    Raises PermissionDenied for a person who may not import regions at all."""
    if not has_model_perm(user, Region, "change") or user.scope_enterprise_id:
        raise PermissionDenied(_("只有系统管理员可以导入区划。"))
    if user.scope_region_id:
        return user.scope_region
    root = bureau_root()
    if root is None:
        raise PermissionDenied(_("请先配置本局信息。"))
    return root
