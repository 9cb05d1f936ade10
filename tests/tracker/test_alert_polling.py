"""Polling the alerts feed: every poll, 304s included, goes through the view's one pipeline
(DRF's authentication, negotiation and throttles, then the page's validators). An unchanged
poll is a 304 from one query that carries the validators and headers of the answer it
confirms; news, an edit included, is a 200; staff never get an anonymous answer."""

from __future__ import annotations

import datetime as dt

import pytest

from commitments.services import commitment_update
from tests.factories import make_user
from tracker.models import Alert
from tracker.services import deadlines_scan

from .helpers import due
from .test_alerts_feed import URL, overdue

pytestmark = pytest.mark.django_db

# What a 304 repeats of the 200 whose ETag it confirms.
POLLING_HEADERS = ("ETag", "Last-Modified", "Cache-Control", "Vary", "Allow")


@pytest.fixture(autouse=True)
def _today(clock):
    clock(dt.date(2024, 12, 1))


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        ({}, None),
        ({"after": 0}, None),
        ({"limit": 1}, None),
        ({"after": 1, "limit": 500}, None),
        ({"kind": "overdue"}, None),
        ({"actor": "osce", "role": "partner", "country": "tm"}, None),
        ({}, "application/json"),
        ({}, "application/json;q=0.9"),
    ],
)
def test_an_unchanged_poll_is_a_304_from_one_query_with_the_answers_headers(
    api, django_assert_num_queries, query, accept
):
    overdue()
    overdue()
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    answer = api.get(URL, query, **headers)
    assert answer.status_code == 200

    with django_assert_num_queries(1):
        again = api.get(URL, query, HTTP_IF_NONE_MATCH=answer["ETag"], **headers)

    assert again.status_code == 304
    assert again.content == b""
    assert {name: again.get(name) for name in POLLING_HEADERS} == {
        name: answer.get(name) for name in POLLING_HEADERS
    }
    assert again["Vary"].startswith("Accept, Authorization, Cookie")
    assert again["Allow"] == "GET, HEAD, OPTIONS"


def test_a_poll_with_news_is_a_200_from_two_queries(api, django_assert_num_queries):
    overdue(reference="FIRST")
    etag = api.get(URL)["ETag"]
    overdue(reference="SECOND")

    with django_assert_num_queries(2):  # the page's validators, then its alerts
        response = api.get(URL, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert [a["commitment"]["reference"] for a in response.json()["results"]] == [
        "FIRST",
        "SECOND",
    ]
    assert response["ETag"] != etag


def test_a_commitment_edited_in_the_page_is_news(api):
    commitment = overdue()
    etag = api.get(URL)["ETag"]
    commitment_update(commitment=commitment, data={"title": "Renamed"})

    response = api.get(URL, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response.json()["results"][0]["commitment"]["title"] == "Renamed"


def test_304s_count_against_the_anonymous_limit(api, settings):
    overdue()
    etag = api.get(URL)["ETag"]  # 1
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/min", "user": "3/min"},
    }

    responses = [api.get(URL, HTTP_IF_NONE_MATCH=etag) for _ in range(3)]

    assert [r.status_code for r in responses] == [304, 304, 429]
    assert int(responses[-1]["Retry-After"]) >= 1


def test_a_signed_in_staff_member_never_gets_the_anonymous_answer(api):
    overdue(reference="PUBLIC")
    anonymous_etag = api.get(URL)["ETag"]
    due("2024-11", reference="DRAFT", is_published=False)
    deadlines_scan()
    assert Alert.objects.count() == 2
    api.force_login(make_user(is_staff=True))

    response = api.get(URL, HTTP_IF_NONE_MATCH=anonymous_etag)

    assert response.status_code == 200
    assert [a["commitment"]["reference"] for a in response.json()["results"]] == [
        "PUBLIC",
        "DRAFT",
    ]
    assert response["Cache-Control"] == "private, no-cache"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"HTTP_AUTHORIZATION": "Token nonsense"}, 401),  # authentication comes first
        ({"HTTP_ACCEPT": "text/html"}, 200),  # the browsable API: an ETag of its own
        ({"HTTP_ACCEPT": "text/csv"}, 406),
    ],
)
def test_a_current_etag_does_not_skip_authentication_or_negotiation(api, headers, status):
    overdue()
    etag = api.get(URL)["ETag"]

    assert api.get(URL, HTTP_IF_NONE_MATCH=etag, **headers).status_code == status
