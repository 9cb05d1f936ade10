"""The API in the tracker's three languages: `?lang=` (which wins) or Accept-Language chooses
the language of every translated field, in JSON, CSV, iCalendar and Atom; a missing
translation falls back to English and says so field by field; quotes are never translated."""

from __future__ import annotations

import csv
import io
import json

import feedparser
import pytest
from icalendar import Calendar

from commitments.services import PartySpec, commitment_update
from tests.api_fixtures import problem_fields
from tests.factories import SOURCE_TEXT, make_actor, make_commitment, make_source

pytestmark = pytest.mark.django_db

QUOTE = "a national cyber-security programme will run for 2025-2027"
RU_TITLE = "Национальная программа по кибербезопасности"
RU_DESCRIPTION = "Программа на 2025–2027 годы, принятая правительством."
TK_TITLE = "Kiberhowpsuzlyk boýunça milli maksatnama"


@pytest.fixture
def translated(db):
    source = make_source(
        title="Ministry announces a programme",
        translations={"ru": {"title": "Министерство объявило о программе"}},
    )
    ministry = make_actor(
        slug="mfa",
        name="Ministry of Foreign Affairs of Turkmenistan",
        translations={
            "ru": {"name": "Министерство иностранных дел Туркменистана"},
            "tk": {"name": "Türkmenistanyň Daşary işler ministrligi"},
        },
    )
    return make_commitment(
        source=source,
        reference="TM-1",
        title="National cyber-security programme",
        description="A programme for 2025-2027 adopted by the government.",
        deadline="for 2025-2027",
        parties=[(ministry, "responsible")],
        translations={
            "ru": {"title": RU_TITLE, "description": RU_DESCRIPTION},
            # No Turkmen description: it falls back to English.
            "tk": {"title": TK_TITLE, "origin": "source"},
        },
    )


def detail(client, commitment, **headers):
    return client.get(f"/api/v1/commitments/{commitment.pk}/", **headers)


def test_accept_language_chooses_the_language_and_the_answer_says_it(anon, translated):
    response = detail(anon, translated, HTTP_ACCEPT_LANGUAGE="ru-RU,ru;q=0.9,en;q=0.5")
    assert response.status_code == 200
    assert response["Content-Language"] == "ru"
    assert "Accept-Language" in response["Vary"]
    body = response.json()
    assert body["title"] == RU_TITLE
    assert body["description"] == RU_DESCRIPTION
    assert body["translation"] == {"language": "ru", "origin": "project", "fallback": []}
    party = body["parties"][0]["actor"]
    assert party["name"] == "Министерство иностранных дел Туркменистана"
    assert party["translation"]["language"] == "ru"
    citation = body["citations"][0]
    assert citation["source"]["title"] == "Министерство объявило о программе"
    # The quote is the source's own words, byte for byte, in every language.
    assert citation["quote"] == QUOTE


def test_lang_parameter_wins_over_the_header(anon, translated):
    response = anon.get(
        f"/api/v1/commitments/{translated.pk}/", {"lang": "tk"}, HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response["Content-Language"] == "tk"
    body = response.json()
    assert body["title"] == TK_TITLE
    # No Turkmen description: English, and said so.
    assert body["description"] == "A programme for 2025-2027 adopted by the government."
    assert body["translation"] == {
        "language": "tk",
        "origin": "source",
        "fallback": ["description"],
    }
    # The source has no Turkmen title: its English one, marked.
    source = body["citations"][0]["source"]
    assert source["title"] == "Ministry announces a programme"
    assert source["translation"] == {"language": "tk", "origin": None, "fallback": ["title"]}
    assert body["citations"][0]["quote"] == QUOTE


def test_english_is_the_default_and_an_unknown_language_falls_back_to_it(anon, translated):
    for headers in ({}, {"HTTP_ACCEPT_LANGUAGE": "de-DE,fr;q=0.8"}):
        response = detail(anon, translated, **headers)
        assert response["Content-Language"] == "en"
        body = response.json()
        assert body["title"] == "National cyber-security programme"
        assert body["translation"] == {"language": "en", "origin": None, "fallback": []}


def test_a_lang_the_tracker_does_not_speak_is_a_400_naming_it(anon, translated):
    response = anon.get("/api/v1/commitments/", {"lang": "kk"})
    assert response.status_code == 400
    message = problem_fields(response)["lang"]
    assert "kk" in message and "en, ru, tk" in message


def test_the_list_is_in_the_language_and_its_etag_differs_per_language(anon, translated):
    english = anon.get("/api/v1/commitments/")
    russian = anon.get("/api/v1/commitments/", {"lang": "ru"})
    assert [row["title"] for row in russian.json()["results"]] == [RU_TITLE]
    assert russian["Content-Language"] == "ru"
    one_en, one_ru = detail(anon, translated), detail(anon, translated, HTTP_ACCEPT_LANGUAGE="ru")
    assert one_en["ETag"] != one_ru["ETag"]
    assert english.json()["results"][0]["title"] == "National cyber-security programme"
    # A Russian 304 needs the Russian ETag: the English one does not match it.
    stale = detail(anon, translated, HTTP_ACCEPT_LANGUAGE="ru", HTTP_IF_NONE_MATCH=one_en["ETag"])
    assert stale.status_code == 200
    fresh = detail(anon, translated, HTTP_ACCEPT_LANGUAGE="ru", HTTP_IF_NONE_MATCH=one_ru["ETag"])
    assert fresh.status_code == 304


def test_the_list_keeps_its_query_count_in_every_language(
    anon, translated, django_assert_num_queries
):
    for number in range(5):
        make_commitment(reference=f"MORE-{number}", translations={"ru": {"title": f"Ещё {number}"}})
    counts = {}
    for language in ("en", "ru", "tk"):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = anon.get("/api/v1/commitments/", {"lang": language})
        assert response.status_code == 200
        counts[language] = len(queries)
    assert counts["ru"] == counts["en"] == counts["tk"]


# What a Russian and a Turkmen reader get of the fixture: the title, the description (the
# Turkmen one falls back to English), who wrote them, and what fell back.
READS = {
    "ru": (RU_TITLE, RU_DESCRIPTION, "project", ""),
    "tk": (
        TK_TITLE,
        "A programme for 2025-2027 adopted by the government.",
        "source",
        "description",
    ),
}


@pytest.mark.parametrize("language", ["ru", "tk"])
def test_csv_is_in_the_language_with_the_fallback_said(anon, translated, language):
    title, description, origin, fallback = READS[language]
    response = anon.get("/api/v1/commitments/", {"format": "csv", "lang": language})
    assert response["Content-Language"] == language
    text = b"".join(response.streaming_content).decode("utf-8")
    (row,) = csv.DictReader(io.StringIO(text))
    assert (row["title"], row["description"]) == (title, description)
    assert row["translation_language"] == language
    assert row["translation_origin"] == origin
    assert row["translation_fallback"] == fallback


@pytest.mark.parametrize("language", ["ru", "tk"])
def test_icalendar_is_in_the_language_and_names_it_per_property(anon, translated, language):
    title, description, _origin, fallback = READS[language]
    response = anon.get("/api/v1/deadlines.ics", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    calendar = Calendar.from_ical(b"".join(response.streaming_content))
    (event,) = [c for c in calendar.walk() if c.name in ("VEVENT", "VTODO")]
    assert title in str(event["SUMMARY"])
    assert event["SUMMARY"].params["LANGUAGE"] == language
    assert str(event["DESCRIPTION"]).startswith(description)
    # RFC 5545's LANGUAGE: English where the description has no translation.
    assert event["DESCRIPTION"].params["LANGUAGE"] == ("en" if fallback else language)


@pytest.mark.parametrize("language", ["ru", "tk"])
def test_atom_entries_are_in_the_language(anon, translated, language):
    from commitments.services import commitment_record_status_change

    commitment_record_status_change(
        commitment=translated,
        status="in_progress",
        effective_on=translated.created_at.date(),
        source=translated.citations.first().source,
        quote="a national cyber-security programme",
    )
    response = anon.get("/api/v1/alerts.atom", {"lang": language})
    assert response.status_code == 200, response.content
    assert response["Content-Language"] == language
    feed = feedparser.parse(response.content)
    assert feed.feed.language == language
    (entry,) = feed.entries
    assert READS[language][0] in entry.title
    assert entry.title_detail.language == language


def test_a_write_with_translations_round_trips(staff, source):
    body = {
        "reference": "RT-1",
        "title": "Regional forum in Ashgabat",
        "kind": "event",
        "translations": {
            "ru": {"title": "Региональный форум в Ашхабаде", "origin": "source"},
            "tk": {"title": "Aşgabatda sebit forumy", "description": "Forum 2024-nji ýylda."},
        },
    }
    created = staff.post("/api/v1/commitments/", body, format="json")
    assert created.status_code == 201, created.content
    translations = created.json()["translations"]
    assert translations["ru"] == {
        "title": "Региональный форум в Ашхабаде",
        "description": "",
        "origin": "source",
    }
    assert translations["tk"]["origin"] == "project"  # the default: written by the tracker
    assert translations["en"]["title"] == "Regional forum in Ashgabat"
    pk = created.json()["id"]
    changed = staff.patch(
        f"/api/v1/commitments/{pk}/",
        {"translations": {"ru": {"title": "Региональный форум в Ашхабаде (2024)"}}},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    again = changed.json()["translations"]
    assert again["ru"]["title"] == "Региональный форум в Ашхабаде (2024)"
    assert again["ru"]["origin"] == "source"  # kept: not sent
    assert again["tk"] == translations["tk"]  # a language left out is kept
    # An English title stays English whatever language the editor reads in.
    assert changed.json()["title"] == "Regional forum in Ashgabat"
    russian = staff.patch(
        f"/api/v1/commitments/{pk}/",
        {"title": "Regional forum, Ashgabat"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="ru",
    )
    assert russian.json()["title"] == "Региональный форум в Ашхабаде (2024)"
    assert russian.json()["translations"]["en"]["title"] == "Regional forum, Ashgabat"


def test_translations_are_shown_to_staff_only(anon, reader, translated):
    assert "translations" not in detail(anon, translated).json()
    assert "translations" not in detail(reader, translated).json()


@pytest.mark.parametrize(
    ("translations", "field"),
    [
        ({"kk": {"title": "x"}}, "translations.kk"),
        ({"ru": {"titel": "x"}}, "translations.ru.titel"),
        ({"ru": {"title": 5}}, "translations.ru.title"),
        ({"ru": {"title": "x" * 301}}, "translations.ru.title"),
        ({"ru": {"origin": "machine"}}, "translations.ru.origin"),
        ({"en": {"title": "x"}}, "translations.en"),
        ({"ru": "x"}, "translations.ru"),
    ],
)
def test_a_bad_translation_is_a_400_naming_it_and_nothing_is_written(
    staff, translated, translations, field
):
    before = translated.title_ru
    response = staff.patch(
        f"/api/v1/commitments/{translated.pk}/", {"translations": translations}, format="json"
    )
    assert response.status_code == 400, response.content
    fields = problem_fields(response)
    assert any(name and name.startswith(field) for name in fields), fields
    translated.refresh_from_db()
    assert translated.title_ru == before


def test_sources_are_in_the_language_and_their_text_never_is(anon, translated):
    source = translated.citations.first().source
    response = anon.get(f"/api/v1/sources/{source.pk}/", {"lang": "ru"})
    body = response.json()
    assert body["title"] == "Министерство объявило о программе"
    assert body["translation"] == {"language": "ru", "origin": "project", "fallback": []}
    assert body["text"] == SOURCE_TEXT


def test_search_finds_each_language_by_inflected_and_prefix_words(anon, translated):
    def found(query: str, **params) -> list[str]:
        response = anon.get("/api/v1/commitments/", {"q": query, **params})
        assert response.status_code == 200, response.content
        return [row["reference"] for row in response.json()["results"]]

    # Russian, inflected: the text has "кибербезопасности", the query another case.
    assert found("кибербезопасность") == ["TM-1"]
    assert found("программы") == ["TM-1"]
    # English stems, and a Russian query read by an English reader.
    assert found("programmes") == ["TM-1"]
    assert found("программа", lang="en") == ["TM-1"]
    # Turkmen: accents folded, words found by their beginning (no Turkmen dictionary).
    assert found("kiberhowpsuz") == ["TM-1"]
    assert found("maksatnama") == ["TM-1"]
    assert found("Türkmenistanyň") == ["TM-1"]  # an actor's Turkmen name
    assert found("turkmenistan daşary") == ["TM-1"]
    assert found("букварь") == []


def test_a_renamed_actor_is_found_in_its_new_translation(anon, translated):
    from commitments.services import actor_update

    actor = translated.parties.get().actor
    actor_update(actor=actor, data={}, translations={"ru": {"short_name": "МИД Туркменистана"}})
    response = anon.get("/api/v1/commitments/", {"q": "МИД"})
    assert [row["reference"] for row in response.json()["results"]] == ["TM-1"]


def test_an_update_without_translations_keeps_them(translated):
    commitment_update(commitment=translated, data={"title": "New English title"})
    translated.refresh_from_db()
    assert translated.title_ru == RU_TITLE
    assert translated.title_en == "New English title"
    commitment_update(
        commitment=translated,
        data={},
        parties=[PartySpec(make_actor(slug="osce", name="OSCE"), "partner")],
    )
    translated.refresh_from_db()
    assert translated.title_tk == TK_TITLE


def test_a_page_in_russian_leaves_no_language_behind_for_the_next_api_call(client, translated):
    from django.utils import translation

    assert client.get("/ru/commitments/TM-1/").status_code == 200
    # The thread serves the next request, or runs a task, in English again.
    assert translation.get_language() == "en"
    response = client.get("/api/v1/commitments/TM-1/")
    assert response["Content-Language"] == "en"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("ru;q=0", "en"),  # refused
        ("ru;q=0, tk", "tk"),
        ("ru;q=abc, tk", "tk"),  # a malformed item is skipped, not the whole header
        ("de-DE, ru;q=0.5", "ru"),
        ("tk;q=0.5, ru", "ru"),  # by weight
        ("x" * 5000, "en"),
    ],
)
def test_accept_language_is_read_by_weight_item_by_item(anon, translated, header, language):
    assert detail(anon, translated, HTTP_ACCEPT_LANGUAGE=header)["Content-Language"] == language


@pytest.mark.parametrize(
    "translations",
    [
        {"ru": {"title": "Звонок\u0007"}},  # a control character: no feed could carry it
        {"tk": {"origin": "source"}, "ru": {"title": RU_TITLE}},  # an origin with no text
        {"ru": {"title": "a"}, "lang": {}},
    ],
)
def test_more_bad_translations_are_400s(staff, source, translations):
    body = {"reference": "BAD-1", "title": "Forum", "kind": "event", "translations": translations}
    response = staff.post("/api/v1/commitments/", body, format="json")
    assert response.status_code == 400, response.content
    assert any(name.startswith("translations.") for name in problem_fields(response))


def test_a_title_of_spaces_removes_the_translation(staff, translated):
    response = staff.patch(
        f"/api/v1/commitments/{translated.pk}/",
        {"translations": {"ru": {"title": "  \t "}}},
        format="json",
    )
    assert response.status_code == 200, response.content
    translated.refresh_from_db()
    assert translated.title_ru is None
    assert response.json()["translations"]["ru"]["title"] == ""


def test_a_repeated_lang_is_a_400(anon, translated):
    response = anon.get("/api/v1/commitments/?lang=ru&lang=tk")
    assert response.status_code == 400
    assert "lang" in problem_fields(response)


def test_a_field_empty_in_every_language_is_no_fallback(anon):
    actor = make_actor(slug="az", name="Azerbaijan", translations={"ru": {"name": "Азербайджан"}})
    body = anon.get(f"/api/v1/actors/{actor.slug}/", {"lang": "ru"}).json()
    assert body["short_name"] == ""
    assert body["translation"]["fallback"] == []


def test_status_descriptions_are_in_the_language(anon):
    russian = anon.get("/api/v1/statuses/", {"lang": "ru"}).json()
    english = anon.get("/api/v1/statuses/").json()
    assert [s["value"] for s in russian] == [s["value"] for s in english]
    assert all(r["description"] != e["description"] for r, e in zip(russian, english, strict=True))


def test_if_match_from_a_read_in_another_language_or_without_the_token_names_the_state(
    anon, staff, translated
):
    url = f"/api/v1/commitments/{translated.pk}/"
    russian = anon.get(url, {"lang": "ru"})["ETag"]
    changed = staff.patch(url, {"tags": ["one"]}, format="json", HTTP_IF_MATCH=russian)
    assert changed.status_code == 200, changed.content
    # Once it changed, the old ETag of any representation is stale.
    stale = staff.patch(url, {"tags": ["two"]}, format="json", HTTP_IF_MATCH=russian)
    assert stale.status_code == 412


def test_each_languages_json_links_its_own_page_whatever_language_made_it_first(translated):
    from commitments.selectors import commitment_api_json_variants
    from common.json_sql import _json_sql

    # Made here, first, with English active (as an If-Match check makes them).
    _json_sql.cache_clear()
    variants = commitment_api_json_variants(pk=translated.pk)
    for (language, _staff), api_json in variants.items():
        assert json.loads(api_json)["html_url"] == f"/{language}/commitments/TM-1/"
