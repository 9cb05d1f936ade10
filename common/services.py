"""Service helpers shared by every app; they depend on no app."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db.models import Model


class VersionConflict(Exception):
    """The caller's copy is stale: someone else changed the commitment first."""

    def __init__(self, *, expected: int, current: int):
        super().__init__(
            f"The commitment is at version {current}, not {expected}: it was changed by "
            "someone else. Fetch it again and reapply your change."
        )
        self.expected = expected
        self.current = current


def refuse_unknown_fields(data: Mapping, *, allowed: Iterable[str]) -> None:
    """A ValidationError naming each key of `data` that is not `allowed` to change."""
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in unknown})


def fields_set(instance: Model, data: Mapping) -> None:
    """Set `data` on `instance`, not saved: the caller validates and saves."""
    for name, value in data.items():
        setattr(instance, name, value)
