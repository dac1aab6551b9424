"""Excel export of lists and Excel import of rows, shared by every app."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_ROW_LIMIT = 200_000


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, (int, float, str)) or value is None:
        return value
    return str(value)


def _header(sheet, headings: list[str], widths: list[int] | None = None) -> None:
    headings = [str(h) for h in headings]
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
    from urllib.parse import quote

    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'{filename}_{stamp}.xlsx')}"
    return response


def export_rows(title: str, headings: list[str], rows: Iterable[list[Any]]) -> Workbook:
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = title[:31]
    _header(sheet, headings)
    for row in rows:
        sheet.append([_cell(v) for v in row])
    return workbook


def template_workbook(title: str, headings: list[str], notes: list[str], examples: list[Any]) -> Workbook:
    """An import template: the header row to fill in, and a sheet explaining each column with an example.

    Examples stay off the data sheet, so a template uploaded as downloaded imports nothing.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    _header(sheet, headings)
    help_sheet = workbook.create_sheet(_("填写说明"))
    _header(help_sheet, [_("列名"), _("说明"), _("示例")], widths=[24, 80, 24])
    for heading, note, example in zip(headings, notes, examples, strict=True):
        help_sheet.append([str(heading), str(note), _cell(example)])
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


def read_rows(uploaded_file, headings: list[str], max_bytes: int) -> Iterator[ImportRow]:
    """Rows of the first sheet keyed by heading; checks the file before reading any row.

    Raises ImportFileError for a file that is not an Excel workbook, is too
    large or lacks a column of the template.
    """
    if uploaded_file.size > max_bytes:
        raise ImportFileError(_("文件过大，上限 %(mb).0f MB") % {"mb": max_bytes / 2**20})
    data = uploaded_file.read()
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ImportFileError(_("文件不是 Excel 工作簿（.xlsx），请使用下载的模板填写"))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportFileError(_("无法读取 Excel 文件：%(error)s") % {"error": exc}) from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise ImportFileError(_("工作表是空的"))
    positions = {str(h).strip(): i for i, h in enumerate(header) if h is not None}
    missing = [h for h in headings if h not in positions]
    if missing:
        raise ImportFileError(_("缺少列：%(columns)s，请使用下载的模板") % {"columns": "、".join(missing)})
    for number, row in enumerate(rows, start=2):
        if row is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        values = {}
        for heading in headings:
            index = positions[heading]
            value = row[index] if index < len(row) else None
            values[heading] = value.strip() if isinstance(value, str) else value
        yield ImportRow(number=number, values=values)
    workbook.close()


def choice_value(field: models.Field, label: Any) -> Any:
    """Accept a choice by its Chinese label or its stored value."""
    if label in (None, ""):
        return ""
    text = str(label).strip()
    for value, choice_label in field.choices:
        if text in (str(value), str(choice_label)) or str(choice_label).startswith(text + "（"):
            return value
    return text
