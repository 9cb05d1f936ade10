"""A commitment's evidence timeline: what happened to it, by date, each step with the quote
that backs it — when it was announced, every status and deadline change, and since when it
is overdue, and each party's own status changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

from commitments.choices import Status, StatusReason
from commitments.history import HistoryEntry
from commitments.models import Citation, Commitment
from pages.formats import long_date


@dataclass
class Event:
    on: date | None
    kind: str  # announced, status, party_status, deadline, overdue
    title: str
    detail: str = ""
    citations: list[Citation] = field(default_factory=list)
    # The detail is what staff wrote (a note, a reason: in English, the record's language),
    # not the interface's own words.
    detail_is_record: bool = False


def _deadline_words(text: str, edtf: str) -> str:
    return f"{text} ({edtf})" if text else _("none")


def _reasoned(note: str, reason: str) -> str:
    """A change's note, after its reason (stalled, abandoned) when it has one."""
    if not reason:
        return note
    return f"{StatusReason(reason).label}. {note}".strip()


def evidence_timeline(*, commitment: Commitment, history: list[HistoryEntry]) -> list[Event]:
    """Oldest first. The announcement cites what the commitment was recorded from."""
    events = [
        Event(
            commitment.announced_on,
            "announced",
            _("Announced"),
            citations=list(commitment.citations.all()),
        )
    ]
    for entry in history:
        change = entry.change
        if entry.kind == "status":
            title = _("Status: %(old)s → %(new)s") % {
                "old": Status(change.old_status).label,
                "new": Status(change.new_status).label,
            }
            detail = _reasoned(change.note, change.reason)
        elif entry.kind == "party_status":
            title = _("%(party)s's part: %(old)s → %(new)s") % {
                "party": change.party.actor.name,  # in the reader's language, as every name
                "old": Status(change.old_status).label if change.old_status else _("none"),
                "new": Status(change.new_status).label,
            }
            detail = _reasoned(change.note, change.reason)
        else:
            title = _("Deadline: %(old)s → %(new)s") % {
                "old": _deadline_words(change.old_text, change.old_edtf),
                "new": _deadline_words(change.new_text, change.new_edtf),
            }
            detail = change.reason
        events.append(
            Event(change.effective_on, entry.kind, title, detail, [change.evidence], True)
        )
    if commitment.is_overdue:
        events.append(
            Event(
                commitment.overdue_since,
                "overdue",
                _("Overdue"),
                _("The deadline's last day, %(day)s, passed with the commitment still open.")
                % {"day": long_date(commitment.deadline_last_day)},
            )
        )
    # Undated announcements first; same-day steps keep their recorded order (sort is stable).
    return sorted(events, key=lambda event: (event.on is not None, event.on or date.min))
