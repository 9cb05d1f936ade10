"""The deadline calendar (RFC 5545), for calendar subscriptions and task lists.

By default each commitment with a deadline is one all-day VEVENT on the deadline's **last
day** (DTSTART;VALUE=DATE that day, DTEND the day after): Google Calendar and Outlook import
only events from a subscription, and Apple Calendar does not show a subscription's to-dos.
The last day rather than the whole period, because a deadline "for 2025-2027" drawn as a
three-year event would sit on every day of those years, and the day a promise falls due is
what a subscriber wants to be reminded of; the period is in the description. Events are
TRANSPARENT, so they never mark the subscriber busy. `?component=todo` gives the earlier
VTODOs instead (due on the last day, STATUS from the iCalendar column of
commitments.choices.STATUS_MAPPINGS) for task lists that read them.

UIDs are `commitment-<id>@<TRACKER_CALENDAR_UID_DOMAIN>`: the same whatever host name the feed
is fetched under and for as long as the commitment exists, so a calendar updates an entry
instead of duplicating it. REFRESH-INTERVAL and X-PUBLISHED-TTL ask clients to poll hourly.

The feed is streamed one entry at a time, so its size does not grow the server's memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from icalendar import Calendar, Event, Todo
from icalendar.prop import vDuration

from commitments.choices import STATUS_MAPPINGS
from commitments.models import Commitment
from common.text import without_control_characters
from common.translations import reader_language, text_in

PRODID = "-//Commitment tracker//Deadlines//EN"
CALENDAR_NAME = gettext_lazy("Commitment deadlines")
# How often subscribers should fetch the feed again: deadlines change seldom, statuses daily.
REFRESH = timedelta(hours=1)
# Bumped when what the feed writes for the same rows changes, so that ETags change with it.
FEED_FORMAT = 2

EVENT, TODO = "event", "todo"
COMPONENTS = (EVENT, TODO)

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


def calendar_uid(commitment_id: int) -> str:
    return f"commitment-{commitment_id}@{settings.TRACKER_CALENDAR_UID_DOMAIN}"


def _shell(name: str) -> tuple[bytes, bytes]:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", str(name), parameters={"LANGUAGE": reader_language()})  # RFC 7986
    calendar.add("x-wr-calname", str(name))  # what Google, Apple and Outlook read
    # RFC 7986 requires the VALUE parameter here; icalendar does not write it by itself.
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))  # Outlook's and Apple's older hint
    whole = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    return whole[: -len(end)], end


def _common(component, commitment: Commitment, *, url: str) -> None:
    """What an event and a to-do of one commitment share."""
    component.add("uid", calendar_uid(commitment.pk))
    component.add("dtstamp", commitment.updated_at)
    component.add("created", commitment.created_at)
    component.add("last-modified", commitment.updated_at)
    component.add("sequence", commitment.version)
    # RFC 5545's LANGUAGE says what each text is in: English where it has no translation.
    language = reader_language()
    title, title_language = text_in(commitment, "title", language)
    title = without_control_characters(title)
    component.add(
        "summary", f"{commitment.reference}: {title}", parameters={"LANGUAGE": title_language}
    )
    first, last = commitment.deadline_first_day, commitment.deadline_last_day
    period = (
        last.isoformat()
        if first == last
        else _("%(first)s to %(last)s") % {"first": first.isoformat(), "last": last.isoformat()}
    )
    description = _("Deadline as stated: %(deadline)s (%(period)s).") % {
        "deadline": commitment.deadline_text,
        "period": period,
    }
    description += "\n" + _("Status: %(status)s.") % {"status": commitment.get_status_display()}
    description += f"\n{url}"
    text, description_language = text_in(commitment, "description", language)
    text = without_control_characters(text)
    if text:
        description = f"{text}\n\n{description}"
    else:
        description_language = language
    component.add("description", description, parameters={"LANGUAGE": description_language})
    component.add("class", "PUBLIC")
    component.add("url", url)
    if commitment.tags:
        component.add("categories", list(commitment.tags))


def commitment_event(commitment: Commitment, *, url: str) -> Event:
    event = Event()
    _common(event, commitment, url=url)
    event.add("dtstart", commitment.deadline_last_day)
    event.add("dtend", commitment.deadline_last_day + timedelta(days=1))
    event.add("transp", "TRANSPARENT")
    # An event is CONFIRMED or CANCELLED; how far the work got is in the description.
    cancelled = STATUS_MAPPINGS[commitment.status].icalendar == "CANCELLED"
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def commitment_todo(commitment: Commitment, *, url: str) -> Todo:
    todo = Todo()
    _common(todo, commitment, url=url)
    # DTSTART must come strictly before DUE: a one-day deadline has only its DUE.
    if commitment.deadline_first_day < commitment.deadline_last_day:
        todo.add("dtstart", commitment.deadline_first_day)
    todo.add("due", commitment.deadline_last_day)
    todo.add("status", STATUS_MAPPINGS[commitment.status].icalendar)
    return todo


def deadline_calendar_lines(
    commitments: Iterable[Commitment],
    *,
    page_url: Callable[[Commitment], str],
    component: str = EVENT,
    name: str = CALENDAR_NAME,
) -> Iterator[bytes]:
    build = commitment_todo if component == TODO else commitment_event
    head, tail = _shell(name)
    yield head
    for commitment in commitments:
        yield build(commitment, url=page_url(commitment)).to_ical()
    yield tail
