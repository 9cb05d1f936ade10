"""/api/v1/stats/: counts for dashboards, in two queries, with an ETag."""

import datetime as dt

import pytest

from commitments.choices import StatusReason
from commitments.services import claim_add, commitment_update
from tests.factories import make_user
from tracker.services import deadlines_scan

from .helpers import due

pytestmark = pytest.mark.django_db

URL = "/api/v1/stats/"
DEC_1 = dt.date(2024, 12, 1)


@pytest.fixture(autouse=True)
def commitments(clock):
    clock(DEC_1)
    due("2024-11", tags=["cybersecurity", "legislation"])  # overdue
    due("2024-12-10", tags=["cybersecurity"], status="in_progress")  # due within 30 days
    due("2025-01-30", tags=["e-government"], status="adopted")  # due within 90 days
    due("2024-12-05", status="completed")  # done: due nowhere
    due(None, tags=["e-government"])  # no deadline
    due("2024-10", tags=["cybersecurity"], is_published=False)  # a draft, overdue
    deadlines_scan()


def test_stats_count_by_status_overdue_due_soon_and_tag(api):
    response = api.get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "time_zone": "Asia/Ashgabat",
        "today": "2024-12-01",
        "total": 5,
        "by_status": {
            "proposed": 2,
            "adopted": 1,
            "in_progress": 1,
            "stalled": 0,
            "completed": 1,
            "partially_completed": 0,
            "abandoned": 0,
        },
        "overdue": 1,
        "disputed": 0,
        "evidence_stale": 0,
        "by_reason": dict.fromkeys(StatusReason.values, 0),
        "due_within_30_days": 1,
        "due_within_90_days": 2,
        "by_tag": [
            {"tag": "cybersecurity", "total": 2, "overdue": 1},
            {"tag": "e-government", "total": 2, "overdue": 0},
            {"tag": "legislation", "total": 1, "overdue": 1},
        ],
    }


def test_staff_stats_count_drafts(api):
    assert api.get(URL).json()["total"] == 5  # the public's counts, now cached
    api.force_login(make_user(is_staff=True))

    stats = api.get(URL).json()

    assert stats["total"] == 6
    assert stats["overdue"] == 2
    assert stats["by_tag"][0] == {"tag": "cybersecurity", "total": 3, "overdue": 2}


def test_non_staff_users_do_not_see_drafts_counted(api, reader_user):
    api.force_login(reader_user)

    assert api.get(URL).json()["total"] == 5


def test_stats_take_two_queries_and_polls_within_30_seconds_none(api, django_assert_num_queries):
    with django_assert_num_queries(2):
        counted = api.get(URL)
    with django_assert_num_queries(0):
        cached = api.get(URL)

    assert counted.status_code == cached.status_code == 200
    assert cached.json() == counted.json()


def test_unchanged_stats_answer_304_to_their_etag_and_a_change_to_a_new_one(
    api, django_capture_on_commit_callbacks
):
    first = api.get(URL)
    assert first["Cache-Control"] == "public, max-age=30"

    unchanged = api.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304
    assert unchanged.content == b""

    with django_capture_on_commit_callbacks(execute=True):  # the change commits
        due("2024-11")
        deadlines_scan()
    changed = api.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed.json()["overdue"] == 2
    assert changed["ETag"] != first["ETag"]


def test_a_saved_commitment_shows_in_the_stats_as_soon_as_it_commits(
    api, django_capture_on_commit_callbacks
):
    assert api.get(URL).json()["total"] == 5
    commitment = due(None)
    assert api.get(URL).json()["total"] == 5  # not committed yet: the cached counts stand

    with django_capture_on_commit_callbacks(execute=True):
        commitment_update(commitment=commitment, data={"tags": ["elections"]})

    stats = api.get(URL).json()
    assert stats["total"] == 6
    assert {"tag": "elections", "total": 1, "overdue": 0} in stats["by_tag"]


def test_the_counts_follow_the_date_in_ashgabat(api, clock):
    # 19:00 UTC on 1 December is midnight on 2 December in Ashgabat: 1 December is over.
    due("2024-12-01")
    clock(dt.datetime(2024, 12, 1, 19, 0, tzinfo=dt.UTC))
    deadlines_scan()

    stats = api.get(URL).json()

    assert stats["today"] == "2024-12-02"
    assert stats["overdue"] == 2


def test_an_unknown_parameter_is_a_400_naming_it(api):
    response = api.get(URL, {"tag": "cybersecurity"})

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["tag"]


# Passages of the source long enough to be evidence (EVIDENCE_QUOTE_MIN_LENGTH).
QUOTE_2025, QUOTE_2027 = "programme will run for 2025", "will run for 2025-2027"


def test_a_claim_that_disputes_a_fact_shows_in_the_stats_as_soon_as_it_commits(
    api, django_capture_on_commit_callbacks
):
    commitment = due(None)
    source = commitment.citations.get().source
    claim_add(commitment=commitment, fact="deadline", value="2025", source=source, quote=QUOTE_2025)
    assert api.get(URL).json()["disputed"] == 0  # counted, and cached

    with django_capture_on_commit_callbacks(execute=True):  # no row saved: a claim added
        claim_add(
            commitment=commitment, fact="deadline", value="2027", source=source, quote=QUOTE_2027
        )

    assert api.get(URL).json()["disputed"] == 1
