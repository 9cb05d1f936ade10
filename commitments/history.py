"""One entry of a commitment's history: a status, party status or deadline change, in the
order recorded.
Read by commitments.selectors and written out by the API's serializers, below both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from commitments.models import DeadlineChange, PartyStatusChange, StatusChange


@dataclass(frozen=True)
class HistoryEntry:
    kind: str  # "status", "party_status" or "deadline"
    recorded_at: datetime
    change: StatusChange | PartyStatusChange | DeadlineChange
