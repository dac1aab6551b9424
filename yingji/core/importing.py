"""Row-by-row Excel import through a model form and the app's services.

The whole file is read and checked first (size, format, no DTD, row caps), so a
file refused as a whole writes nothing. Then each row is validated by the same
form the web page uses and written by the same service, inside its own
savepoint, in transactions of IMPORT_BATCH_ROWS rows: a bad row is reported with
its row number and reason, good rows are kept, no row is ever half-written, and
other users' writes are never held up for longer than a batch.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
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
    # Where the export reads the column when `field` is not the model's own field: a dotted path such as
    # "enterprise.credit_code", so an exported file imports back as it is.
    source: str = ""


YES_WORDS = {"是", "y", "yes", "true", "1", "√", "启用", "在岗"}
NO_WORDS = {"否", "n", "no", "false", "0", "×", "停用", "不在岗"}


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

    # -- the file people fill in, and the file an export gives them: the same columns in the same order ----------

    def headings(self) -> list[str]:
        return [str(c.heading) for c in self.columns]

    def model_field(self, column: ImportColumn) -> models.Field | None:
        try:
            return self.model._meta.get_field(column.field)
        except FieldDoesNotExist:
            return None

    def column_kinds(self) -> list[excel.ColumnKind]:
        """How each column is typed and offered in Excel: number formats, widths and drop-down lists."""
        kinds = []
        for column in self.columns:
            field = self.model_field(column)
            choices: list[str] = []
            number_format = ""
            if field is not None and field.choices:
                choices = [str(label) for _value, label in field.flatchoices]
            elif isinstance(field, models.BooleanField):
                choices = ["是", "否"]
            if isinstance(field, models.DateTimeField):
                number_format = excel.DATETIME_FORMAT
            elif isinstance(field, models.DateField):
                number_format = excel.DATE_FORMAT
            elif isinstance(field, models.DecimalField):
                number_format = "0." + "0" * field.decimal_places if field.decimal_places else "0"
            kinds.append(excel.ColumnKind(str(column.heading), choices=choices, number_format=number_format))
        return kinds

    def template(self):
        return excel.template_workbook(
            str(self.model._meta.verbose_name_plural),
            self.column_kinds(),
            [str(c.note or self._default_note(c)) for c in self.columns],
            [c.example for c in self.columns],
        )

    def export_value(self, obj: models.Model, column: ImportColumn) -> Any:
        """The cell an export writes, in the form this import reads it back."""
        if column.source:
            value: Any = obj
            for part in column.source.split("."):
                value = getattr(value, part, None) if value is not None else None
            return value
        field = self.model_field(column)
        if field is None:
            return getattr(obj, column.field, None)
        if field.choices:
            return getattr(obj, f"get_{field.name}_display")() if getattr(obj, field.attname) not in (None, "") else None
        if field.is_relation and field.many_to_one:
            related = getattr(obj, field.name)
            if related is None:
                return None
            form_field = self.form_class.base_fields.get(column.field)
            return getattr(related, getattr(form_field, "to_field_name", None) or "pk")
        return getattr(obj, field.attname)

    def export_workbook(self, objects: Iterable[models.Model]):
        """An export that imports back: the template's columns, typed cells, and the rows as the import reads them."""
        rows = ([self.export_value(obj, c) for c in self.columns] for obj in objects)
        return excel.typed_workbook(str(self.model._meta.verbose_name_plural), self.column_kinds(), rows)

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
            elif isinstance(field, models.BooleanField):
                value = yes_or_no(value, column)
            elif isinstance(value, float) and value.is_integer() and not isinstance(field, models.FloatField):
                value = int(value)
            data[column.field] = "" if value is None else value
        return data

    def is_example(self, row: excel.ImportRow) -> bool:
        """The template's own example row, left in place: skipped, never imported."""
        return excel.is_example_row(row, {str(c.heading): c.example for c in self.columns})

    def validated(self, data: dict[str, Any], existing: models.Model | None, actor) -> dict[str, Any]:
        """The row through the page's form; every problem of the row (unreadable cells and the form's own) at once."""
        unreadable = {name: [ValidationError(value.message)] for name, value in data.items()
                      if isinstance(value, Unreadable)}
        form = self.form_class(data={k: ("" if k in unreadable else v) for k, v in data.items()}, instance=existing,
                               user=actor)
        valid = form.is_valid()
        if unreadable or not valid:
            errors = {name: errors for name, errors in form.errors.as_data().items() if name not in unreadable}
            raise ValidationError({**unreadable, **errors})
        return {name: form.cleaned_data[name] for name in form._meta.fields if name in form.cleaned_data}

    def key_is_assigned(self) -> bool:
        """True when the platform assigns the key (a code the form does not take): a key that matches nothing is
        then a mistake, never a new record."""
        return self.key_field not in (self.form_class._meta.fields or ())

    def key_of(self, values: dict[str, Any]) -> Hashable | None:
        """The row's natural key, for reporting a repeated row; None when it has none yet (the form says why)."""
        heading = next(str(c.heading) for c in self.columns if c.field == self.key_field)
        return str(values.get(heading) or "").strip().upper() or None

    def run(self, uploaded_file, *, actor, progress: Callable[[int, int], None] | None = None,
            max_rows: int | None = None) -> excel.ImportReport:
        """Read and check the whole file (nothing written yet), then write its rows in short transactions.

        `max_rows` raises the cap on the rows of a file (IMPORT_MAX_ROWS) for a background job.

        A row repeats another only if that one was written: a corrected copy of a refused row goes through, and
        the refused row keeps its own reasons.
        """
        report = excel.ImportReport()
        rows = [row for row in excel.read_rows(uploaded_file, self.headings(), settings.IMPORT_MAX_BYTES, max_rows)
                if not self.is_example(row)]
        written: dict[Hashable, int] = {}
        write_in_batches(rows, lambda row: self._write(row, actor, report, written), progress=progress)
        report.errors.sort()
        return report

    def _write(self, row: excel.ImportRow, actor, report: excel.ImportReport, written: dict[Hashable, int]) -> None:
        key = self.key_of(row.values)
        if key and key in written:
            report.errors.append((row.number, _("与第%(row)d行重复") % {"row": written[key]}))
            return
        try:
            with transaction.atomic():
                created = self.save_row(row, actor)
        except ValidationError as exc:
            report.errors.append((row.number, _flatten(exc, self.model)))
        except PermissionDenied as exc:
            report.errors.append((row.number, str(exc)))
        else:
            if key:
                written[key] = row.number
            if created:
                report.created += 1
            else:
                report.updated += 1

    def save_row(self, row: excel.ImportRow, actor) -> bool:
        data = self.row_data(row.values)
        key = str(data.get(self.key_field, "")).strip().upper()
        existing = self.model._base_manager.filter(**{self.key_field: key}).first() if key else None
        if key and existing is None and self.key_is_assigned():
            label = self.model._meta.get_field(self.key_field).verbose_name
            raise ValidationError(_("%(field)s“%(key)s”不存在：填写已有编号则更新该记录，新登记请留空") % {
                "field": label, "key": key})
        if existing is not None and not self.model.objects.restrict(actor, "change").filter(pk=existing.pk).exists():
            raise ValidationError(_("%(field)s“%(key)s”已登记，且不在您可修改的范围内") % {
                "field": self.model._meta.get_field(self.key_field).verbose_name, "key": key})
        fields = self.validated(data, existing, actor)
        spec = spec_for(self.model)
        if existing is None:
            spec.create_object(actor=actor, **fields)
            return True
        spec.update_object(existing, actor=actor, **fields)
        return False


@dataclass(frozen=True)
class Unreadable:
    """A cell that cannot be what its column holds; reported with the row's other errors."""

    message: str


def yes_or_no(value: Any, column: ImportColumn) -> Any:
    """是/否 (and the usual spellings) as a boolean; anything else is Unreadable."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in YES_WORDS:
        return True
    if text in NO_WORDS:
        return False
    return Unreadable(_("应填“是”或“否”，不能是“%(value)s”") % {"value": value})


def write_in_batches(items: Sequence[T], write: Callable[[T], None], size: int | None = None,
                     progress: Callable[[int, int], None] | None = None) -> None:
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
        if progress is not None:
            progress(min(start + size, len(items)), len(items))


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
