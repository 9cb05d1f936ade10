"""The extraction assistant in a real browser: a staff member pastes a new article that
reports an event already on record and one new commitment with a deadline; the assistant
proposes the existing record for the first and a candidate with the parsed deadline for the
second; accepting creates the commitment with its citation, and its history shows who."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from commitments.models import Citation, Commitment
from tests.hardening.servers import CeleryWorker, app_environment, database_url_for

pytestmark = pytest.mark.browser

EVENT = (
    "The interregional Dialogue on the Development of Digital Cooperation will be held in "
    "Ashgabat in November 2024, the Ministry of Foreign Affairs of Turkmenistan said."
)
NEW = "Turkmenistan also plans to open a national cyber-security training centre from 2025 to 2027."
ARTICLE = f"Digital week in Ashgabat\n\n{EVENT} {NEW}\n\nSource: State news agency"


@pytest.fixture
def editor(transactional_db):
    """An editor; the Editors group made again in case a committing test flushed it."""
    from django.contrib.auth.models import Group

    from tests.conftest import editors_group_ensure
    from tests.factories import make_user

    editors_group_ensure()
    user = make_user(username="editor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def worker(transactional_db, tmp_path):
    """A real Celery worker on the test database: the suggestions are computed there."""
    started = CeleryWorker(
        env=app_environment(
            database_url=database_url_for(settings.DATABASES["default"]["NAME"]),
            broker_url=settings.CELERY_BROKER_URL,
        ),
        log=tmp_path / "worker.log",
        name="intake-browser",
    ).start()
    yield started
    started.close()


def select_in_panel(page, passage: str) -> None:
    """Select `passage` in the source's text beside the form, as a mouse would."""
    page.eval_on_selector(
        ".quote-picker-panel .quote-picker-text",
        """(box, passage) => {
            const node = box.firstChild;
            const start = node.textContent.indexOf(passage);
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + passage.length);
            const selection = window.getSelection();
            selection.removeAllRanges();
            selection.addRange(range);
            box.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
        }""",
        passage,
    )


def test_staff_paste_an_article_cite_the_known_event_and_accept_the_new_commitment(
    seeded, editor, worker, live_server, page
):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/admin/login/?next=/admin/sources/source/add/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "pw-editor")
    page.click("input[type=submit]")

    page.fill("#id_title_en", "Digital week in Ashgabat")
    page.fill("#id_published", "2024-10-01")
    page.select_option("#id_kind", "news_report")
    page.fill("#id_text", ARTICLE)
    page.click("input[name=_suggest]")

    expect(page.locator("h1")).to_have_text("Suggest commitments")
    # Computed on the worker; the page refreshes itself until they are there.
    event = page.locator("section.candidate", has_text="interregional Dialogue")
    expect(event.locator(".related-commitment.probable")).to_contain_text(
        "TM-2024-04", timeout=60_000
    )
    new = page.locator("section.candidate", has_text="training centre")
    expect(new.locator(".candidate-badge.deadline")).to_contain_text(
        "from 2025 to 2027 → 2025-01-01 to 2027-12-31"
    )

    event.get_by_role("button", name="Cite this passage on TM-2024-04").click()
    expect(page.locator(".messagelist")).to_contain_text("Cited this passage on TM-2024-04")
    known = Commitment.objects.get(reference="TM-2024-04")
    assert Citation.objects.filter(commitment=known, quote=EVENT).exists()
    assert Commitment.objects.filter(citations__quote=EVENT).count() == 1  # no duplicate

    new = page.locator("section.candidate", has_text="training centre")
    new.locator("summary").click()
    new.locator("input[name$=-reference]").fill("TM-2025-CYB")
    new.locator("input[name$=-title]").fill("National cyber-security training centre")
    expect(new.locator("input[name$=-deadline]")).to_have_value("from 2025 to 2027")
    new.locator("textarea[name$=-quote]").fill("")
    new.locator("textarea[name$=-quote]").focus()
    select_in_panel(page, NEW)
    expect(new.locator("textarea[name$=-quote]")).to_have_value(NEW)
    new.locator("input[type=submit][value='Add this commitment']").click()

    expect(page.locator(".messagelist")).to_contain_text("Added")
    # Discard hides a candidate (intake/suggest.js: the CSP runs no inline handler).
    cited = page.locator("section.candidate", has_text="interregional Dialogue")
    cited.locator("summary").click()
    cited.locator("button.discard").click()
    expect(cited).to_be_hidden()
    created = Commitment.objects.get(reference="TM-2025-CYB")
    assert (created.deadline_first_day.isoformat(), created.deadline_last_day.isoformat()) == (
        "2025-01-01",
        "2027-12-31",
    )
    assert list(created.citations.values_list("quote", "created_by__username")) == [(NEW, "editor")]

    page.locator(".messagelist a", has_text="TM-2025-CYB").click()
    expect(page.locator(".field-quote, td.field-quote").first).to_contain_text("training centre")
    page.click("a.historylink")
    history = page.locator("#change-history")
    expect(history).to_contain_text("editor")
    expect(history).to_contain_text("Created")
