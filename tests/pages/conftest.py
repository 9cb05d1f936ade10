"""The seed dataset as a reader finds it on 23 November 2026: scanned once (the Ashgabat
dialogue overdue), with one status change recorded with its evidence."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from commitments.models import Commitment
from commitments.services import commitment_record_status_change
from tracker.services import deadlines_scan

TODAY = dt.date(2026, 11, 23)
ASHGABAT = ZoneInfo("Asia/Ashgabat")


@pytest.fixture
def clock(time_machine):
    # Ticking: the browser test's live server and Playwright run beside it.
    time_machine.move_to(dt.datetime.combine(TODAY, dt.time(9), ASHGABAT), tick=True)


@pytest.fixture
def public_data(seeded, clock):
    programme = Commitment.objects.get(reference="TM-2024-05")
    evidence = programme.citations.get()
    commitment_record_status_change(
        commitment=programme,
        status="adopted",
        effective_on=dt.date(2026, 10, 1),
        note="The programme was approved.",
        source=evidence.source,
        quote=evidence.quote,
    )
    deadlines_scan()


@pytest.fixture
def browser_client():
    """A reader's browser: anonymous, HTML."""
    return Client(HTTP_ACCEPT="text/html")
