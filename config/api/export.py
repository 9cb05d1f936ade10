"""CSV exports that stream every matching row, so memory stays flat however many there are."""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from functools import partial
from operator import attrgetter
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

from common.translations import reader_language, translation_state
from config.api.languages import in_active_language

# Rows are fetched from PostgreSQL in chunks of this many (with their prefetches per chunk).
CHUNK_SIZE = 1000

CsvColumns = Mapping[str, Callable[[Any], Any]]


class _Echo:
    """A file-like object whose write() returns what it was given: csv.writer → one line."""

    def write(self, value: str) -> str:
        return value


# A spreadsheet reads a cell that starts with one of these as a formula (CSV injection: a
# title such as `=HYPERLINK(...)` would run in the reader's spreadsheet). Such text cells get a
# leading single quote, as OWASP recommends; numbers, dates and booleans never start so.
# OWASP's list, and `|`, which starts a DDE call (`|cmd`) in some spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "|")


def starts_like_formula(text: str) -> bool:
    """Whether a spreadsheet may read `text` as a formula. The first character is compared in
    NFKC, so that its compatibility forms count too (fullwidth U+FF1D, small U+FE62…), which a
    spreadsheet may read as the ASCII sign."""
    return unicodedata.normalize("NFKC", text[:1]).startswith(FORMULA_STARTS)


def csv_text(text: str) -> str:
    return f"'{text}" if starts_like_formula(text) else text


def _csv_plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(_csv_plain(item) for item in value)
    return str(value)


def csv_cell(value: Any) -> str:
    """A value as CSV text; text that a spreadsheet would run as a formula is neutralised."""
    text = _csv_plain(value)
    return csv_text(text) if isinstance(value, str | list | tuple) else text


def csv_columns(names: Iterable[str]) -> dict[str, Callable[[Any], Any]]:
    """Columns that read the attributes of the same names; `translation` (the serializers'
    TranslationStateField) as the TRANSLATION_CSV_COLUMNS."""
    columns: dict[str, Callable[[Any], Any]] = {}
    for name in names:
        if name == "translation":
            columns |= {
                column: partial(_translation_csv_value, key=key)
                for column, key in TRANSLATION_CSV_COLUMNS.items()
            }
        else:
            columns[name] = attrgetter(name)
    return columns


# What a record's translated columns are in, flat: the language asked for, who wrote that
# translation, and the fields given in English instead, space-separated.
TRANSLATION_CSV_COLUMNS = {
    "translation_language": "language",
    "translation_origin": "origin",
    "translation_fallback": "fallback",
}


def translation_csv_value(state: dict, key: str):
    """One of TRANSLATION_CSV_COLUMNS from a translation state (`translation_state`)."""
    value = state[key]
    return " ".join(value) if isinstance(value, list) else value


def _translation_csv_value(record, *, key: str):
    return translation_csv_value(translation_state(record, reader_language()), key)


# The UTF-8 byte-order mark: Excel reads a CSV as UTF-8 only when the file starts with it. Opt-in
# (`?bom=true`): Python's csv module and most scripts would read it as part of the first header.
BOM = "\ufeff"


def csv_lines(rows: Iterable[Any], columns: CsvColumns, *, bom: bool = False) -> Iterator[bytes]:
    writer = csv.writer(_Echo())
    yield ((BOM if bom else "") + writer.writerow(list(columns))).encode("utf-8")
    for row in rows:
        yield writer.writerow([csv_cell(get(row)) for get in columns.values()]).encode("utf-8")


def csv_streaming_response(
    queryset: QuerySet, columns: CsvColumns, *, filename: str, bom: bool = False
) -> StreamingHttpResponse:
    """Every row of `queryset` as CSV, read with a server-side cursor in chunks."""
    lines = csv_lines(queryset.iterator(chunk_size=CHUNK_SIZE), columns, bom=bom)
    response = StreamingHttpResponse(
        in_active_language(lines),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
