"""Excel export of lists and Excel import of rows, shared by every app."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from urllib.parse import quote
from xml.parsers import expat

from django.conf import settings
from django.db import models
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from yingji.core import display

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_ROW_LIMIT = 200_000
# Excel shows at most this many characters in a cell and reports a longer one as damage.
CELL_MAX_CHARS = 32_767

# Text a spreadsheet may take for a formula (OWASP "CSV injection"), full-width forms included: some
# spreadsheet programs convert them on input.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Characters XML 1.0 forbids: openpyxl and python-docx (lxml) refuse to write them and the export fails.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: Any) -> str:
    """`text` without the characters an Office file cannot hold (control characters, lone surrogates).

    Also for python-docx: lxml refuses them the same way, and the document fails to build.
    """
    return "" if text is None else _NOT_XML.sub("", str(text))


def cell_value(value: Any) -> Any:
    """What the export writes for `value`: numbers and local times as such, everything else as inert text, as the
    display layer words it (是/否, labels joined with 、).

    Text that a spreadsheet could take for a formula gets a leading single quote, so it is shown and
    stays text even when someone edits the cell or saves the sheet as CSV; control characters go.
    """
    value = display.export_value(value)
    if value is None or isinstance(value, (int, float, Decimal, datetime, date, time)):
        return value
    text = xml_text(str(value))
    if text.startswith(FORMULA_PREFIXES):
        text = "'" + text
    return text[:CELL_MAX_CHARS]


def append_row(sheet, values: Iterable[Any]) -> None:
    """The only way a row reaches an export sheet: every value goes through `cell_value`."""
    sheet.append([cell_value(v) for v in values])


def _header(sheet, headings: list[str], widths: list[int] | None = None) -> None:
    headings = [cell_value(str(h)) for h in headings]
    sheet.append(headings)
    for index, heading in enumerate(headings, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        width = widths[index - 1] if widths else max(10, len(heading) * 2 + 4)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def workbook_response(workbook: Workbook, filename: str) -> HttpResponse:
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'{xml_text(filename)}_{stamp}.xlsx')}"
    return response


def export_rows(title: str, headings: list[str], rows: Iterable[Iterable[Any]]) -> Workbook:
    """A workbook of one sheet: a styled header row, then `rows` written through `cell_value`."""
    workbook = Workbook()
    _fill(workbook.active, title, headings, rows)
    return workbook


def add_sheet(workbook: Workbook, title: str, headings: list[str], rows: Iterable[Iterable[Any]]):
    """Another sheet of an export, written the same way as the first."""
    return _fill(workbook.create_sheet(), title, headings, rows)


def _fill(sheet, title: str, headings: list[str], rows: Iterable[Iterable[Any]]):
    sheet.title = xml_text(str(title))[:31]
    _header(sheet, headings)
    for row in rows:
        append_row(sheet, row)
    return sheet


DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
CHOICES_SHEET = "选项"
EXAMPLE_FILL = PatternFill("solid", fgColor="F2F2F2")


@dataclass(frozen=True)
class ColumnKind:
    """One column of an import template or of an export that imports back."""

    heading: str
    choices: list[str] = field(default_factory=list)  # offered as a drop-down list
    number_format: str = ""  # for dates, times and fixed decimals


def _typed_sheet(workbook: Workbook, title: str, kinds: list[ColumnKind]):
    """The data sheet: the header, each column's width and number format, and its drop-down list of choices."""
    sheet = workbook.active
    sheet.title = xml_text(str(title))[:31]
    widths = [max(12, len(k.heading) * 2 + 4, 18 if k.number_format == DATETIME_FORMAT else 0,
                  max((len(c) * 2 + 4 for c in k.choices), default=0)) for k in kinds]
    _header(sheet, [k.heading for k in kinds], widths=[min(w, 40) for w in widths])
    lists = None
    for index, kind in enumerate(kinds, start=1):
        letter = get_column_letter(index)
        if kind.choices:
            if lists is None:
                lists = workbook.create_sheet(CHOICES_SHEET)
                lists.sheet_state = "hidden"
            for row, label in enumerate(kind.choices, start=1):
                lists.cell(row=row, column=index, value=cell_value(label))
            validation = DataValidation(
                type="list", formula1=f"'{CHOICES_SHEET}'!${letter}$1:${letter}${len(kind.choices)}",
                allow_blank=True, showErrorMessage=True, errorTitle=_("无效的值"),
                error=_("请从下拉列表中选择"))
            validation.add(f"{letter}2:{letter}{EXPORT_ROW_LIMIT + 1}")
            sheet.add_data_validation(validation)
    return sheet


def _format_row(sheet, row: int, kinds: list[ColumnKind]) -> None:
    for index, kind in enumerate(kinds, start=1):
        if kind.number_format:
            sheet.cell(row=row, column=index).number_format = kind.number_format


def is_example_row(row: ImportRow, examples: dict[str, Any]) -> bool:
    """True for a template's example row uploaded unchanged (every cell as the template wrote it)."""
    if all(e in ("", None) for e in examples.values()):
        return False
    return all(_same_cell(row.values.get(heading), example) for heading, example in examples.items())


def _same_cell(value: Any, example: Any) -> bool:
    if value in (None, "") or example in (None, ""):
        return value in (None, "") and example in (None, "")
    if isinstance(value, datetime) and isinstance(example, str):
        return value.strftime("%Y-%m-%d %H:%M").startswith(example) or value.strftime("%Y-%m-%d") == example
    if isinstance(value, (int, float)) and isinstance(example, (int, float)) and not isinstance(value, bool):
        return float(value) == float(example)
    return str(value).strip() == str(example).strip()


def counted(objects: Iterable[Any], progress: Callable[[int], None] | None, every: int = 1000):
    """`objects`, telling `progress` how many have passed every `every` of them."""
    count = 0
    for count, obj in enumerate(objects, start=1):
        yield obj
        if progress is not None and count % every == 0:
            progress(count)
    if progress is not None:
        progress(count)


def typed_workbook(title: str, kinds: list[ColumnKind], rows: Iterable[Iterable[Any]]) -> Workbook:
    """An export that imports back: the import's columns in its order, typed cells and the same drop-down lists."""
    workbook = Workbook()
    sheet = _typed_sheet(workbook, title, kinds)
    for number, row in enumerate(rows, start=2):
        append_row(sheet, row)
        _format_row(sheet, number, kinds)
    return workbook


def template_workbook(title: str, kinds: list[ColumnKind | str], notes: list[str], examples: list[Any]) -> Workbook:
    """An import template: the header row, one grey example row (skipped if uploaded unchanged), drop-down lists
    for choices, and a sheet explaining each column with its example."""
    kinds = [k if isinstance(k, ColumnKind) else ColumnKind(str(k)) for k in kinds]
    workbook = Workbook()
    sheet = _typed_sheet(workbook, title, kinds)
    if any(e not in ("", None) for e in examples):
        append_row(sheet, examples)
        _format_row(sheet, 2, kinds)
        for index in range(1, len(kinds) + 1):
            cell = sheet.cell(row=2, column=index)
            cell.fill = EXAMPLE_FILL
            cell.font = Font(italic=True, color="808080")
    help_sheet = workbook.create_sheet(_("填写说明"), 1)
    _header(help_sheet, [_("列名"), _("说明"), _("示例")], widths=[24, 80, 24])
    for kind, note, example in zip(kinds, notes, examples, strict=True):
        append_row(help_sheet, [kind.heading, str(note), example])
    append_row(help_sheet, [])
    append_row(help_sheet, [_("第2行灰色斜体为示例行，原样上传时不导入；可直接改写为实际数据。")])
    return workbook


class ImportFileError(Exception):
    """The file as a whole cannot be read; nothing from it is saved."""


@dataclass
class ImportRow:
    number: int  # the row number a user sees in Excel
    values: dict[str, Any]


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> int:
        return self.created + self.updated


def import_limits() -> dict[str, Any]:
    """The caps on an import, as the import pages state them."""
    return {
        "max_mb": settings.IMPORT_MAX_BYTES / 2**20,
        "max_rows": settings.IMPORT_MAX_ROWS,
        "max_blank_rows": settings.IMPORT_MAX_BLANK_ROWS,
    }


def read_rows(uploaded_file, headings: list[str], max_bytes: int | None = None,
              max_rows: int | None = None) -> list[ImportRow]:
    """Every row of the first sheet keyed by heading, read and checked before the caller writes anything.

    Raises ImportFileError for a file that is not an Excel workbook, is too large (packed or unpacked),
    declares a DTD or entities, lacks a column of the template or has more than IMPORT_MAX_ROWS rows (`max_rows`:
    a background job's larger cap). The sheet is streamed (openpyxl read-only) and its declared size is ignored, since it can lie:
    reading stops after IMPORT_MAX_BLANK_ROWS blank rows in a row.
    """
    max_bytes = settings.IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    if uploaded_file.size > max_bytes:
        raise ImportFileError(_("文件过大，上限 %(mb).0f MB") % {"mb": max_bytes / 2**20})
    data = uploaded_file.read()
    check_archive(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(_("无法读取 Excel 文件：%(error)s") % {"error": exc}) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), None)
        positions = _positions(header, headings)
        width = max(positions[h] for h in headings) + 1 if headings else 1
        return collect_rows(sheet.iter_rows(min_row=2, max_col=width, values_only=True), positions, headings,
                            max_rows=max_rows)
    except ImportFileError:
        raise
    except Exception as exc:  # a damaged sheet fails while it is streamed, not when the workbook opens
        raise ImportFileError(_("无法读取 Excel 文件：%(error)s") % {"error": exc}) from None
    finally:
        workbook.close()


def _positions(header: Iterable[Any] | None, headings: list[str]) -> dict[str, int]:
    if header is None or all(_blank(v) for v in header):
        raise ImportFileError(_("工作表是空的"))
    positions = {xml_text(str(h)).strip(): i for i, h in enumerate(header) if h is not None}
    missing = [h for h in headings if h not in positions]
    if missing:
        raise ImportFileError(_("缺少列：%(columns)s，请使用下载的模板") % {"columns": "、".join(missing)})
    return positions


def collect_rows(records: Iterable[Iterable[Any]], positions: dict[str, int], headings: list[str],
                 first_number: int = 2, max_rows: int | None = None) -> list[ImportRow]:
    """The data rows of a sheet or CSV file under the import caps; blank rows are skipped.

    Counting happens while reading, so a file that declares (or holds) millions of empty rows costs
    IMPORT_MAX_BLANK_ROWS iterations, and one with too many rows is refused as soon as it passes the cap.
    """
    max_rows, max_blank = max_rows or settings.IMPORT_MAX_ROWS, settings.IMPORT_MAX_BLANK_ROWS
    rows: list[ImportRow] = []
    blank_run = 0
    for number, record in enumerate(records, start=first_number):
        record = tuple(record)
        if all(_blank(v) for v in record):
            blank_run += 1
            if blank_run >= max_blank:
                break
            continue
        blank_run = 0
        if len(rows) >= max_rows:
            raise ImportFileError(_("数据超过 %(rows)d 行的上限，请分成多个文件导入") % {"rows": max_rows})
        values = {}
        for heading in headings:
            index = positions[heading]
            value = record[index] if index < len(record) else None
            if isinstance(value, str):
                value = xml_text(value).strip()
                if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
                    value = value[1:]  # the quote an export put before text a spreadsheet could take for a formula
            values[heading] = value
        rows.append(ImportRow(number=number, values=values))
    return rows


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _RootReachedError(Exception):
    pass


class _DeclarationFoundError(Exception):
    pass


def check_archive(data: bytes) -> None:
    """Refuse a workbook whose parts unpack to more than IMPORT_MAX_UNPACKED_BYTES or declare a DTD.

    A DTD is how XML declares entities (the "billion laughs" and external-entity attacks); no part of a
    real workbook has one. It can only stand before the root element, so each part is parsed up to
    its first element and no further.
    """
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportFileError(_("文件不是 Excel 工作簿（.xlsx），请使用下载的模板填写"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if sum(m.file_size for m in members) > settings.IMPORT_MAX_UNPACKED_BYTES:
                raise ImportFileError(_("文件解压后超过 %(mb).0f MB，请分成多个文件导入")
                                      % {"mb": settings.IMPORT_MAX_UNPACKED_BYTES / 2**20})
            for member in members:
                with archive.open(member) as stream:
                    _check_part(member.filename, stream)
    except ImportFileError:
        raise
    except Exception:  # a damaged, encrypted or oddly compressed archive
        raise ImportFileError(_("文件已损坏或不是有效的 Excel 工作簿（.xlsx）")) from None


def _check_part(name: str, stream) -> None:
    parser = expat.ParserCreate()

    def declaration(*args: Any) -> None:
        raise _DeclarationFoundError

    def root(*args: Any) -> None:
        raise _RootReachedError

    parser.StartDoctypeDeclHandler = declaration
    parser.EntityDeclHandler = declaration
    parser.StartElementHandler = root
    head = stream.read(65536)
    try:
        chunk = head
        while chunk:
            parser.Parse(chunk, False)
            chunk = stream.read(65536)
        parser.Parse(b"", True)
    except _RootReachedError:
        return
    except _DeclarationFoundError:
        raise ImportFileError(_("文件含有 XML 文档类型声明（DTD）或实体声明，出于安全原因拒绝导入；"
                                "请在 Excel 中另存为新的 .xlsx 文件后再导入")) from None
    except expat.ExpatError:
        # Images and other binary parts are not XML; a part that looks like XML but is not readable is refused,
        # since openpyxl's own parser might read what expat could not.
        if name.lower().endswith((".xml", ".rels", ".vml")) or head.lstrip()[:1] == b"<" or head.startswith(
                (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00<", b"<\x00")):
            raise ImportFileError(_("文件已损坏或不是有效的 Excel 工作簿（.xlsx）")) from None


def choice_value(field: models.Field, label: Any) -> Any:
    """Accept a choice by its Chinese label or its stored value."""
    if label in (None, ""):
        return ""
    text = str(label).strip()
    for value, choice_label in field.choices:
        if text in (str(value), str(choice_label)) or str(choice_label).startswith(text + "（"):
            return value
    return text
