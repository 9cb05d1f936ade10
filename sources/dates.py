"""Publication dates are often partial: a day, a month, a year, or unknown."""

import re
from datetime import date

from django.core.exceptions import ValidationError


def partial_date_parse(value: str) -> date | None:
    """'YYYY-MM-DD', 'YYYY-MM', 'YYYY' or '' (unknown): return its first day, or None.

    The first day orders and filters sources by date; the partial value is kept beside it.
    """
    value = (value or "").strip()
    if not value:
        return None
    # ASCII digits only: `\d` alone also matches other scripts' digits, e.g. full-width ones.
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value, flags=re.ASCII):
        raise ValidationError(
            f"Not a partial date: {value!r}. Use 'YYYY-MM-DD', 'YYYY-MM', 'YYYY', or leave it "
            "empty when the date is unknown.",
            code="invalid_partial_date",
        )
    # Not the edtf parser: it reads '2024-21' as spring and '2024-35' as a quarter, not months.
    year, month, day = ([int(part) for part in value.split("-")] + [1, 1])[:3]
    try:
        return date(year, month, day)
    except ValueError:  # month 13, 2024-02-30, year 0
        raise ValidationError(f"Not a real date: {value!r}.", code="invalid_partial_date") from None
