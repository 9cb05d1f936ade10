"""Every public page in a real Chromium, on the seed data: the content a reader needs, an
axe-core audit with no serious or critical violation, and screenshots at desktop and phone
widths (under $TEST_ARTIFACTS_DIR/pages, default test-artifacts/pages).

axe-core is the script axe-playwright-python ships; the browser is allowed no request
outside the live server, so nothing is loaded from the network."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from playwright.sync_api import expect

from commitments.models import Commitment
from tests.browser.conftest import (  # noqa: F401 (the real Chromium)
    csp_violations,
    keep_to_server,
    page,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS_DIR", settings.BASE_DIR / "test-artifacts"))
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SERIOUS = {"serious", "critical"}


@pytest.fixture
def reader(page, live_server):  # noqa: F811
    """The browser, kept to the live server: any other request fails the test."""
    outside = keep_to_server(page, live_server.url)
    yield page
    assert outside == []


def audit_and_shoot(page, name: str) -> None:  # noqa: F811
    """axe-core at both widths (the phone layout is another layout), and a screenshot of
    each. Fails with every serious or critical violation, its rule and where."""
    axe = Axe()
    found = []
    for width_name, size in WIDTHS.items():
        page.set_viewport_size(size)
        results = axe.run(page)
        found += [
            f"{width_name}: {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']]}"
            for v in results.response["violations"]
            if v["impact"] in SERIOUS
        ]
        (ARTIFACTS / "pages").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "pages" / f"{name}-{width_name}.png", full_page=True)
    page.set_viewport_size(WIDTHS["desktop"])
    assert found == [], "\n".join(found)


def test_axe_is_the_script_the_package_ships_and_it_finds_what_is_wrong(reader):
    import axe_playwright_python

    shipped = Path(axe_playwright_python.__file__).parent / "axe.min.js"
    assert Axe().axe_script == shipped.read_text()
    assert shipped.read_text().startswith("/*! axe v4.")
    # The audit can fail: a page with an unlabelled image and a nameless button.
    reader.set_content('<html lang="en"><title>t</title><img src="x.png"><button></button>')
    found = {v["id"]: v["impact"] for v in Axe().run(reader).response["violations"]}
    assert found["image-alt"] in SERIOUS and found["button-name"] in SERIOUS


def test_a_reader_finds_on_every_page_what_they_need(public_data, reader, live_server):
    dialogue = Commitment.objects.get(reference="TM-2024-04")
    citation = dialogue.citations.order_by("id").first()
    site = live_server.url

    # The overview: the meter, with the names others use, and the overdue list.
    reader.goto(f"{site}/en/")
    expect(reader.locator("h1")).to_have_text("What was promised, and what became of it")
    expect(reader.locator(".meter")).to_have_attribute("role", "img")
    expect(reader.locator(".meter-table")).to_contain_text("Promise Kept")
    overdue = reader.locator("section", has=reader.locator("#overdue-heading"))
    expect(overdue).to_contain_text("TM-2024-04")
    expect(overdue).to_contain_text("Overdue since 1 Dec 2024")
    audit_and_shoot(reader, "overview")

    # Keyboard: the first Tab reaches the skip link, which leads to the content.
    reader.keyboard.press("Tab")
    expect(reader.locator("a.skip")).to_be_focused()

    # From the overview to the dialogue's page, by its link.
    overdue.get_by_role("link", name="TM-2024-04").click()
    expect(reader).to_have_url(f"{site}/en/commitments/TM-2024-04/")
    expect(reader.locator(".facts")).to_contain_text("Overdue since 1 December 2024.")
    timeline = reader.locator("ol.evidence")
    expect(timeline).to_contain_text("It is also proposed to hold an interregional Dialogue")
    expect(timeline.locator("li.event-overdue")).to_contain_text("Overdue")
    audit_and_shoot(reader, "commitment")

    # The quote's link opens the source with the passage highlighted, which links back.
    timeline.locator(f'a[href$="#quote-{citation.pk}"]').first.click()
    expect(reader).to_have_url(f"{site}/en/sources/{citation.source_id}/#quote-{citation.pk}")
    mark = reader.locator(f"#quote-{citation.pk} + mark")
    expect(mark).to_contain_text("interregional Dialogue on the Development of Digital")
    back = reader.locator(f'a.supports[href="/en/commitments/TM-2024-04/#citation-{citation.pk}"]')
    expect(back).to_have_text("TM-2024-04")
    audit_and_shoot(reader, "source")
    back.click()
    expect(reader).to_have_url(f"{site}/en/commitments/TM-2024-04/#citation-{citation.pk}")

    # The list, filtered, with its overdue badge and the same query as CSV and calendar.
    reader.goto(f"{site}/en/commitments/")
    reader.fill("#f-tag", "international-cooperation")
    reader.select_option("#f-overdue", "true")
    reader.click("button[type=submit]")
    row = reader.locator("tr", has=reader.locator("a", has_text="TM-2024-04"))
    expect(row.locator(".badge-overdue")).to_have_text("Overdue since 1 Dec 2024")
    expect(row).to_contain_text("“in November 2024”")
    expect(reader.get_by_role("link", name="CSV")).to_have_attribute(
        "href",
        "/api/v1/commitments/?tag=international-cooperation&overdue=true&format=csv&bom=true",
    )
    audit_and_shoot(reader, "list")

    # The timeline: the 2025-2027 programme as a three-year band, today marked.
    reader.goto(f"{site}/en/timeline/")
    band = reader.locator('.band[data-reference="TM-2024-05"]')
    expect(band).to_have_attribute("data-edtf", "2025/2027")
    box = band.bounding_box()
    # Where each year starts: its label sits 2px right of it (pages.css).
    starts = {
        year: reader.locator(".axis .tick", has_text=str(year)).bounding_box()["x"] - 2
        for year in (2025, 2026)
    }
    one_year = starts[2026] - starts[2025]
    assert abs(box["x"] - starts[2025]) < 3
    assert abs(box["width"] - 3 * one_year) < 4
    expect(reader.locator('.band[data-reference="TM-2024-04"]')).to_have_class("band band-overdue")
    row = reader.locator("li.row", has=band)
    expect(row.locator(".today")).to_have_count(1)
    expect(row).to_contain_text("“for 2025-2027”")
    audit_and_shoot(reader, "timeline")


def test_the_switcher_keeps_the_reader_on_the_commitment_in_each_language(
    public_data, reader, live_server
):
    site = live_server.url
    dialogue = Commitment.objects.get(reference="TM-2024-04")
    switcher = reader.locator("nav.languages")

    reader.goto(f"{site}/en/commitments/TM-2024-04/")
    expect(reader.locator("html")).to_have_attribute("lang", "en")
    expect(reader.locator("h1")).to_contain_text(dialogue.title_en)
    expect(switcher.locator('[aria-current="true"]')).to_have_text("English")
    audit_and_shoot(reader, "commitment-en")

    for language, name, label in (
        ("ru", "Русский", "переведено трекером"),
        ("tk", "Türkmençe", "yzarlaýjy tarapyndan terjime edildi"),
    ):
        switcher.get_by_role("link", name=name).click()
        expect(reader).to_have_url(f"{site}/{language}/commitments/TM-2024-04/")
        expect(reader.locator("html")).to_have_attribute("lang", language)
        expect(reader.locator("h1")).to_contain_text(getattr(dialogue, f"title_{language}"))
        expect(reader.locator("p.translation")).to_have_text(label)
        expect(switcher.locator('[aria-current="true"]')).to_have_text(name)
        # The quote stays the source's own words, in the source's language.
        quote = reader.locator("ol.evidence blockquote").first
        expect(quote).to_have_attribute("lang", "en")
        expect(quote).to_contain_text("It is also proposed to hold an interregional Dialogue")
        audit_and_shoot(reader, f"commitment-{language}")
