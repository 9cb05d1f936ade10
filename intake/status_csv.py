"""The CSV of a bulk status review: read and written with Python's csv module.

The columns round-trip the commitment export: a file from the admin's "Export for a status
review" (or the API's `?format=csv`, which has `reference` too) comes back with these filled
in. Any other column is ignored, so the export's own columns may stay.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from operator import itemgetter

from django.core.exceptions import ValidationError

from config.api.export import starts_like_formula

# Read: `reference` names the commitment; a row with no new_status is left out.
REQUIRED_COLUMNS = ("reference", "new_status", "effective_on", "source_id", "quote")
# `reason` for a stalled or abandoned status; `replaced_by`, the reference of the commitment
# it was superseded by or merged into.
OPTIONAL_COLUMNS = ("note", "reason", "replaced_by")
# Written: what the reviewer needs to see, then the columns to fill in.
EXPORT_COLUMNS = (
    "reference",
    "title",
    "status",
    "deadline_text",
    "deadline_last_day",
    "is_overdue",
    "new_status",
    "effective_on",
    "source_id",
    "quote",
    "note",
    "reason",
    "replaced_by",
)
# Whatever the file says, a review stops here: more rows are more than anyone checks by eye.
MAX_ROWS = 20_000


@dataclass(frozen=True)
class StatusRow:
    line: int  # the line in the file, the header being line 1
    reference: str
    new_status: str
    effective_on: str
    source_id: str
    quote: str
    note: str
    reason: str = ""
    replaced_by: str = ""


def status_rows_read(text: str) -> list[StatusRow]:
    """The rows that ask for a change; a ValidationError naming the missing columns or the
    size when the file cannot be a status review."""
    # PostgreSQL keeps no NUL in text, and a cell past the csv module's limit is an error
    # of its own: both are the file's problem, said on the form.
    if "\x00" in text:
        raise ValidationError(
            {"file": ["The file holds a NUL character: save it as plain UTF-8 text (CSV)."]}
        )
    try:
        return _rows_read(text)
    except csv.Error as error:
        raise ValidationError({"file": [f"The file is not readable as CSV: {error}."]}) from None


def _rows_read(text: str) -> list[StatusRow]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise ValidationError(
            {
                "file": [
                    f"The file lacks the column(s) {', '.join(missing)}. A status review needs "
                    f"{', '.join(REQUIRED_COLUMNS)} (and optionally "
                    f"{', '.join(OPTIONAL_COLUMNS)}); export the "
                    "commitments for a status review to get them."
                ]
            }
        )
    reader.fieldnames = header
    rows = []
    for number, raw in enumerate(reader, start=2):
        values = {
            name: _unneutralised((raw.get(name) or "").strip())
            for name in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
        }
        if not values["new_status"]:
            continue
        rows.append(StatusRow(line=number, **values))
        if len(rows) > MAX_ROWS:
            raise ValidationError(
                {"file": [f"A status review has at most {MAX_ROWS} changes; split the file."]}
            )
    if not rows:
        raise ValidationError({"file": ["No row has a new_status: there is nothing to change."]})
    return rows


def _unneutralised(value: str) -> str:
    # The export wrote "'=…" for a cell starting like a formula (config.api.export); read back
    # the value itself.
    if value[:1] == "'" and starts_like_formula(value[1:]):
        return value[1:]
    return value


def status_review_columns() -> dict:
    """The export's columns for config.api.export.csv_streaming_response, over `.values()`
    rows: the commitment's, then the ones to fill in, empty."""
    given = {name: itemgetter(name) for name in EXPORT_COLUMNS[:6]}
    return {**given, **{name: (lambda row: "") for name in EXPORT_COLUMNS[6:]}}
