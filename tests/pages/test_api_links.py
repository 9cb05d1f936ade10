"""The API and the pages link both ways: `html_url` in the commitment's JSON (written by
PostgreSQL) and in alerts, the calendar's URL, and "this page as JSON" on the pages."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from icalendar import Calendar

from commitments.api.serializers import CommitmentSerializer
from commitments.models import Commitment
from commitments.selectors import commitments_with_api_json
from tests.factories import make_commitment

pytestmark = pytest.mark.django_db


def test_a_commitments_json_links_to_its_page_and_the_page_is_there(public_data, client):
    listed = client.get("/api/v1/commitments/?q=ashgabat").json()["results"]
    dialogue = next(c for c in listed if c["reference"] == "TM-2024-04")

    assert dialogue["html_url"] == "/en/commitments/TM-2024-04/"
    detail = client.get(f"/api/v1/commitments/{dialogue['id']}/").json()
    assert detail["html_url"] == dialogue["html_url"]
    page = client.get(detail["html_url"])
    assert page.status_code == 200
    # …and the page links back to the same JSON.
    assert f'href="/api/v1/commitments/{dialogue["id"]}/"' in page.content.decode()


@pytest.mark.parametrize(
    "reference",
    ["PLAIN-1_a.b~c", "with space", "a/b", "Türkmen-ä", "emoji-🛰️", "q?x#y&z=1", "100%", "'\"<>"],
)
def test_html_url_reads_the_same_from_sql_and_python_and_leads_to_the_page(
    source, client, reference
):
    commitment = make_commitment(source=source, reference=reference)

    from_sql = json.loads(
        commitments_with_api_json(Commitment.objects.filter(pk=commitment.pk)).get().api_json
    )["html_url"]
    from_python = CommitmentSerializer(commitment).data["html_url"]

    assert from_sql == from_python
    assert from_sql.startswith("/en/commitments/") and from_sql.endswith("/")
    assert " " not in from_sql and "#" not in from_sql and "?" not in from_sql
    response = client.get(from_sql)
    assert response.status_code == 200
    assert (
        reference.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace("'", "&#x27;")
        .replace('"', "&quot;")
        .replace(">", "&gt;")
        in response.content.decode()
    )


def test_the_calendars_url_is_the_commitments_page(public_data, client):
    calendar = Calendar.from_ical(b"".join(client.get("/api/v1/deadlines.ics").streaming_content))

    urls = {str(event["SUMMARY"]): str(event["URL"]) for event in calendar.walk("VEVENT")}
    dialogue = next(url for summary, url in urls.items() if "Interregional Dialogue" in summary)
    # On the public address, whatever host the calendar was fetched by (common.links).
    assert dialogue == f"{settings.TRACKER_PUBLIC_URL.rstrip('/')}/en/commitments/TM-2024-04/"
    assert client.get(urlsplit(dialogue).path).status_code == 200


def test_alerts_link_to_the_commitments_page(public_data, client):
    alerts = client.get("/api/v1/alerts/?kind=overdue").json()["results"]

    dialogue = next(a for a in alerts if a["commitment"]["reference"] == "TM-2024-04")
    assert dialogue["commitment"]["html_url"] == "/en/commitments/TM-2024-04/"
    assert client.get(dialogue["commitment"]["html_url"]).status_code == 200
