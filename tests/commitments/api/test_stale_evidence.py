"""Stale evidence: the tracker's scan flags what nobody has checked for a while, in one
set-based UPDATE on partial indexes; a fresh citation or a final status clears it at once;
the admin's research queue lists what is flagged, most overdue first."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from commitments.choices import FINAL_STATUSES, OPEN_STATUSES, Status
from commitments.models import Commitment
from commitments.services import (
    citation_add,
    commitment_record_status_change,
    commitments_refresh_stale_flags,
)
from config.settings import base as base_settings
from tests.factories import make_commitment, make_source
from tracker.choices import AlertKind
from tracker.models import Alert
from tracker.services import deadlines_scan

pytestmark = pytest.mark.django_db

ASHGABAT = ZoneInfo("Asia/Ashgabat")
TODAY = date(2026, 3, 1)
# The source's day (tests.factories: 13 September 2024) is the commitment's newest evidence.
SOURCE_DAY = date(2024, 9, 13)
FRESH = "Officials said the programme was approved by the Cabinet."


@pytest.fixture(autouse=True)
def stale_evidence_on(settings):
    """The production defaults (the test settings turn stale evidence off)."""
    settings.TRACKER_EVIDENCE_STALE_DAYS = base_settings.TRACKER_EVIDENCE_STALE_DAYS
    settings.TRACKER_EVIDENCE_GRACE_DAYS = base_settings.TRACKER_EVIDENCE_GRACE_DAYS


@pytest.fixture
def today(time_machine):
    time_machine.move_to(datetime.combine(TODAY, datetime.min.time(), ASHGABAT), tick=False)
    return TODAY


def stale_alerts(commitment) -> list[date]:
    return list(
        Alert.objects.filter(commitment=commitment, kind=AlertKind.EVIDENCE_STALE)
        .order_by("id")
        .values_list("last_day", flat=True)
    )


def test_evidence_older_than_a_year_is_flagged_once_and_a_fresh_citation_clears_it(today):
    commitment = make_commitment(deadline="2027")
    # Cited from an old source: stale from the start, with its alert, as a scan would flag it.
    assert commitment.last_evidence_on == SOURCE_DAY and commitment.evidence_stale is True
    assert stale_alerts(commitment) == [SOURCE_DAY]

    summary = deadlines_scan()

    assert summary.became_stale == []
    assert stale_alerts(commitment) == [SOURCE_DAY]
    fresh = make_source(published="2026-02-20")
    citation_add(commitment=commitment, source=fresh, quote=FRESH)
    commitment.refresh_from_db()
    assert (commitment.last_evidence_on, commitment.evidence_stale) == (date(2026, 2, 20), False)
    assert deadlines_scan().no_longer_stale == []  # already cleared by the citation


@pytest.mark.parametrize(
    ("deadline", "evidence_day", "stale"),
    [
        ("2025-12", "2025-11-20", True),  # the deadline passed 2 months ago, nothing since
        ("2026-02-15", "2026-01-10", False),  # it passed 2 weeks ago: within the grace
        ("2025-12", "2026-01-05", False),  # evidence after the deadline
        ("2027", "2025-06-01", False),  # recent enough, deadline ahead
        ("2027", "2025-02-27", True),  # a year and two days old
    ],
)
def test_a_deadline_passed_with_no_evidence_since_or_old_evidence_is_stale(
    today, deadline, evidence_day, stale
):
    source = make_source(published=evidence_day)

    commitment = make_commitment(source=source, deadline=deadline)
    deadlines_scan()

    commitment.refresh_from_db()
    assert commitment.evidence_stale is stale
    assert len(stale_alerts(commitment)) == int(stale)


def test_a_final_status_is_never_stale_and_reopening_flags_it_again(today):
    commitment = make_commitment(deadline="2027")
    deadlines_scan()
    source = commitment.citations.first().source

    commitment_record_status_change(
        commitment=commitment,
        status=Status.COMPLETED,
        effective_on=today,
        source=source,
        quote=FRESH,
    )
    commitment.refresh_from_db()
    assert commitment.evidence_stale is False

    commitment_record_status_change(
        commitment=commitment,
        status=Status.IN_PROGRESS,
        effective_on=today,
        source=source,
        quote=FRESH,
    )
    commitment.refresh_from_db()
    assert commitment.evidence_stale is True
    assert stale_alerts(commitment) == [SOURCE_DAY]  # the same stale evidence alerts once


def test_the_age_is_configurable_and_the_scan_flags_what_aged(today, settings, time_machine):
    settings.TRACKER_EVIDENCE_STALE_DAYS = 600
    commitment = make_commitment(deadline="2030")
    assert deadlines_scan().became_stale == [] and not stale_alerts(commitment)

    time_machine.move_to(datetime(2026, 6, 1, 9, tzinfo=ASHGABAT), tick=False)
    summary = deadlines_scan()

    assert summary.became_stale == [commitment.pk]
    assert stale_alerts(commitment) == [SOURCE_DAY]


def test_readers_see_when_it_was_last_checked_and_that_it_is_stale(today, anon):
    commitment = make_commitment(deadline="2027", reference="OLD-1")
    deadlines_scan()

    body = anon.get(f"/api/v1/commitments/{commitment.pk}/").json()
    page = anon.get("/en/commitments/OLD-1/").content.decode()
    listed = anon.get("/en/commitments/", {"evidence_stale": "true"}).content.decode()

    assert (body["last_evidence_on"], body["evidence_stale"]) == ("2024-09-13", True)
    assert "last checked 13 Sep 2024" in page and "Evidence stale" in page
    assert "OLD-1" in listed
    assert anon.get("/api/v1/stats/").json()["evidence_stale"] == 1


def test_the_research_queue_lists_the_stale_most_overdue_then_oldest_first(today, client, editor):
    old = make_source(published="2023-05-01")
    older = make_source(published="2022-01-10")
    # Made in the opposite order to the queue's, so that an order by id would fail.
    newer_open = make_commitment(source=old, deadline="2030", reference="Q-NEWER")
    oldest_open = make_commitment(source=older, deadline="2030", reference="Q-OLDEST")
    just_overdue = make_commitment(source=older, deadline="2025-10", reference="Q-JUST")
    long_overdue = make_commitment(source=old, deadline="2024-06", reference="Q-LONG")
    make_commitment(source=make_source(published="2026-02-01"), reference="Q-FRESH")
    deadlines_scan()
    client.force_login(editor)

    page = client.get("/admin/commitments/researchitem/").content.decode()

    positions = [
        page.find(c.reference) for c in (long_overdue, just_overdue, oldest_open, newer_open)
    ]
    assert -1 not in positions and positions == sorted(positions), positions
    assert "Q-FRESH" not in page
    assert f"/admin/commitments/commitment/{long_overdue.pk}/status-change/" in page
    assert "/admin/sources/source/add/" in page


# --- a million rows -------------------------------------------------------------------------

MILLION = 1_000_000
# The status cycles through the vocabulary; a quarter have no deadline, the others a day from
# 100 days ago to 3 years ahead; the newest evidence is up to 400 days old (a fifth have none),
# so that about one row in ten is stale. Which rows are is what the oracle below says.
_ROWS_SQL = f"""
INSERT INTO {Commitment._meta.db_table} (
    reference, title, description, kind, status, deadline_text, deadline_edtf,
    deadline_first_day, deadline_last_day, recurring, tags, is_published, is_overdue,
    version, created_at, updated_at, translation_origins, last_evidence_on)
SELECT 'M-' || i, 'Row ' || i, '', 'programme', (%(statuses)s::text[])[1 + i %% 7],
       CASE WHEN i %% 4 = 0 THEN '' ELSE 'a day' END,
       CASE WHEN i %% 4 = 0 THEN '' ELSE 'x' END,
       CASE WHEN i %% 4 = 0 THEN NULL ELSE %(today)s::date - 100 + ((i * 7919) %% 1100)::int END,
       CASE WHEN i %% 4 = 0 THEN NULL ELSE %(today)s::date - 100 + ((i * 7919) %% 1100)::int END,
       FALSE, '{{}}', TRUE, FALSE, 1, now(), now(), '{{}}',
       CASE WHEN i %% 5 = 0 THEN NULL ELSE %(today)s::date - ((i * 104729) %% 400)::int END
  FROM generate_series(1, %(n)s::bigint) AS i
"""
_ORACLE_SQL = f"""
SELECT count(*) FROM {Commitment._meta.db_table}
 WHERE evidence_stale <> coalesce(
       status = ANY(%(open)s)
       AND (last_evidence_on < %(cutoff)s
            OR (deadline_last_day < %(grace)s
                AND (last_evidence_on IS NULL OR last_evidence_on <= deadline_last_day))),
       FALSE)
"""


@pytest.fixture
def million_rows():
    with connection.cursor() as cursor:
        cursor.execute(
            _ROWS_SQL,
            {"statuses": list(OPEN_STATUSES + FINAL_STATUSES), "today": TODAY, "n": MILLION},
        )
        cursor.execute(f"ANALYZE {Commitment._meta.db_table}")


def _mismatches(settings) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            _ORACLE_SQL,
            {
                "open": list(OPEN_STATUSES),
                "cutoff": TODAY - timedelta(days=settings.TRACKER_EVIDENCE_STALE_DAYS),
                "grace": TODAY - timedelta(days=settings.TRACKER_EVIDENCE_GRACE_DAYS),
            },
        )
        return cursor.fetchone()[0]


def test_on_a_million_rows_the_scan_flags_exactly_the_stale_ones_reading_partial_indexes(
    million_rows, settings
):
    with CaptureQueriesContext(connection) as queries:
        first = commitments_refresh_stale_flags(today=TODAY)
    (update,) = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith("UP")]

    assert 50_000 < len(first.became_stale) < 200_000 and _mismatches(settings) == 0
    # A scan with nothing to do changes nothing; the next day's flags what became stale.
    assert commitments_refresh_stale_flags(today=TODAY).became_stale == []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {update}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for index in ("commitment_evidence_age_idx", "commitment_unchecked_idx"):
        assert index in plan, plan
    assert "commitment_stale_idx" in plan, plan
    assert "Seq Scan" not in plan, plan
