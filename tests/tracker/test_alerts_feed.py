"""/api/v1/alerts/: the feed dashboards poll. Oldest first after a cursor; an unchanged poll is
a 304 from one query, before any serialization."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils.http import parse_http_date

from commitments.services import commitment_update
from tests.factories import make_actor, make_user
from tracker.api.serializers import AlertSerializer
from tracker.models import Alert
from tracker.services import deadlines_scan

from .helpers import due, record_status

pytestmark = pytest.mark.django_db

URL = "/api/v1/alerts/"
DEC_1 = dt.date(2024, 12, 1)


@pytest.fixture(autouse=True)
def _today(clock):
    clock(DEC_1)


def overdue(**extra):
    """A commitment that the scan has just flagged overdue (one new alert)."""
    commitment = due("2024-11", **extra)
    deadlines_scan(commitment_ids=[commitment.pk])
    return commitment


def refs(response) -> list[str]:
    return [alert["commitment"]["reference"] for alert in response.json()["results"]]


# --- the polling path -------------------------------------------------------------------------


def test_an_unchanged_poll_is_a_304_without_body_from_one_query_and_no_serialization(
    api, django_assert_num_queries, monkeypatch
):
    overdue()
    first = api.get(URL)
    assert first.status_code == 200

    def serialization(*args, **kwargs):
        raise AssertionError("an alert was serialized")

    monkeypatch.setattr(AlertSerializer, "to_representation", serialization)
    with django_assert_num_queries(1):
        again = api.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert again["Last-Modified"] == first["Last-Modified"]
    assert again["Cache-Control"] == "public, max-age=30"  # anonymous: API_CACHE_SECONDS
    with pytest.raises(AssertionError, match="serialized"):
        api.get(URL)  # without the ETag, the same request does serialize


def test_after_a_new_alert_a_poll_gets_only_the_new_alerts_and_a_new_etag(api, clock):
    overdue(reference="FIRST")
    poll = api.get(URL).json()["next"]  # the cursor, past the first alert
    caught_up = api.get(poll)
    assert caught_up.status_code == 200
    assert caught_up.json()["results"] == []
    assert api.get(poll, HTTP_IF_NONE_MATCH=caught_up["ETag"]).status_code == 304

    clock(dt.datetime(2024, 12, 1, 9, 15, tzinfo=dt.UTC))
    overdue(reference="SECOND")
    news = api.get(poll, HTTP_IF_NONE_MATCH=caught_up["ETag"])

    assert news.status_code == 200
    assert refs(news) == ["SECOND"]
    assert news["ETag"] != caught_up["ETag"]
    assert api.get(news.json()["next"]).json()["results"] == []


def test_if_modified_since_is_answered_too(api, clock):
    overdue(reference="FIRST")
    poll = api.get(URL).json()["next"]
    caught_up = api.get(poll)
    assert api.get(poll, HTTP_IF_MODIFIED_SINCE=caught_up["Last-Modified"]).status_code == 304

    clock(dt.datetime(2024, 12, 1, 9, 15, tzinfo=dt.UTC))
    overdue(reference="SECOND")
    news = api.get(poll, HTTP_IF_MODIFIED_SINCE=caught_up["Last-Modified"])

    assert news.status_code == 200
    assert refs(news) == ["SECOND"]
    assert caught_up["Last-Modified"] == "Sun, 01 Dec 2024 04:00:00 GMT"  # the first alert
    assert parse_http_date(news["Last-Modified"]) >= parse_http_date(
        "Sun, 01 Dec 2024 09:15:00 GMT"  # the second alert
    )


def test_head_polls_the_same_way(api):
    overdue()
    first = api.get(URL)

    assert api.head(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_every_answer_has_validators_and_headers_for_polling_dashboards(api):
    empty = api.get(URL)

    assert empty.status_code == 200
    assert empty.json() == {
        "next": f"{settings.TRACKER_PUBLIC_URL.rstrip('/')}/api/v1/alerts/?after=0",
        "has_more": False,
        "results": [],
    }
    assert empty["ETag"].startswith('"')
    assert empty["Last-Modified"] == "Thu, 01 Jan 1970 00:00:00 GMT"  # never an alert
    assert empty["Cache-Control"] == "public, max-age=30"
    assert {"Accept", "Authorization", "Cookie"} <= {
        name.strip() for name in empty["Vary"].split(",")
    }


def test_editing_a_commitment_in_the_page_changes_the_answer(api):
    commitment = overdue()
    first = api.get(URL)

    commitment_update(commitment=commitment, data={"title": "A better title"})
    again = api.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert again.json()["results"][0]["commitment"]["title"] == "A better title"


def test_unpublishing_a_commitment_takes_its_alerts_out_of_the_answer(api):
    commitment = overdue()
    first = api.get(URL)

    commitment_update(commitment=commitment, data={"is_published": False})
    again = api.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 200
    assert again.json()["results"] == []


# --- the feed ---------------------------------------------------------------------------------


def test_alerts_come_oldest_first_a_page_at_a_time(api):
    for reference in ("A", "B", "C"):
        overdue(reference=reference)

    page = api.get(URL, {"limit": 2}).json()
    assert [a["commitment"]["reference"] for a in page["results"]] == ["A", "B"]
    assert page["has_more"] is True

    rest = api.get(page["next"]).json()
    assert [a["commitment"]["reference"] for a in rest["results"]] == ["C"]
    assert rest["has_more"] is False
    assert "limit=2" in rest["next"]


def test_the_next_link_is_on_the_public_address_as_the_etag_names_no_host(api):
    # Found by an outside tester: `next` followed the Host header, the ETag did not, so one
    # host's cached answer (or its 304) stood for another's.
    overdue(reference="TM-1", title="A regional forum")
    answers = [api.get(URL, HTTP_HOST=host) for host in ("testserver", "localhost")]

    assert answers[0]["ETag"] == answers[1]["ETag"]
    assert answers[0].json() == answers[1].json()
    assert answers[0].json()["next"].startswith(settings.TRACKER_PUBLIC_URL.rstrip("/") + URL)


def test_an_alert_reads_as_documented(api):
    commitment = overdue(reference="TM-1", title="A regional forum")
    change = record_status(commitment, "completed", on=DEC_1)
    overdue_alert, status_alert = Alert.objects.order_by("id")

    results = api.get(URL).json()["results"]

    PUBLIC = settings.TRACKER_PUBLIC_URL.rstrip("/")  # absolute, whatever the request's host
    assert results == [
        {
            "id": overdue_alert.id,
            "kind": "overdue",
            "commitment": {
                "id": commitment.id,
                "reference": "TM-1",
                "title": "A regional forum",
                "translation": {"language": "en", "origin": None, "fallback": []},
                "api_url": f"{PUBLIC}/api/v1/commitments/{commitment.id}/",
                "html_url": "/en/commitments/TM-1/",
            },
            "last_day": "2024-11-30",
            "status_change": None,
            "source_check": None,
            "party": None,
            "created_at": "2024-12-01T04:00:00Z",
        },
        {
            "id": status_alert.id,
            "kind": "status_changed",
            "commitment": {
                "id": commitment.id,
                "reference": "TM-1",
                "title": "A regional forum",
                "translation": {"language": "en", "origin": None, "fallback": []},
                "api_url": f"{PUBLIC}/api/v1/commitments/{commitment.id}/",
                "html_url": "/en/commitments/TM-1/",
            },
            "last_day": None,
            "status_change": {
                "id": change.id,
                "old_status": "proposed",
                "new_status": "completed",
                "effective_on": "2024-12-01",
                "reason": "",
                "replaced_by": None,
            },
            "source_check": None,
            "party": None,
            "created_at": "2024-12-01T04:00:00Z",
        },
    ]


@pytest.fixture
def world():
    """Two commitments: one overdue (cyber-security, a Turkmen ministry), one due soon (e-
    government, a UN office)."""
    ministry = make_actor(slug="mfa-tm", country="TM")
    un_office = make_actor(slug="unoct", kind="international_organisation")
    due("2024-11", reference="OVERDUE", tags=["cybersecurity"], parties=[(ministry, "proposer")])
    due(
        "2024-12-20",
        reference="DUE-SOON",
        tags=["e-government"],
        parties=[(un_office, "partner"), (ministry, "partner")],
    )
    deadlines_scan()
    return {"ministry": ministry, "un_office": un_office}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["OVERDUE", "DUE-SOON"]),
        ({"kind": "overdue"}, ["OVERDUE"]),
        ({"kind": ["overdue", "due_soon"]}, ["OVERDUE", "DUE-SOON"]),
        ({"kind": "due_soon"}, ["DUE-SOON"]),
        ({"tag": "cybersecurity"}, ["OVERDUE"]),
        ({"tag": "E-Government"}, ["DUE-SOON"]),
        ({"actor": "unoct"}, ["DUE-SOON"]),
        ({"actor": "mfa-tm"}, ["OVERDUE", "DUE-SOON"]),  # once each, though a party twice
        ({"country": "tm"}, ["OVERDUE", "DUE-SOON"]),
        ({"country": "RU"}, []),
        ({"kind": "overdue", "actor": "unoct"}, []),
        ({"kind": "overdue,due_soon"}, ["OVERDUE", "DUE-SOON"]),
        ({"tag": "cybersecurity,legislation"}, []),  # every tag given
        ({"actor": "mfa-tm", "role": "proposer"}, ["OVERDUE"]),  # the ministry as proposer
        ({"actor": "unoct", "country": "TM"}, []),  # one party meets both, or none
        ({"actor": "no-such-actor"}, []),
    ],
)
def test_the_feed_filters_by_kind_tag_actor_and_country(api, world, query, expected):
    assert refs(api.get(URL, query)) == expected


def test_the_feed_filters_by_actor_id_and_commitment_id(api, world):
    un_office = world["un_office"]
    assert refs(api.get(URL, {"actor_id": un_office.pk})) == ["DUE-SOON"]
    assert refs(api.get(URL, {"actor": un_office.pk})) == ["DUE-SOON"]  # an id works too
    overdue_id = Alert.objects.get(kind="overdue").commitment_id
    assert refs(api.get(URL, {"commitment_id": overdue_id})) == ["OVERDUE"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"after": "yesterday"}, "after"),
        ({"after": "-1"}, "after"),
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"kind": "late"}, "kind"),
        ({"country": "TKM"}, "country"),
        ({"actor": "no such actor"}, "actor"),
        ({"actor_id": "osce"}, "actor_id"),
        ({"role": "sponsor"}, "role"),
        ({"kinds": "overdue"}, "kinds"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(api, query, field):
    response = api.get(URL, query)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]


# --- who sees what ----------------------------------------------------------------------------


def test_alerts_of_drafts_are_hidden_from_anonymous_callers(api):
    overdue(reference="PUBLIC")
    overdue(reference="DRAFT", is_published=False)

    assert refs(api.get(URL)) == ["PUBLIC"]


def test_alerts_of_drafts_are_hidden_from_signed_in_non_staff_users(api, reader_user):
    overdue(reference="PUBLIC")
    overdue(reference="DRAFT", is_published=False)
    api.force_login(reader_user)

    assert refs(api.get(URL)) == ["PUBLIC"]


def test_staff_see_alerts_of_drafts_in_answers_no_shared_cache_keeps(api):
    overdue(reference="PUBLIC")
    overdue(reference="DRAFT", is_published=False)
    api.force_login(make_user(is_staff=True))

    response = api.get(URL)

    assert refs(response) == ["PUBLIC", "DRAFT"]
    assert response["Cache-Control"] == "private, no-cache"


# --- query counts ---------------------------------------------------------------------------


@pytest.mark.parametrize("alerts", [1, 20])
def test_a_page_of_alerts_takes_two_queries_whatever_its_length(
    api, alerts, django_assert_num_queries
):
    ministry = make_actor(country="TM")
    for _ in range(alerts):
        overdue(tags=["security"], parties=[(ministry, "responsible")])

    with django_assert_num_queries(2):
        everything = api.get(URL)
    with django_assert_num_queries(2):
        filtered = api.get(URL, {"kind": "overdue", "tag": "security", "country": "TM"})

    assert len(everything.json()["results"]) == alerts
    assert len(filtered.json()["results"]) == alerts


def test_a_poll_that_finds_nothing_new_takes_one_query(api, django_assert_num_queries):
    overdue()
    latest = Alert.objects.get().id
    with django_assert_num_queries(1):
        response = api.get(URL, {"after": latest})

    assert response.status_code == 200
    assert response.json()["results"] == []
