"""What a reader finds on each public page of the seed data, and what each page costs."""

from __future__ import annotations

import re

import pytest

from commitments.models import Actor, Commitment
from sources.models import Source

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    """The page's text with tags dropped and whitespace folded, as a reader sees it."""
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_overview_shows_the_meter_with_the_published_mappings_and_what_is_overdue(
    public_data, browser_client
):
    response = browser_client.get("/en/")

    assert response.status_code == 200
    text = text_of(response)
    published = Commitment.objects.filter(is_published=True)
    assert f"{published.count()} published commitments" in text
    # Our status, its count, PolitiFact's and OGP's names (commitments/choices.py).
    proposed = published.filter(status="proposed").count()
    assert f"Proposed {proposed} Not Yet Rated Not Started" in text
    assert "Abandoned 0 Promise Broken Withdrawn" in text
    overdue = text.split("Overdue (")[1].split("Latest status changes")[0]
    assert "TM-2024-04 Interregional Dialogue" in overdue
    assert "TM-2024-05" not in overdue.split("Due within")[0]
    changes = text.split("Latest status changes")[1]
    assert "TM-2024-05" in changes and "Proposed → Adopted" in changes
    assert "In continuation of the report, a proposal was voiced" in changes


def test_the_list_shows_status_deadline_period_and_the_overdue_badge(public_data, browser_client):
    response = browser_client.get("/en/commitments/?overdue=true&tag=international-cooperation")

    assert response.status_code == 200
    text = text_of(response)
    assert "TM-2024-04 Interregional Dialogue" in text
    row = text.split("TM-2024-04")[1]
    assert row.startswith(" Interregional Dialogue")
    assert (
        "Proposed Overdue since 1 Dec 2024 last checked 13 Sep 2024 “in November 2024”"
        " 1 Nov 2024 \u2013 30 Nov 2024 2024-11" in row
    )
    assert "TM-2024-05" not in text  # not overdue
    # The same query for the API, as CSV and as a calendar.
    html = response.content.decode()
    assert 'href="/api/v1/commitments/?overdue=true&amp;tag=international-cooperation"' in html
    csv = "/api/v1/commitments/?overdue=true&amp;tag=international-cooperation&amp;format=csv"
    assert f'href="{csv}&amp;bom=true"' in html  # a download for spreadsheets
    assert 'href="/api/v1/deadlines.ics?overdue=true&amp;tag=international-cooperation"' in html


def test_the_list_filters_exactly_as_the_api_does(public_data, browser_client, client):
    query = "status=proposed,adopted&actor=osce&q=cyber&ordering=-deadline"
    api = client.get(f"/api/v1/commitments/?{query}&page_size=200").json()["results"]
    page = browser_client.get(f"/en/commitments/?{query}").content.decode()

    shown = re.findall(r'<th scope="row"><a href="/en/commitments/([^/]+)/">', page)
    assert shown and sorted(shown) == sorted(c["reference"] for c in api)


def test_a_commitment_page_shows_deadline_parties_and_the_evidence_timeline(
    public_data, browser_client
):
    response = browser_client.get("/en/commitments/TM-2024-04/")

    assert response.status_code == 200
    text = text_of(response)
    assert "“in November 2024”, the period 1 Nov 2024 \u2013 30 Nov 2024 2024-11" in text
    assert "Overdue since 1 December 2024." in text
    assert f"Proposer : {Actor.objects.get(slug='meredov').name}" in text
    assert f"Responsible : {Actor.objects.get(slug='turkmenistan').name}" in text
    timeline = text.split("Evidence timeline")[1]
    assert timeline.index("13 Sep 2024 Announced") < timeline.index("1 Dec 2024 Overdue")
    assert "“It is also proposed to hold an interregional Dialogue" in timeline
    # Each quote links to its place in the source's text.
    citation = Commitment.objects.get(reference="TM-2024-04").citations.first()
    assert (
        f'href="/en/sources/{citation.source_id}/#quote-{citation.pk}"' in response.content.decode()
    )


def test_a_status_change_is_on_the_evidence_timeline_with_its_quote(public_data, browser_client):
    text = text_of(browser_client.get("/en/commitments/TM-2024-05/"))

    timeline = text.split("Evidence timeline")[1]
    assert "1 Oct 2026 Status: Proposed → Adopted The programme was approved." in timeline
    assert timeline.count("“In continuation of the report") == 2  # announced, then the change
    assert "Overdue" not in timeline


def test_milestones_and_parent_link_both_ways(public_data, browser_client):
    milestone = Commitment.objects.filter(is_published=True, parent__isnull=False).first()
    parent = milestone.parent

    child_page = browser_client.get(f"/en/commitments/{milestone.reference}/").content.decode()
    parent_page = browser_client.get(f"/en/commitments/{parent.reference}/").content.decode()

    assert f'href="/en/commitments/{parent.reference}/"' in child_page
    assert f'href="/en/commitments/{milestone.reference}/"' in parent_page


def test_a_source_page_highlights_every_quote_and_links_it_to_what_it_supports(
    public_data, browser_client
):
    dialogue = Commitment.objects.get(reference="TM-2024-04")
    source = dialogue.citations.first().source

    html = browser_client.get(f"/en/sources/{source.pk}/").content.decode()

    marks = re.findall(r"<mark>(.*?)</mark>", html, flags=re.S)
    assert any(
        "interregional Dialogue on the Development of Digital Cooperation" in m for m in marks
    )
    for citation in source.citations.all():
        assert f'id="quote-{citation.pk}"' in html
        assert (
            f'href="/en/commitments/{citation.commitment.reference}/#citation-{citation.pk}"'
            in html
        )
    assert "Quotes no longer found" not in html


def test_the_timeline_draws_each_period_as_a_band_with_today_marked(public_data, browser_client):
    response = browser_client.get("/en/timeline/?tag=cybersecurity")

    html = response.content.decode()
    band = re.search(
        r'<span class="band ([^"]+)" style="left: ([\d.]+)%; width: ([\d.]+)%"'
        r'[^>]*data-edtf="2025/2027" data-reference="TM-2024-05"',
        html,
    )
    assert band, html
    assert "band-open" in band.group(1)
    # The axis runs over whole years; 2025-2027 is three of them.
    years = [int(y) for y in re.findall(r'<span class="tick"[^>]*>(\d{4})</span>', html)]
    span = years[-1] - years[0] + 1
    assert float(band.group(3)) == pytest.approx(100 * 3 / span, abs=0.2)
    assert float(band.group(2)) == pytest.approx(100 * (2025 - years[0]) / span, abs=0.2)
    today = re.search(r'<span class="today" style="left: ([\d.]+)%', html)
    assert float(today.group(1)) == pytest.approx(
        100 * (2026 + 326 / 365 - years[0]) / span, abs=0.2
    )


def test_the_timeline_colours_overdue_and_hatches_approximate_periods(public_data, browser_client):
    from commitments.services import commitment_create

    commitment_create(
        reference="APPROX-1",
        title="About 2027",
        kind="event",
        deadline="2027~",
        is_published=True,
    )
    html = browser_client.get("/en/timeline/").content.decode()

    def classes(reference: str) -> str:
        return re.search(
            rf'<span class="band ([^"]+)"[^>]*data-reference="{reference}"', html
        ).group(1)

    assert "band-overdue" in classes("TM-2024-04")
    assert "band-vague" in classes("APPROX-1")
    assert "approximate" in text_of(browser_client.get("/en/timeline/")).split("APPROX-1")[1][:200]


def test_pages_are_cached_for_anonymous_readers_and_revalidate(public_data, browser_client):
    first = browser_client.get("/en/commitments/")

    assert "public" in first["Cache-Control"] and "max-age=60" in first["Cache-Control"]
    assert "Cookie" not in first.get("Vary", "")
    assert "Set-Cookie" not in first.headers
    again = browser_client.get("/en/commitments/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_each_page_is_a_fixed_number_of_queries(
    public_data, browser_client, django_assert_num_queries
):
    source = Source.objects.get(
        citations__commitment__reference="TM-2024-04", citations__quote__startswith="It is also"
    )
    with django_assert_num_queries(5):  # the counts (2, then cached), overdue, due soon, changes
        assert browser_client.get("/en/").status_code == 200
    with django_assert_num_queries(3):
        assert browser_client.get("/en/").status_code == 200
    with django_assert_num_queries(2):  # count, page
        assert browser_client.get("/en/commitments/?status=proposed&q=digital").status_code == 200
    with django_assert_num_queries(2):
        assert browser_client.get("/en/timeline/?tag=cybersecurity").status_code == 200
    with django_assert_num_queries(7):  # it, parties, citations, milestones, 3 of history
        assert browser_client.get("/en/commitments/TM-2024-04/").status_code == 200
    with django_assert_num_queries(2):  # it, the published citations
        assert browser_client.get(f"/en/sources/{source.pk}/").status_code == 200


def test_a_long_list_is_counted_only_up_to_a_cap_and_still_pages_to_its_end(
    public_data, browser_client, monkeypatch
):
    from pages import views
    from pages.pagination import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 5)
    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 4)
    published = Commitment.objects.filter(is_published=True).count()  # 28
    last = -(-published // 4)

    first = text_of(browser_client.get("/en/commitments/"))
    assert "More than 5 commitments · page 1" in first and "Next page" in first
    end = browser_client.get(f"/en/commitments/?page={last}")
    assert end.status_code == 200
    assert "Next page" not in text_of(end) and "Previous page" in text_of(end)
    shown = re.findall(r'<th scope="row">', end.content.decode())
    assert len(shown) == published - 4 * (last - 1)
    past = browser_client.get(f"/en/commitments/?page={last + 1}")
    assert past.status_code == 404
    assert f"There is no page {last + 1}: the results end before it." in text_of(past)
