"""The public pages in English, Russian and Turkmen: each under its own prefix, `/` sent to
the reader's language, a translation told from the original, quotes never translated, and
dates as each language writes them."""

from __future__ import annotations

import re
from html import escape

import pytest
from django.conf import settings
from django.test import Client

from commitments.models import Commitment
from commitments.services import commitment_create
from pages.formats import turkmen_ordinal_suffix
from tests.pages.test_pages import text_of

pytestmark = pytest.mark.django_db

PUBLIC = settings.TRACKER_PUBLIC_URL.rstrip("/")
LABEL = {"ru": "переведено трекером", "tk": "yzarlaýjy tarapyndan terjime edildi"}
NOT_YET = {"ru": "на английском: перевода пока нет", "tk": "iňlis dilinde: entek terjime edilmedi"}


@pytest.mark.parametrize("language", ["ru", "tk"])
def test_a_commitment_reads_in_the_readers_language_marked_as_the_trackers_translation(
    public_data, browser_client, language
):
    dialogue = Commitment.objects.get(reference="TM-2024-04")
    title = getattr(dialogue, f"title_{language}")
    assert title and title != dialogue.title_en  # the seed translates it
    assert dialogue.translation_origins[language] == "project"

    response = browser_client.get(f"/{language}/commitments/TM-2024-04/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert response["Content-Language"] == language
    h1 = re.search(r"<h1>(.*?)</h1>", html, flags=re.S).group(1)
    assert escape(title, quote=False) in h1 and dialogue.title_en not in h1
    # The label follows the title, in the page's language.
    after_title = html.split("</h1>", 1)[1][:300]
    assert f'<small class="translation-note">{LABEL[language]}</small>' in after_title
    description = getattr(dialogue, f"description_{language}")
    if description:
        lead = re.search(r'<p class="lead">(.*?)</p>', html, flags=re.S).group(1)
        assert escape(description, quote=False) in lead and LABEL[language] in lead
    # The quote is the source's, byte for byte, in the source's language.
    for citation in dialogue.citations.select_related("source"):
        quote = f'<blockquote lang="{citation.source.language}" cite="/{language}/sources/'
        assert quote in html
        assert f"“{escape(citation.quote, quote=False)}”</blockquote>" in html
    # The actors' names are translated too, and say so.
    proposer = dialogue.parties.get(role="proposer").actor
    assert escape(getattr(proposer, f"name_{language}"), quote=False) in html


def test_a_missing_translation_falls_back_to_english_marked_lang_en(public_data, browser_client):
    commitment_create(reference="EN-ONLY", title="Only in English", kind="event", is_published=True)

    for language in ("ru", "tk"):
        html = browser_client.get(f"/{language}/commitments/EN-ONLY/").content.decode()
        assert (
            '<h1><span class="ref">EN-ONLY</span> <span lang="en">Only in English</span></h1>'
            in html
        )
        assert NOT_YET[language] in html.split("</h1>", 1)[1][:300]
        assert LABEL[language] not in html.split("</h1>", 1)[1][:300]
        listed = browser_client.get(f"/{language}/commitments/?q=english").content.decode()
        assert '<span lang="en">Only in English</span></a>' in listed
    # English is the original: no label, no note.
    html = browser_client.get("/en/commitments/EN-ONLY/").content.decode()
    assert '<h1><span class="ref">EN-ONLY</span> Only in English</h1>' in html
    assert "translation-note" not in html


def test_a_list_row_says_its_title_is_a_translation(public_data, browser_client):
    html = browser_client.get("/ru/commitments/?tag=international-cooperation").content.decode()

    dialogue = Commitment.objects.get(reference="TM-2024-04")
    rows = re.findall(r'<th scope="row">(.*?)</th>', html, flags=re.S)
    row = next(r for r in rows if "TM-2024-04" in r)
    assert escape(dialogue.title_ru, quote=False) in row
    assert f'<small class="translation-note">{LABEL["ru"]}</small>' in row


def test_each_page_names_its_other_languages_and_the_switcher_keeps_the_reader_there(
    public_data, browser_client
):
    html = browser_client.get("/ru/commitments/TM-2024-04/").content.decode()

    for code in ("en", "ru", "tk"):
        assert (
            f'<link rel="alternate" hreflang="{code}" '
            f'href="{PUBLIC}/{code}/commitments/TM-2024-04/">'
        ) in html
    assert (
        f'<link rel="alternate" hreflang="x-default" href="{PUBLIC}/commitments/TM-2024-04/">'
    ) in html
    switcher = re.search(r'<nav class="languages"[^>]*>(.*?)</nav>', html, flags=re.S).group(1)
    links = re.findall(r"<a [^>]*>[^<]*</a>", switcher)
    assert links == [
        '<a href="/en/commitments/TM-2024-04/" hreflang="en" lang="en">English</a>',
        '<a href="/ru/commitments/TM-2024-04/" hreflang="ru" lang="ru" aria-current="true">'
        "Русский</a>",
        '<a href="/tk/commitments/TM-2024-04/" hreflang="tk" lang="tk">Türkmençe</a>',
    ]


def test_the_switcher_keeps_the_query(public_data, browser_client):
    html = browser_client.get("/tk/commitments/?status=proposed&tag=cybersecurity").content.decode()

    assert 'href="/ru/commitments/?status=proposed&amp;tag=cybersecurity" hreflang="ru"' in html
    assert (
        f'hreflang="en" href="{PUBLIC}/en/commitments/?status=proposed&amp;tag=cybersecurity"'
        in html
    )


@pytest.mark.parametrize(
    ("accept", "path", "expected"),
    [
        ("ru-RU,ru;q=0.9,en;q=0.8", "/", "/ru/"),
        ("tk", "/", "/tk/"),
        ("de, en;q=0.5", "/", "/en/"),
        ("", "/", "/en/"),
        ("tk", "/commitments/TM-2024-04/", "/tk/commitments/TM-2024-04/"),
        ("ru", "/timeline/?tag=cybersecurity", "/ru/timeline/?tag=cybersecurity"),
    ],
)
def test_an_address_without_a_language_redirects_to_the_readers(accept, path, expected):
    response = Client(HTTP_ACCEPT_LANGUAGE=accept).get(path)

    assert response.status_code == 302
    assert response["Location"] == expected
    assert "Accept-Language" in response["Vary"]


def test_the_api_and_health_keep_their_own_language_and_addresses():
    api = Client(HTTP_ACCEPT_LANGUAGE="ru").get("/api/v1/")
    assert api.status_code == 200 and api["Content-Language"] == "ru"
    health = Client(HTTP_ACCEPT_LANGUAGE="ru").get("/health/")
    assert health.status_code in (200, 503)
    assert not health.has_header("Content-Language")


def test_the_admin_follows_the_staff_members_language_without_a_prefix():
    login = Client(HTTP_ACCEPT_LANGUAGE="ru").get("/admin/login/")

    assert login.status_code == 200
    assert '<html lang="ru"' in login.content.decode()
    assert "Трекер обязательств — сотрудники" in login.content.decode()
    assert Client().get("/admin/login/").content.decode().count('<html lang="en"') == 1


@pytest.mark.parametrize(
    ("language", "overdue", "row"),
    [
        ("en", "Overdue since 1 December 2024.", "Overdue since 1 Dec 2024"),
        ("ru", "Просрочено с 1 декабря 2024.", "Просрочено с 01.12.2024"),
        (
            "tk",
            "1-nji dekabr 2024 ý. senesinden bäri möhleti geçdi.",
            "01.12.2024 senesinden bäri möhleti geçdi",
        ),
    ],
)
def test_dates_are_written_as_each_language_writes_them(
    public_data, browser_client, language, overdue, row
):
    detail = text_of(browser_client.get(f"/{language}/commitments/TM-2024-04/"))
    listed = text_of(browser_client.get(f"/{language}/commitments/?overdue=true"))

    assert overdue in detail
    assert row in listed


def test_statuses_and_the_interface_are_in_the_readers_language(public_data, browser_client):
    ru = text_of(browser_client.get("/ru/"))
    tk = text_of(browser_client.get("/tk/"))

    assert "Что обещали и что из этого вышло" in ru and "Предложено" in ru
    assert "Näme wada berildi" in tk and "Teklip edildi" in tk
    # Other vocabularies' names are theirs, in English, and marked so.
    html = browser_client.get("/ru/").content.decode()
    assert '<td lang="en">Promise Kept</td>' in html


def test_a_page_in_another_language_costs_the_same_queries(
    public_data, browser_client, django_assert_num_queries
):
    for language in ("ru", "tk"):
        with django_assert_num_queries(2):
            assert (
                browser_client.get(f"/{language}/commitments/?status=proposed").status_code == 200
            )
        with django_assert_num_queries(2):
            assert browser_client.get(f"/{language}/timeline/").status_code == 200
        with django_assert_num_queries(7):
            assert browser_client.get(f"/{language}/commitments/TM-2024-05/").status_code == 200


@pytest.mark.parametrize(
    ("number", "suffix"),
    [
        (1, "nji"),
        (2, "nji"),
        (3, "nji"),
        (6, "njy"),
        (9, "njy"),
        (10, "njy"),
        (20, "nji"),
        (21, "nji"),
        (26, "njy"),
        (30, "njy"),
        (31, "nji"),
        (40, "njy"),
        (2024, "nji"),
        (2026, "njy"),
        (100, "nji"),
    ],
)
def test_turkmen_ordinals_follow_the_numbers_last_word(number, suffix):
    assert turkmen_ordinal_suffix(number) == suffix
