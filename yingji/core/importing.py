"""Row-by-row Excel import through a model form and the app's services.

The whole file is read and checked first (size, format, no DTD, row caps), so a
file refused as a whole writes nothing. Then each row is validated by the same
form the web page uses and written by the same service, inside its own
savepoint, in transactions of IMPORT_BATCH_ROWS rows: a bad row is reported with
its row number and reason, good rows are kept, no row is ever half-written, and
other users' writes are never held up for longer than a batch.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.forms import ModelForm
from django.utils.translation import gettext as _

from yingji.core import excel
from yingji.core.specs import spec_for

T = TypeVar("T")


@dataclass(frozen=True)
class ImportColumn:
    heading: str
    field: str
    note: str = ""
    example: Any = ""


class Importer:
    """Declare the model, form, columns and the natural key; `run` writes through the model's spec's services."""

    def __init__(
        self,
        *,
        model: type[models.Model],
        form_class: type[ModelForm],
        columns: list[ImportColumn],
        key_field: str,
    ) -> None:
        self.model = model
        self.form_class = form_class
        self.columns = columns
        self.key_field = key_field

    def template(self):
        return excel.template_workbook(
            str(self.model._meta.verbose_name_plural),
            [str(c.heading) for c in self.columns],
            [str(c.note or self._default_note(c)) for c in self.columns],
            [c.example for c in self.columns],
        )

    def _default_note(self, column: ImportColumn) -> str:
        field = self.model._meta.get_field(column.field)
        parts = [_("必填") if not field.blank else _("选填")]
        if field.choices:
            parts.append(_("可选值：") + "、".join(str(label) for _value, label in field.choices))
        return "；".join(parts)

    def row_data(self, values: dict[str, Any]) -> dict[str, Any]:
        data = {}
        for column in self.columns:
            value = values.get(str(column.heading))
            field = self.model._meta.get_field(column.field)
            if field.choices:
                value = excel.choice_value(field, value)
            elif isinstance(value, float) and value.is_integer() and not isinstance(field, models.FloatField):
                value = int(value)
            data[column.field] = "" if value is None else value
        return data

    def key_of(self, values: dict[str, Any]) -> Hashable | None:
        """The row's natural key, for reporting a repeated row; None when it has none yet (the form says why)."""
        heading = next(str(c.heading) for c in self.columns if c.field == self.key_field)
        return str(values.get(heading) or "").strip().upper() or None

    def run(self, uploaded_file, *, actor) -> excel.ImportReport:
        """Read and check the whole file (nothing written yet), then write its rows in short transactions."""
        report = excel.ImportReport()
        headings = [str(c.heading) for c in self.columns]
        seen: dict[Hashable, int] = {}
        pending: list[excel.ImportRow] = []
        for row in excel.read_rows(uploaded_file, headings, settings.IMPORT_MAX_BYTES):
            key = self.key_of(row.values)
            if key and key in seen:
                report.errors.append((row.number, _("与第%(row)d行重复") % {"row": seen[key]}))
                continue
            if key:
                seen[key] = row.number
            pending.append(row)
        write_in_batches(pending, lambda row: self._write(row, actor, report))
        report.errors.sort()
        return report

    def _write(self, row: excel.ImportRow, actor, report: excel.ImportReport) -> None:
        try:
            with transaction.atomic():
                created = self.save_row(row, actor)
        except ValidationError as exc:
            report.errors.append((row.number, _flatten(exc, self.model)))
        except PermissionDenied as exc:
            report.errors.append((row.number, str(exc)))
        else:
            if created:
                report.created += 1
            else:
                report.updated += 1

    def save_row(self, row: excel.ImportRow, actor) -> bool:
        data = self.row_data(row.values)
        key = str(data.get(self.key_field, "")).strip().upper()
        existing = self.model._base_manager.filter(**{self.key_field: key}).first() if key else None
        if existing is not None and not self.model.objects.restrict(actor, "change").filter(pk=existing.pk).exists():
            raise ValidationError(_("%(field)s“%(key)s”已登记，且不在您可修改的范围内") % {
                "field": self.model._meta.get_field(self.key_field).verbose_name, "key": key})
        form = self.form_class(data=data, instance=existing, user=actor)
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        fields = {name: form.cleaned_data[name] for name in form._meta.fields if name in form.cleaned_data}
        spec = spec_for(self.model)
        if existing is None:
            spec.create_object(actor=actor, **fields)
            return True
        spec.update_object(existing, actor=actor, **fields)
        return False


def write_in_batches(items: Sequence[T], write: Callable[[T], None], size: int | None = None) -> None:
    """Call `write` on each item, IMPORT_BATCH_ROWS items to a transaction.

    On SQLite a transaction holds the lock of the whole database (IMMEDIATE: from its first statement),
    so one transaction around a whole file would make every other user's write wait for the import, then
    fail. A batch takes a fraction of a second; other writers queue on the busy timeout and go through.
    `write` gives each item its own savepoint, so a bad row never undoes the good rows of its batch.
    """
    size = size or settings.IMPORT_BATCH_ROWS
    for start in range(0, len(items), size):
        with transaction.atomic():
            for item in items[start:start + size]:
                write(item)


def _flatten(exc: ValidationError, model: type[models.Model]) -> str:
    if not hasattr(exc, "error_dict"):
        return "；".join(exc.messages)
    parts = []
    for field, errors in exc.error_dict.items():
        messages = "；".join(m for e in errors for m in e.messages)
        if field == "__all__":
            parts.append(messages)
        else:
            try:
                label = model._meta.get_field(field).verbose_name
            except Exception:
                label = field
            parts.append(f"{label}：{messages}")
    return "；".join(parts)
