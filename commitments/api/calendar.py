"""The deadline calendar: one VTODO per commitment with a deadline (RFC 5545).

A VTODO is due on the deadline's last day (a DATE value); its STATUS is the iCalendar column
of the published status mapping (commitments.choices.STATUS_MAPPINGS). The feed is streamed one
entry at a time, so its size does not grow the server's memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from icalendar import Calendar, Todo

from commitments.choices import STATUS_MAPPINGS
from commitments.models import Commitment

PRODID = "-//Commitment tracker//Deadlines//EN"
CALENDAR_FIELDS = (
    "id",
    "reference",
    "title",
    "description",
    "status",
    "tags",
    "deadline_text",
    "deadline_first_day",
    "deadline_last_day",
    "version",
    "created_at",
    "updated_at",
)


def _shell(name: str) -> tuple[bytes, bytes]:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    whole = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    return whole[: -len(end)], end


def commitment_todo(commitment: Commitment, *, url: str, host: str) -> Todo:
    todo = Todo()
    todo.add("uid", f"commitment-{commitment.pk}@{host}")
    todo.add("dtstamp", commitment.updated_at)
    todo.add("created", commitment.created_at)
    todo.add("last-modified", commitment.updated_at)
    todo.add("sequence", commitment.version)
    todo.add("summary", f"{commitment.reference}: {commitment.title}")
    description = f"Deadline as stated: {commitment.deadline_text}."
    if commitment.description:
        description = f"{commitment.description}\n\n{description}"
    todo.add("description", description)
    # DTSTART must come strictly before DUE: a one-day deadline has only its DUE.
    if commitment.deadline_first_day < commitment.deadline_last_day:
        todo.add("dtstart", commitment.deadline_first_day)
    todo.add("due", commitment.deadline_last_day)
    todo.add("status", STATUS_MAPPINGS[commitment.status].icalendar)
    todo.add("class", "PUBLIC")
    todo.add("url", url)
    if commitment.tags:
        todo.add("categories", list(commitment.tags))
    return todo


def deadline_calendar_lines(
    commitments: Iterable[Commitment], *, name: str, url_for, host: str
) -> Iterator[bytes]:
    head, tail = _shell(name)
    yield head
    for commitment in commitments:
        yield commitment_todo(commitment, url=url_for(commitment), host=host).to_ical()
    yield tail
