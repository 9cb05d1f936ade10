"""Publication dates are often partial: a day, a month, a year, or unknown."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from edtf import parse_edtf, struct_time_to_date


def partial_date_parse(value: str) -> date | None:
    """'YYYY-MM-DD', 'YYYY-MM', 'YYYY' or '' (unknown): return its first day, or None.

    The first day orders and filters sources by date; the partial value is kept beside it.
    """
    value = (value or "").strip()
    if not value:
        return None
    if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
        raise ValidationError(
            f"Not a partial date: {value!r}. Use 'YYYY-MM-DD', 'YYYY-MM', 'YYYY', or leave it "
            "empty when the date is unknown.",
            code="invalid_partial_date",
        )
    try:
        return struct_time_to_date(parse_edtf(value).lower_strict())
    except Exception:  # the edtf parser refuses impossible days such as 2024-02-30
        raise ValidationError(f"Not a real date: {value!r}.", code="invalid_partial_date") from None
