"""/api/v1/alerts.atom: the alerts for feed readers, read here by feedparser (a client nobody
here wrote): a well-formed Atom feed, one entry per alert, each linking to its commitment,
with the alerts feed's filters, visibility and validators."""

import datetime as dt

import feedparser
import pytest

from accounts.services import api_token_create
from common.links import absolute_url
from tests.api_fixtures import client_with_token
from tests.factories import make_user
from tracker.api.serializers import AlertCommitmentSerializer
from tracker.models import Alert
from tracker.services import deadlines_scan

from .helpers import due, record_status

pytestmark = pytest.mark.django_db

URL = "/api/v1/alerts.atom"
DEC_1 = dt.date(2024, 12, 1)


@pytest.fixture(autouse=True)
def _today(clock):
    clock(DEC_1)


def read(response) -> feedparser.FeedParserDict:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(
        response.content, response_headers={"content-type": response["Content-Type"]}
    )
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def link_to(commitment) -> str:
    """Its public page where the API names one (`html_url`), else its API record, on the
    public address."""
    page = AlertCommitmentSerializer(commitment).data.get("html_url")
    return absolute_url(page or f"/api/v1/commitments/{commitment.pk}/")


def test_feedparser_reads_one_entry_per_alert_newest_first_each_linking_to_its_commitment(api):
    late = due("2024-11", reference="LATE-1", title="Regional forum in Ashgabat")
    later = due("2024-10", reference="LATE-2", tags=["cyber"])
    deadlines_scan()
    record_status(later, "in_progress", on=DEC_1)

    feed = read(api.get(URL, HTTP_ACCEPT="application/atom+xml"))

    alerts = list(Alert.objects.order_by("-id"))
    assert len(feed.entries) == len(alerts) == 3
    assert [entry.title for entry in feed.entries] == [
        f"Status changed (proposed → in_progress) — LATE-2: {later.title}",
        "Overdue (deadline 2024-10-31) — LATE-2: " + later.title,
        "Overdue (deadline 2024-11-30) — LATE-1: Regional forum in Ashgabat",
    ]
    assert [entry.link for entry in feed.entries] == [
        link_to(commitment) for commitment in (later, later, late)
    ]
    assert len({entry.id for entry in feed.entries}) == 3
    assert [entry.tags[0].term for entry in feed.entries] == [a.kind for a in alerts]
    assert feed.entries[2].summary == (
        "The deadline ended on 2024-11-30 and the commitment is open."
    )
    assert feed.feed.title == "Commitment tracker: alerts"


def test_the_feed_takes_the_alerts_feed_filters_and_refuses_a_bad_one(api):
    due("2024-11", reference="CYBER", tags=["cyber"])
    due("2024-11", reference="HEALTH", tags=["health"])
    deadlines_scan()

    feed = read(api.get(URL, {"tag": "cyber", "kind": "overdue"}))
    assert [entry.title.split(" — ")[1].split(":")[0] for entry in feed.entries] == ["CYBER"]

    bad = api.get(URL, {"kind": "exploded"})
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/problem+json"
    assert api.get(URL, {"limit": "0"}).status_code == 400
    assert api.get(URL, {"nope": "1"}).status_code == 400


def test_limit_keeps_the_newest(api):
    for month in ("2024-07", "2024-08", "2024-09"):
        due(month, reference=f"M-{month}")
    deadlines_scan()
    feed = read(api.get(URL, {"limit": "2"}))
    newest = list(Alert.objects.order_by("-id").values_list("commitment__reference", flat=True))
    assert [entry.title.split(" — ")[1].split(":")[0] for entry in feed.entries] == newest[:2]


def test_an_unchanged_feed_is_a_304_and_a_new_alert_changes_it(api, django_assert_num_queries):
    due("2024-11")
    deadlines_scan()
    first = api.get(URL)
    assert first["ETag"] and first["Last-Modified"]

    with django_assert_num_queries(1):
        again = api.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""

    due("2024-10")
    deadlines_scan()
    changed = api.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert len(read(changed).entries) == 2


def test_alerts_of_drafts_are_in_the_feed_for_staff_only(api):
    due("2024-11", reference="DRAFT-ZQX", is_published=False)
    deadlines_scan()
    staff = client_with_token(api_token_create(user=make_user(is_staff=True), name="s").key)

    assert b"DRAFT-ZQX" not in api.get(URL).content
    assert read(api.get(URL)).entries == []
    assert len(read(staff.get(URL)).entries) == 1


def test_entry_and_feed_ids_are_the_same_under_every_host_name(api, settings):
    """A reader keeps entries by id: one fetched under another host name is not new."""
    settings.TRACKER_PUBLIC_URL = "https://tracker.example.org"
    due("2024-11", reference="LATE-1")
    deadlines_scan()

    under = [read(api.get(URL, HTTP_HOST=host)) for host in ("localhost", "127.0.0.1")]
    ids = [[entry.id for entry in feed.entries] for feed in under]
    assert ids[0] == ids[1] and len(ids[0]) == 1
    alert = Alert.objects.get()
    assert ids[0] == [f"tag:tracker.example.org,{alert.created_at:%Y-%m-%d}:alert-{alert.pk}"]
    assert under[0].feed.id == under[1].feed.id == "tag:tracker.example.org,1970-01-01:alerts"


def test_the_feed_is_the_same_body_and_etag_whatever_the_host_header(api, settings):
    """Its links are on TRACKER_PUBLIC_URL (common.links), as its ETag, which has no host,
    assumes: a Host header changes nothing."""
    settings.TRACKER_PUBLIC_URL = "https://tracker.example.org"
    late = due("2024-11", reference="LATE-1")
    deadlines_scan()

    under = [api.get(URL, HTTP_HOST=host) for host in ("localhost", "127.0.0.1")]

    assert under[0].content == under[1].content
    assert under[0]["ETag"] == under[1]["ETag"]
    feed = read(under[0])
    assert [entry.link for entry in feed.entries] == [link_to(late)]
    assert link_to(late).startswith("https://tracker.example.org/")
    assert {link.href for link in feed.feed.links} == {
        "https://tracker.example.org/api/v1/alerts/",
        "https://tracker.example.org/api/v1/alerts.atom",
    }
    assert b"localhost" not in under[0].content and b"127.0.0.1" not in under[0].content
    # The public address is in the ETag: a new one is a new body.
    settings.TRACKER_PUBLIC_URL = "https://elsewhere.example.org"
    assert api.get(URL, HTTP_IF_NONE_MATCH=under[0]["ETag"]).status_code == 200
