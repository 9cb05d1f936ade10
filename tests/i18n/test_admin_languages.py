"""The staff interface in the staff member's language: our own admin pages and labels come in
Russian and Turkmen (Accept-Language), English stays as it was, and a commitment's title is
edited in every language side by side."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from common.translations import Origin, origin_of
from tests.commitments.admin.helpers import changeform_post_data, form_errors


def change_url(commitment) -> str:
    return reverse("admin:commitments_commitment_change", args=[commitment.pk])


def status_change_url(commitment) -> str:
    return reverse("admin:commitments_commitment_status_change", args=[commitment.pk])


# Our own strings (not Django's) on the two pages, in each language.
EXPECTED = {
    "en": {
        "change": ["Record a status change", "Change the deadline", "Status and deadline history"],
        "status_change": ["Record a status change", "Took effect on", "The source's text"],
        "lang": '<html lang="en"',
    },
    "ru": {
        "change": ["Записать изменение статуса", "Изменить срок", "История статуса и срока"],
        "status_change": ["Записать изменение статуса", "Дата вступления в силу", "Цитата"],
        "lang": '<html lang="ru"',
    },
    "tk": {
        "change": [
            "Ýagdaýyň üýtgemegini ýazmak",
            "Möhleti üýtgetmek",
            "Ýagdaýyň we möhletiň taryhy",
        ],
        "status_change": ["Ýagdaýyň üýtgemegini ýazmak", "Güýje giren senesi", "Sitata"],
        "lang": '<html lang="tk"',
    },
}


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.mark.parametrize("language", ["ru", "tk"])
def test_the_commitment_page_and_the_status_change_page_speak_the_staff_members_language(
    editor_client, commitment, language
):
    expected = EXPECTED[language]

    change_page = editor_client.get(
        change_url(commitment), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    status_page = editor_client.get(
        status_change_url(commitment), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()

    assert expected["lang"] in change_page
    assert expected["lang"] in status_page
    for text in expected["change"]:
        assert text in change_page
    for text in expected["status_change"]:
        assert text in status_page
    # The page's heading is ours too, and no English of ours is left where it was.
    assert f"<h1>{expected['status_change'][0]}</h1>" in status_page
    for text in EXPECTED["en"]["change"]:
        assert text not in change_page
    assert "Took effect on" not in status_page


def test_in_english_the_pages_read_as_before(editor_client, commitment):
    change_page = editor_client.get(
        change_url(commitment), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    status_page = editor_client.get(
        status_change_url(commitment), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert EXPECTED["en"]["lang"] in change_page
    for text in EXPECTED["en"]["change"]:
        assert text in change_page
    for text in EXPECTED["en"]["status_change"]:
        assert text in status_page
    assert "<h1>Record a status change</h1>" in status_page
    assert "Now: <strong>Proposed</strong>; deadline:" in status_page
    assert "Записать" not in change_page + status_page
    assert "ýazmak" not in change_page + status_page


class _FormRows(HTMLParser):
    """The names of the inputs in each `.form-row` of a page."""

    def __init__(self):
        super().__init__()
        self.rows: list[set[str]] = []
        self._open: list[set[str] | None] = []  # one per open <div>

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div":
            is_row = "form-row" in (attrs.get("class") or "").split()
            self._open.append(set() if is_row else None)
            if is_row:
                self.rows.append(self._open[-1])
        elif tag in ("input", "textarea", "select") and attrs.get("name"):
            for row in self._open:
                if row is not None:
                    row.add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "div" and self._open:
            self._open.pop()


def form_rows(page: str) -> list[set[str]]:
    parser = _FormRows()
    parser.feed(page)
    return parser.rows


def test_the_change_form_shows_the_title_in_every_language_side_by_side(editor_client, commitment):
    page = editor_client.get(change_url(commitment)).content.decode()

    titles = {"title_en", "title_ru", "title_tk"}
    assert [row for row in form_rows(page) if titles <= row], "no row holds the three titles"


def test_a_russian_title_saved_in_the_admin_is_the_projects_translation_and_english_stays(
    editor_client, commitment
):
    response = editor_client.get(change_url(commitment), HTTP_ACCEPT_LANGUAGE="ru")
    data = changeform_post_data(response)
    data["title_ru"] = "Национальная программа кибербезопасности"

    response = editor_client.post(change_url(commitment), data, HTTP_ACCEPT_LANGUAGE="ru")

    assert response.status_code == 302, form_errors(response)
    commitment.refresh_from_db()
    assert commitment.title_ru == "Национальная программа кибербезопасности"
    assert commitment.title_en == "National cyber-security programme"
    assert commitment.title_tk in ("", None)
    assert commitment.translation_origins.get("ru") == Origin.PROJECT  # stored, not inferred
    assert origin_of(commitment, "ru") == Origin.PROJECT
    assert origin_of(commitment, "tk") is None
