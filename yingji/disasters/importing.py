"""Import of weather observations from Excel or CSV: bad rows are reported with their reasons, good rows kept.

Rows are keyed by station code and day (a second row for the same day corrects the first); the FWI of each
station is recomputed once, from the earliest day the file touched.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yingji.core import excel
from yingji.core.importing import _flatten, write_in_batches
from yingji.core.models import User
from yingji.disasters import services
from yingji.disasters.models import ObservationSource, WeatherObservation, WeatherStation


@dataclass(frozen=True)
class Column:
    heading: str
    field: str
    note: str
    example: Any


COLUMNS = [
    Column(gettext_lazy("站号"), "station", gettext_lazy("必填；已登记的气象站站号"), "QH001"),
    Column(gettext_lazy("观测日期"), "date", gettext_lazy("必填；如 2026-11-20"), "2026-11-20"),
    Column(gettext_lazy("气温（℃）"), "temperature", gettext_lazy("必填；当日 14 时（北京时）气温"), 12.5),
    Column(gettext_lazy("相对湿度（%）"), "humidity", gettext_lazy("必填；0-100"), 35),
    Column(gettext_lazy("风速（km/h）"), "wind_speed", gettext_lazy("必填；10 米高度，千米/小时（米/秒 × 3.6）"), 14.4),
    Column(gettext_lazy("24小时降水量（mm）"), "precipitation", gettext_lazy("必填；前 24 小时累计"), 0),
]


def template():
    return excel.template_workbook(_("气象观测"), [str(c.heading) for c in COLUMNS], [str(c.note) for c in COLUMNS],
                                   [c.example for c in COLUMNS])


def _rows(uploaded_file) -> list[excel.ImportRow]:
    headings = [str(c.heading) for c in COLUMNS]
    if uploaded_file.size > settings.IMPORT_MAX_BYTES:
        raise excel.ImportFileError(_("文件过大，上限 %(mb).0f MB") % {"mb": settings.IMPORT_MAX_BYTES / 2**20})
    data = uploaded_file.read()
    uploaded_file.seek(0)
    if zipfile.is_zipfile(io.BytesIO(data)):
        return excel.read_rows(uploaded_file, headings, settings.IMPORT_MAX_BYTES)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise excel.ImportFileError(_("无法识别文件编码，请使用 UTF-8 编码的 CSV 或下载的 Excel 模板"))
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise excel.ImportFileError(_("文件是空的"))
    positions = {h.strip(): i for i, h in enumerate(header)}
    missing = [h for h in headings if h not in positions]
    if missing:
        raise excel.ImportFileError(_("缺少列：%(columns)s，请使用下载的模板") % {"columns": "、".join(missing)})
    return excel.collect_rows(reader, positions, headings)


def _data_rows(uploaded_file) -> list[excel.ImportRow]:
    examples = {str(c.heading): c.example for c in COLUMNS}
    return [row for row in _rows(uploaded_file) if not excel.is_example_row(row, examples)]


def _number(value: Any, label: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValidationError(_("%(label)s应为数字") % {"label": label}) from None


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip().replace("/", "-"))
    except ValueError:
        raise ValidationError(_("观测日期格式应为 YYYY-MM-DD")) from None


def import_observations(uploaded_file, *, actor: User) -> excel.ImportReport:
    """Import a file; raises excel.ImportFileError when the file as a whole cannot be read (nothing saved).

    The file is read and checked whole first; rows are then written in short transactions
    (`write_in_batches`), and each station's fire danger is recomputed once at the end.
    """
    report = excel.ImportReport()
    rows = _data_rows(uploaded_file)
    stations = {s.code: s for s in WeatherStation.objects.restrict(actor, "view")}
    earliest: dict[int, datetime.date] = {}
    seen: dict[tuple[str, datetime.date], int] = {}

    def write(row: excel.ImportRow) -> None:
        values = {c.field: row.values.get(str(c.heading)) for c in COLUMNS}
        try:
            code = str(values["station"] or "").strip().upper()
            station = stations.get(code)
            if station is None:
                raise ValidationError(_("未找到站号为“%(code)s”的气象站，或不在您的管辖范围内") % {"code": code})
            day = _date(values["date"])
            if (code, day) in seen:
                raise ValidationError(_("与第%(row)d行重复") % {"row": seen[(code, day)]})
            seen[(code, day)] = row.number
            existed = WeatherObservation._base_manager.filter(station=station, date=day).exists()
            with transaction.atomic():
                services.observation_record(
                    actor=actor, station=station, date=day, source=ObservationSource.IMPORT, recompute=False,
                    **{c.field: _number(values[c.field], str(c.heading)) for c in COLUMNS[2:]})
        except ValidationError as exc:
            report.errors.append((row.number, _flatten(exc, WeatherObservation)))
        except PermissionDenied as exc:
            report.errors.append((row.number, str(exc)))
        else:
            if existed:
                report.updated += 1
            else:
                report.created += 1
            earliest[station.pk] = min(day, earliest.get(station.pk, day))

    write_in_batches(rows, write)
    for station_id, day in earliest.items():
        with transaction.atomic():
            services.fire_danger_recompute(station=stations_by_id(stations)[station_id], from_date=day)
    return report


def stations_by_id(stations: dict[str, WeatherStation]) -> dict[int, WeatherStation]:
    return {s.pk: s for s in stations.values()}
