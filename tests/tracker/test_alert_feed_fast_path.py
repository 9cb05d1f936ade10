"""An anonymous dashboard's unchanged poll is answered before DRF (tracker.api.views.
anonymous_poll_not_modified). It must be the same answer the full path gives, still counted
by the throttle, and never taken for a poll it cannot answer exactly."""

from __future__ import annotations

import datetime as dt

import pytest

from commitments.services import commitment_update
from tests.factories import make_user
from tracker.api.views import AlertFeedView
from tracker.models import Alert
from tracker.services import deadlines_scan

from .helpers import due
from .test_alerts_feed import URL, overdue

pytestmark = pytest.mark.django_db

# Negotiated to JSON by DRF like no Accept at all, but not one the fast path takes.
FULL_PATH_ACCEPT = "application/json;q=0.9"


@pytest.fixture(autouse=True)
def _today(clock):
    clock(dt.date(2024, 12, 1))


@pytest.fixture
def full_path_calls(monkeypatch) -> list:
    """Records each poll that entered DRF's request cycle (authentication, throttles, the
    view), then lets it run."""
    calls = []
    initial = AlertFeedView.initial

    def recording_initial(self, request, *args, **kwargs):
        calls.append(request.get_full_path())
        return initial(self, request, *args, **kwargs)

    monkeypatch.setattr(AlertFeedView, "initial", recording_initial)
    return calls


def _headers(response) -> dict:
    return {name.lower(): value for name, value in response.items()}


@pytest.mark.parametrize("query", [{}, {"after": 0}, {"limit": 1}, {"after": 1, "limit": 500}])
def test_the_fast_304_is_the_full_paths_304_header_for_header(
    api, full_path_calls, django_assert_num_queries, query
):
    overdue()
    overdue()
    etag = api.get(URL, query)["ETag"]
    full_path_calls.clear()

    full = api.get(URL, query, HTTP_IF_NONE_MATCH=etag, HTTP_ACCEPT=FULL_PATH_ACCEPT)
    assert full_path_calls, "the full path should have answered"
    full_path_calls.clear()
    with django_assert_num_queries(1):
        fast = api.get(URL, query, HTTP_IF_NONE_MATCH=etag)
    assert full_path_calls == []

    assert (full.status_code, fast.status_code) == (304, 304)
    assert fast.content == b""
    assert _headers(fast) == _headers(full)
    assert fast["Vary"].startswith("Accept, Authorization, Cookie")
    assert fast["Allow"] == "GET, HEAD, OPTIONS"


def test_news_goes_through_the_full_path_at_the_cost_of_one_more_query(
    api, full_path_calls, django_assert_num_queries
):
    overdue(reference="FIRST")
    etag = api.get(URL)["ETag"]
    overdue(reference="SECOND")

    with django_assert_num_queries(3):  # the fast path's probe, then the page and its alerts
        response = api.get(URL, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert [a["commitment"]["reference"] for a in response.json()["results"]] == [
        "FIRST",
        "SECOND",
    ]
    assert response["ETag"] != etag


def test_a_commitment_edited_in_the_page_is_news_on_the_fast_path_too(api, full_path_calls):
    commitment = overdue()
    etag = api.get(URL)["ETag"]
    commitment_update(commitment=commitment, data={"title": "Renamed"})

    response = api.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["results"][0]["commitment"]["title"] == "Renamed"


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        ({"kind": "overdue"}, {}),  # a filter
        ({"after": "-1"}, {}),  # invalid: the full path says why
        ({"after": "1", "limit": "501"}, {}),
        ({"limit": ["1", "2"]}, {}),
        ({"format": "json"}, {}),
        ({}, {"HTTP_ACCEPT": "text/html"}),  # the browsable API
        ({}, {"HTTP_AUTHORIZATION": "Token nonsense"}),  # a 401, from the full path
        ({}, {"HTTP_IF_MODIFIED_SINCE": "Sun, 01 Dec 2024 00:00:00 GMT"}),  # no ETag sent
    ],
)
def test_polls_it_cannot_answer_exactly_go_to_the_full_path(api, full_path_calls, query, headers):
    overdue()
    headers = {"HTTP_IF_NONE_MATCH": '"any"', **headers}
    if "HTTP_IF_MODIFIED_SINCE" in headers:
        del headers["HTTP_IF_NONE_MATCH"]
    api.get(URL, query, **headers)
    assert len(full_path_calls) == 1


def test_a_signed_in_staff_member_never_gets_the_anonymous_answer(api, full_path_calls):
    overdue(reference="PUBLIC")
    anonymous_etag = api.get(URL)["ETag"]
    due("2024-11", reference="DRAFT", is_published=False)
    deadlines_scan()
    assert Alert.objects.count() == 2
    api.force_login(make_user(is_staff=True))
    full_path_calls.clear()

    response = api.get(URL, HTTP_IF_NONE_MATCH=anonymous_etag)

    assert full_path_calls, "a session goes through the full path"
    assert response.status_code == 200
    assert [a["commitment"]["reference"] for a in response.json()["results"]] == [
        "PUBLIC",
        "DRAFT",
    ]


def test_fast_304s_count_against_the_anonymous_limit(api, settings, full_path_calls):
    overdue()
    etag = api.get(URL)["ETag"]  # 1
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "user": "3/min"},
    }
    statuses = [api.get(URL, HTTP_IF_NONE_MATCH=etag).status_code for _ in range(3)]

    assert statuses == [304, 304, 429]
    assert len(full_path_calls) == 2  # the first 200 and the 429, not the 304s
