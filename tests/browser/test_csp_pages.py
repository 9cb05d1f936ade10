"""The admin's pages and the browsable API in a real Chromium under the site's
Content-Security-Policy: each renders, and the `page` fixture fails the test on anything the
policy refused (an inline script or handler, a <style> element, an image or script from
elsewhere)."""

import pytest
from playwright.sync_api import expect

from commitments.models import Commitment
from sources.models import Source
from tests.factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_admin_pages_staff_use_render_under_the_policy(seeded, live_server, page):
    make_user(username="root", is_staff=True, is_superuser=True)
    commitment = Commitment.objects.get(reference="TM-2024-05")
    source = Source.objects.order_by("pk").first()
    site = live_server.url

    response = page.goto(f"{site}/admin/login/?next=/admin/")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw-root")
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_contain_text("Commitment tracker")

    for path, heading in (
        ("/admin/commitments/commitment/", "Select commitment to change"),
        ("/admin/commitments/commitment/?o=-2&status__exact=proposed", "Select commitment"),
        ("/admin/commitments/commitment/add/", "Add commitment"),
        (f"/admin/commitments/commitment/{commitment.pk}/change/", "Change commitment"),
        (f"/admin/commitments/commitment/{commitment.pk}/history/", "history"),
        (f"/admin/sources/source/{source.pk}/change/", "Change source"),
        ("/admin/tracker/alert/", "Select alert"),
        ("/admin/intake/statusimport/", "Select status import"),
        ("/admin/auth/user/", "Select user"),
    ):
        page.goto(f"{site}{path}")
        expect(page.locator("#content h1")).to_contain_text(heading)
        page.wait_for_load_state("load")

    # The autocomplete (select2) and the action bar's scripts work on a list and a form.
    page.goto(f"{site}/admin/commitments/commitment/add/")
    page.locator(".field-parent .select2-selection").click()
    expect(page.locator(".select2-results__option").first).to_be_visible()
    page.goto(f"{site}/admin/commitments/commitment/")
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_contain_text("selected")


def test_the_browsable_api_renders_under_the_policy(seeded, live_server, page):
    page.goto(f"{live_server.url}/api/v1/commitments/")
    expect(page.locator(".response-info")).to_contain_text("TM-2024-05")
    page.wait_for_load_state("load")
