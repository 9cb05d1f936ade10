"""The whole flow in a real browser: log in, record a status change with a quote, see it in
the history; then a quote that is not in the source gets a form error."""

import pytest
from playwright.sync_api import expect

from commitments.models import StatusChange
from tests.factories import make_commitment, make_source

pytestmark = pytest.mark.browser

QUOTE = "Officials said the programme was approved by the Cabinet."


def pick_source(page, title: str) -> None:
    """The admin's autocomplete (select2): open it, type, choose."""
    page.locator(".field-source .select2-selection").click()
    page.locator(".select2-search__field").fill(title.split()[0])
    page.locator(".select2-results__option", has_text=title).click()


def test_staff_record_a_status_change_and_see_it_then_a_bad_quote_is_refused(
    editor, live_server, page
):
    source = make_source(title="Cabinet news")
    commitment = make_commitment(source=source, reference="CYB-2025")
    change_path = f"/admin/commitments/commitment/{commitment.pk}/change/"

    page.goto(f"{live_server.url}/admin/login/?next={change_path}")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-editor")
    page.click("input[type=submit]")
    expect(page.locator("h2", has_text="CYB-2025")).to_be_visible()

    page.click("text=Record a status change")
    expect(page.locator("h1")).to_have_text("Record a status change")
    page.select_option("#id_status", "adopted")
    page.fill("#id_note", "Approved at the Cabinet's meeting.")
    pick_source(page, "Cabinet news")
    page.fill("#id_quote", "Officials said the\nprogramme was approved by the Cabinet.")
    page.click("input[type=submit]")

    expect(page.locator(".messagelist")).to_contain_text("Status changed from Proposed to Adopted")
    history = page.locator("table.commitment-history")
    expect(history).to_contain_text("Status: Proposed → Adopted")
    expect(history).to_contain_text(f"“{QUOTE}”")
    expect(history.locator("a", has_text="Cabinet news")).to_be_visible()
    expect(page.locator(".field-status_display")).to_contain_text("Adopted")

    page.click("text=Record a status change")
    page.select_option("#id_status", "in_progress")
    pick_source(page, "Cabinet news")
    page.fill("#id_quote", "The Cabinet rejected the programme.")
    page.click("input[type=submit]")

    expect(page.locator(".errornote")).to_contain_text("Please correct the errors below.")
    expect(page.locator(".field-quote .errorlist")).to_contain_text(
        "This quote does not occur in the source “Cabinet news”"
    )
    expect(page.locator("#id_quote")).to_have_value("The Cabinet rejected the programme.")
    assert list(StatusChange.objects.values_list("new_status", flat=True)) == ["adopted"]
