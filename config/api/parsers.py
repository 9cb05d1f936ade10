"""The JSON body parser: DRF's, refusing what would otherwise reach a view as a 500.

On top of DRF's own checks (malformed JSON, NaN/Infinity literals: a 400 `parse_error`) it
refuses, as a 400 naming each place in the body (a dotted path such as `parties.0.actor`):

- JSON nested deeper than MAX_DEPTH (Python's decoder would hit its recursion limit: a 500);
- a number too large to be a number (`1e400` reads as infinity, which no id or count is);
- a NUL character or a lone surrogate (`"\\u0000"`, `"\\ud800"`) in any string or key:
  PostgreSQL refuses both in text, so they would fail at the database instead.

Every body field declared by a serializer refuses these too; this makes it true of every body
of every view, whatever its fields.
"""

from __future__ import annotations

import math
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ErrorDetail, ParseError, ValidationError

# The API's bodies nest three levels at most (a commitment's parties' actors).
MAX_DEPTH = 32


def _string_problem(text: str) -> tuple[str, str] | None:
    if "\x00" in text:
        return "Null characters are not allowed.", "null_characters_not_allowed"
    for character in text:
        if 0xD800 <= ord(character) <= 0xDFFF:
            return (
                f"Surrogate characters are not allowed: U+{ord(character):X}.",
                "surrogate_characters_not_allowed",
            )
    return None


def refused_values(data: Any) -> dict[str, list[ErrorDetail]]:
    """{dotted path: [reason]} for each value of `data` the API refuses (see the module doc).

    Walks the parsed body with a stack of its own, not recursion: its depth is the client's.
    """
    problems: dict[str, list[ErrorDetail]] = {}

    def refuse(name: str, message: str, code: str) -> None:
        problems.setdefault(name, []).append(ErrorDetail(message, code=code))

    stack: list[tuple[tuple, Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        name = ".".join(str(part) for part in path) or "non_field_errors"
        if len(path) > MAX_DEPTH:
            refuse(name, f"Nested too deeply: at most {MAX_DEPTH} levels.", "too_deep")
            continue
        if isinstance(value, dict):
            for key, item in value.items():
                problem = _string_problem(key)
                if problem is not None:
                    refuse(name, f"A key is not valid: {problem[0]}", problem[1])
                    continue
                stack.append(((*path, key), item))
        elif isinstance(value, list):
            stack.extend(((*path, index), item) for index, item in enumerate(value))
        elif isinstance(value, str):
            problem = _string_problem(value)
            if problem is not None:
                refuse(name, *problem)
        elif isinstance(value, float) and not math.isfinite(value):
            refuse(name, "This number is too large.", "number_too_large")
    return problems


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(
                f"JSON parse error - nested too deeply: at most {MAX_DEPTH} levels of objects "
                "and arrays."
            ) from None
        problems = refused_values(data)
        if problems:
            raise ValidationError(problems)
        return data
