"""Service helpers shared by every app; they depend on no app."""

from __future__ import annotations


class VersionConflict(Exception):
    """The caller's copy is stale: someone else changed the commitment first."""

    def __init__(self, *, expected: int, current: int):
        super().__init__(
            f"The commitment is at version {current}, not {expected}: it was changed by "
            "someone else. Fetch it again and reapply your change."
        )
        self.expected = expected
        self.current = current
