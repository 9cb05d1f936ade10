"""Follow-up news, in Russian and English: read in either language, names matched in any case
and spelling, one candidate per event, and a candidate on an existing commitment turned into
its status change, in the admin, the API and the command. Texts written for these tests."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from commitments.choices import CommitmentKind, Status
from commitments.models import Citation, StatusChange
from intake.actors import ActorIndex
from intake.deadline_phrases import deadline_phrases_find
from intake.extraction import candidates_extract
from intake.languages import language_detect
from intake.models import ActorAlias
from intake.wording import kind_from_wording, status_from_wording, title_from_wording
from tests.factories import make_actor, make_commitment, make_source, make_user
from tests.intake.helpers import candidate_fields, suggestions_computed

pytestmark = pytest.mark.django_db

SUGGESTIONS_URL = "/api/v1/intake/suggestions/"


def suggest_url(source):
    return reverse("admin:sources_source_suggest", args=[source.pk])


def osce():
    return make_actor(
        slug="osce",
        name="Organization for Security and Co-operation in Europe",
        short_name="OSCE",
        kind="international_organisation",
        translations={"ru": {"name": "Организация по безопасности и сотрудничеству в Европе"}},
    )


def chakyev():
    return make_actor(
        slug="chakyev",
        name="Mammetkhan Chakyev",
        kind="person",
        translations={"ru": {"name": "Мамметхан Чакыев"}},
    )


# --- reading Russian ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Министерство связи Туркменистана подписало меморандум с академией в Таллине.", "ru"),
        ("The Ministry of Communications signed a memorandum with the academy in Tallinn.", "en"),
        ("Türkmenistanyň Aragatnaşyk ministrligi bilen akademiýanyň arasynda ylalaşyk baglaşyldy.",
         "tk"),
        ("ok", "und"),
    ],
)  # fmt: skip
def test_an_articles_language_is_told_from_its_letters_and_words(text, language):
    assert language_detect(text) == language


@pytest.mark.parametrize(
    ("sentence", "status", "kind", "title"),
    [
        (
            "Министерство и академия подписали меморандум о взаимопонимании.",
            Status.COMPLETED,
            CommitmentKind.AGREEMENT,
            "Меморандум о взаимопонимании",
        ),
        (
            "Президент утвердил программу сотрудничества в сфере кибербезопасности.",
            Status.ADOPTED,
            CommitmentKind.PROGRAMME,
            "Программа сотрудничества в сфере кибербезопасности",
        ),
        (
            "Стороны договорились разработать дорожную карту.",
            Status.ADOPTED,
            CommitmentKind.PROGRAMME,
            "Дорожная карта",
        ),
        ("Министр предложил провести форум.", Status.PROPOSED, CommitmentKind.EVENT, "Форум"),
        ("Работа над проектом приостановлена.", Status.STALLED, CommitmentKind.INITIATIVE, None),
    ],
)
def test_russian_cue_words_give_the_status_the_kind_and_a_title_in_the_nominative(
    sentence, status, kind, title
):
    assert status_from_wording(sentence, "ru") == status
    assert kind_from_wording(sentence, "ru") == kind
    if title:
        assert title_from_wording(sentence, "ru", kind) == title


@pytest.mark.parametrize(
    ("sentence", "words", "edtf"),
    [
        ("Центр откроют до конца 2025 года.", "до конца 2025 года", "2025"),
        ("Работы завершат к концу 2026 года.", "к концу 2026 года", "2026"),
        ("Программа рассчитана на 2025–2027 годы.", "на 2025–2027 годы", "2025/2027"),
        ("Её реализуют в 2025–2027 годах.", "в 2025–2027 годах", "2025/2027"),
        ("Форум пройдёт во втором полугодии 2025 года.", "во втором полугодии 2025 года",
         "2025-41"),
        ("Курсы начнутся в третьем квартале 2025 года.", "в третьем квартале 2025 года",
         "2025-35"),
        ("Сеть охватит все регионы к 2030 году.", "к 2030 году", "2030"),
        ("Документ подпишут до 15 марта 2026 года.", "до 15 марта 2026 года", "2026-03-15"),
        ("Встреча намечена на февраль 2025 года.", "февраль 2025 года", "2025-02"),
        ("Его откроют в следующем году.", "в следующем году", "2025"),
    ],
)  # fmt: skip
def test_russian_deadline_phrases_in_every_case(sentence, words, edtf):
    phrases = deadline_phrases_find(sentence, published=date(2024, 11, 22), language="ru")

    assert [(p.words, p.deadline.edtf) for p in phrases] == [(words, edtf)]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("On 21 November the ministers held a dialogue in Ashgabat and agreed to meet again "
         "in 2026.", "en"),
        ("21 ноября министры провели в Ашхабаде диалог и договорились встретиться снова "
         "в 2026 году.", "ru"),
    ],
)  # fmt: skip
def test_the_meetings_own_date_is_no_deadline(text, language):
    phrases = deadline_phrases_find(text, published=date(2024, 11, 22), language=language)

    assert [p.deadline.edtf for p in phrases] == ["2026"]


def test_a_russian_quote_is_kept_verbatim_with_its_language():
    text = (
        "Ашхабад, 12 марта. Министерство связи Туркменистана и ОБСЕ договорились провести "
        "до конца 2025 года серию семинаров по кибербезопасности."
    )
    osce()

    [candidate] = candidates_extract(text=text, published=date(2025, 3, 12))

    assert candidate.language == "ru"
    assert candidate.quote in text and candidate.quote.startswith("Министерство связи")
    assert candidate.deadline.deadline.edtf == "2025"
    assert [m.words for m in candidate.actors] == ["ОБСЕ"]


# --- names in any case and spelling --------------------------------------------------------


def test_actors_are_found_in_any_case_in_transliteration_and_as_acronyms():
    organisation = osce()
    person = chakyev()
    khudaygulyev = make_actor(slug="khudaygulyev", name="Batyr Khudaygulyev", kind="person")
    unoct = make_actor(
        slug="unoct",
        name="United Nations Counter-Terrorism Office",
        kind="international_organisation",
    )
    make_actor(slug="un", name="United Nations", short_name="UN", kind="international_organisation")
    index = ActorIndex.load()

    def found(sentence):
        return [(m.actor, m.words, m.is_variant) for m in index.mentions(sentence)]

    assert found("Слово было предоставлено Мамметхану Чакыеву.") == [
        (person, "Мамметхану Чакыеву", False)
    ]
    assert found("Deputy Prime Minister Chakiyev opened the meeting.") == [
        (person, "Chakiyev", True)
    ]
    assert found("С докладом выступил Худайгулыев.") == [(khudaygulyev, "Худайгулыев", True)]
    assert found("UNCTO will support the project.") == [(unoct, "UNCTO", True)]
    assert found("Семинар организовала ОБСЕ.") == [(organisation, "ОБСЕ", True)]


def test_he_and_she_are_the_last_person_named_when_only_one_was():
    person = chakyev()
    text = (
        "Mammetkhan Chakyev spoke at the opening. He proposed to hold a regional forum on "
        "digital security in Ashgabat in 2026."
    )

    [candidate] = candidates_extract(text=text, published=date(2025, 5, 1))

    assert candidate.quote.startswith("He proposed")
    assert [(m.actor, m.role) for m in candidate.actors] == [(person, "proposer")]


def test_he_is_left_alone_when_two_people_were_named():
    chakyev()
    make_actor(slug="meredov", name="Rashid Meredov", kind="person")
    text = (
        "Mammetkhan Chakyev and Rashid Meredov met the delegation. He proposed to hold a "
        "regional forum on digital security in Ashgabat in 2026."
    )

    [candidate] = candidates_extract(text=text, published=date(2025, 5, 1))

    assert [m.actor.slug for m in candidate.actors] == []


# --- one candidate per event, named ----------------------------------------------------------


def test_sentences_about_one_memorandum_are_one_candidate_named_after_its_parties():
    make_actor(slug="mincom", name="Ministry of Communications")
    make_actor(slug="ega", name="e-Governance Academy", kind="international_organisation")
    text = (
        "The Ministry of Communications and the e-Governance Academy signed a memorandum of "
        "understanding on Tuesday. The memorandum provides for joint training of civil "
        "servants in digital services."
    )

    [candidate] = candidates_extract(text=text, published=date(2024, 11, 22))

    assert candidate.title == (
        "Memorandum of understanding between the Ministry of Communications and the "
        "e-Governance Academy"
    )
    assert candidate.status == Status.COMPLETED


def test_a_sentence_with_a_period_and_an_actor_is_a_candidate_without_a_cue_word():
    osce()
    text = "Courses for young programmers with the OSCE in 2024-2025 across the country."

    [candidate] = candidates_extract(text=text, published=date(2024, 3, 1))

    assert candidate.status == Status.PROPOSED
    assert candidate.deadline.deadline.edtf == "2024/2025"


def test_names_that_are_no_actor_on_record_are_given_apart():
    osce()
    text = "The OSCE and the Estonian Information System Authority agreed to train 40 auditors."

    [candidate] = candidates_extract(text=text, published=date(2025, 3, 1))

    assert [m.words for m in candidate.actors] == ["OSCE"]
    assert candidate.new_names == ["Estonian Information System Authority"]


def test_events_places_and_dates_are_no_new_names():
    text = (
        "The Interregional Dialogue on Digital Cooperation was held in Central Asia on "
        "Monday, and the Ministry of Education agreed to host the next one in 2026."
    )

    [candidate] = candidates_extract(text=text, published=date(2025, 3, 1))

    assert candidate.new_names == ["Ministry of Education"]


def test_a_text_in_a_language_the_assistant_does_not_read_gives_no_candidates():
    text = (
        "Türkmenistanyň Aragatnaşyk ministrligi bilen halkara akademiýanyň arasynda "
        "ylalaşyk baglaşyldy we täze maksatnama kabul edildi."
    )

    assert candidates_extract(text=text, published=date(2025, 3, 1)) == []


# --- a follow-up becomes a status change -----------------------------------------------------

PROGRAMME_TITLE = "Programme of cyber-security cooperation with technologically developed countries"
RUSSIAN_FOLLOW_UP = (
    "Ашхабад, 17 января. Президент Туркменистана утвердил Программу сотрудничества с "
    "технологически развитыми странами в сфере кибербезопасности на 2025–2027 годы."
)
ENGLISH_FOLLOW_UP = (
    "The OSCE held another of its regular training courses on cyber security for Turkmen "
    "specialists in Ashgabat this week."
)


def programme():
    president = make_actor(
        slug="president",
        name="President of Turkmenistan",
        kind="person",
        translations={"ru": {"name": "Президент Туркменистана"}},
    )
    return make_commitment(
        reference="TM-2024-05",
        title=PROGRAMME_TITLE + " for 2025-2027",
        translations={
            "ru": {
                "title": "Программа сотрудничества с технологически развитыми странами в "
                "сфере кибербезопасности на 2025–2027 годы"
            }
        },
        parties=[(president, "proposer")],
    )


def status_recorded_from_page(client, source, commitment):
    """Press "Record … as …" on the first candidate's match `commitment`."""
    return client.post(
        suggest_url(source),
        {**candidate_fields(source, 1), "action": "status", "commitment": commitment.pk},
        follow=True,
    )


def test_a_russian_follow_up_is_recorded_as_its_status_change_in_one_step(editor_client, editor):
    commitment = programme()
    source = make_source(text=RUSSIAN_FOLLOW_UP, published="2025-01-17", language="ru")
    suggestions_computed(source)

    page = editor_client.get(suggest_url(source)).content.decode()
    assert "TM-2024-05" in page and 'value="status" class="default"' in page

    status_recorded_from_page(editor_client, source, commitment)

    change = StatusChange.objects.get(commitment=commitment)
    assert (change.old_status, change.new_status) == (Status.PROPOSED, Status.ADOPTED)
    assert change.effective_on == date(2025, 1, 17)
    assert change.evidence.source == source
    assert change.evidence.quote.startswith("Президент Туркменистана утвердил")
    commitment.refresh_from_db()
    assert commitment.status == Status.ADOPTED


def test_a_status_change_the_evidence_rules_refuse_is_said_on_the_page(editor_client):
    commitment = programme()
    # No publication date: nothing tells when the change took effect.
    source = make_source(text=RUSSIAN_FOLLOW_UP, published="", language="ru")
    suggestions_computed(source)

    response = status_recorded_from_page(editor_client, source, commitment)

    assert not StatusChange.objects.filter(commitment=commitment).exists()
    assert not Citation.objects.filter(source=source).exists()
    messages = [str(m) for m in response.context["messages"]]
    assert any("effective" in m.lower() or "took effect" in m.lower() for m in messages), messages


def test_recording_a_change_the_passage_does_not_support_there_is_refused(editor_client):
    commitment = programme()
    commitment.status = Status.ADOPTED
    commitment.save(update_fields=["status"])
    source = make_source(text=RUSSIAN_FOLLOW_UP, published="2025-01-17", language="ru")
    suggestions_computed(source)

    response = status_recorded_from_page(editor_client, source, commitment)

    assert not StatusChange.objects.filter(commitment=commitment).exists()
    assert any("records nothing new" in str(m) for m in response.context["messages"])


def test_a_spelling_variant_is_added_as_an_alias_in_one_click(editor_client):
    person = chakyev()
    source = make_source(
        text="Deputy Prime Minister Chakiyev proposed to open a data centre in Mary by 2027.",
        published="2025-02-01",
    )
    suggestions_computed(source)
    page = editor_client.get(suggest_url(source)).content.decode()
    assert "Add “Chakiyev” as an alias" in page

    editor_client.post(
        suggest_url(source),
        {
            **candidate_fields(source, 1),
            "action": "alias",
            "actor": person.pk,
            "words": "Chakiyev",
        },
    )

    assert ActorAlias.objects.filter(actor=person, alias="Chakiyev").exists()


def test_an_unread_language_is_named_with_what_to_do(editor_client):
    source = make_source(
        text="Türkmenistanyň Aragatnaşyk ministrligi bilen halkara akademiýanyň arasynda "
        "ylalaşyk baglaşyldy we täze maksatnama kabul edildi.",
        language="tk",
    )
    suggestions_computed(source)

    page = editor_client.get(suggest_url(source)).content.decode()

    assert "reads as Turkmen" in page
    assert "No sentence of this text reads like a commitment" not in page


# --- the same suggestions as JSON ------------------------------------------------------------


def test_staff_get_the_suggestions_as_json_with_matches_and_status_changes(editor_client):
    programme()
    osce()

    answer = editor_client.post(
        SUGGESTIONS_URL,
        {"text": RUSSIAN_FOLLOW_UP, "published_on": "2025-01-17"},
        content_type="application/json",
    )

    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["language"], body["read"], body["message"]) == ("ru", True, None)
    [candidate] = body["candidates"]
    assert candidate["quote"] in RUSSIAN_FOLLOW_UP
    assert (candidate["language"], candidate["kind"], candidate["status"]) == (
        "ru",
        "programme",
        "adopted",
    )
    assert candidate["title"].startswith("Программа сотрудничества")
    assert candidate["deadline"]["edtf"] == "2025/2027"
    assert [a["slug"] for a in candidate["actors"]["known"]] == ["president"]
    assert candidate["actors"]["new"] == []
    top = candidate["matches"][0]
    assert (top["reference"], top["label"], top["status_change"]) == (
        "TM-2024-05",
        "probably",
        "adopted",
    )


def test_the_json_names_a_language_the_assistant_does_not_read(editor_client):
    answer = editor_client.post(
        SUGGESTIONS_URL,
        {"text": "Bu ýyl täze maksatnama kabul edildi.", "language": "tk"},
        content_type="application/json",
    )

    body = answer.json()
    assert (body["language"], body["read"], body["candidates"]) == ("tk", False, [])
    assert "Turkmen" in body["message"]


def test_a_source_added_before_is_read_by_its_id_with_its_date(editor_client):
    programme()
    source = make_source(text=RUSSIAN_FOLLOW_UP, published="2025-01-17", language="ru")

    body = editor_client.post(
        SUGGESTIONS_URL, {"source": source.pk}, content_type="application/json"
    ).json()

    [candidate] = body["candidates"]
    assert candidate["matches"][0]["status_change"] == "adopted"
    assert candidate["quote"] in source.text


def test_a_text_and_a_source_at_once_are_refused(editor_client):
    source = make_source(text=RUSSIAN_FOLLOW_UP)

    answer = editor_client.post(
        SUGGESTIONS_URL, {"text": "A plan.", "source": source.pk}, content_type="application/json"
    )

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "text"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"source": 999_999}, "source"),
        ({"source": "1.5"}, "source"),
        ({"text": 12}, "text"),
        ({"text": "x" * 50_001}, "text"),
        ({"text": "A plan.", "published_on": "17.01.2025"}, "published_on"),
        ({"text": "A plan.", "language": "xx"}, "language"),
        ({"text": "A plan.", "title": "extra"}, "title"),
    ],
)
def test_bad_requests_are_a_400_naming_the_field(editor_client, body, field):
    answer = editor_client.post(SUGGESTIONS_URL, body, content_type="application/json")

    assert answer.status_code == 400
    assert field in json.dumps(answer.json())


@override_settings(INTAKE_API_TIME_LIMIT=0)
def test_a_reading_stopped_by_the_time_limit_says_so(editor_client):
    programme()

    body = editor_client.post(
        SUGGESTIONS_URL, {"text": RUSSIAN_FOLLOW_UP}, content_type="application/json"
    ).json()

    assert (body["timed_out"], body["candidates"]) == (True, [])
    assert "Stopped after 0 seconds" in body["message"]


def test_a_reading_within_the_time_limit_is_whole(editor_client):
    programme()

    body = editor_client.post(
        SUGGESTIONS_URL, {"text": RUSSIAN_FOLLOW_UP}, content_type="application/json"
    ).json()

    assert (body["timed_out"], body["message"], len(body["candidates"])) == (False, None, 1)


def test_only_staff_who_may_add_commitments_get_suggestions(client):
    body = {"text": ENGLISH_FOLLOW_UP}
    assert client.post(SUGGESTIONS_URL, body, content_type="application/json").status_code == 401

    client.force_login(make_user(username="staff-only", is_staff=True))
    assert client.post(SUGGESTIONS_URL, body, content_type="application/json").status_code == 403


def test_the_command_prints_what_the_api_answers(editor_client, tmp_path):
    programme()
    article = tmp_path / "follow-up.txt"
    article.write_text(RUSSIAN_FOLLOW_UP, encoding="utf-8")
    out = StringIO()

    call_command("suggest_commitments", str(article), "--published", "2025-01-17", stdout=out)

    api = editor_client.post(
        SUGGESTIONS_URL,
        {"text": RUSSIAN_FOLLOW_UP, "published_on": "2025-01-17"},
        content_type="application/json",
    )
    assert json.loads(out.getvalue()) == api.json()


def test_the_command_names_a_bad_date_and_a_missing_file(tmp_path):
    from django.core.management.base import CommandError

    article = tmp_path / "a.txt"
    article.write_text("A plan.", encoding="utf-8")
    with pytest.raises(CommandError, match="--published"):
        call_command("suggest_commitments", str(article), "--published", "tomorrow")
    with pytest.raises(CommandError, match="no such file"):
        call_command("suggest_commitments", str(tmp_path / "missing.txt"))


# --- what an outside tester found ------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "language", "status"),
    [
        ("Turkmenistan abandoned the programme of cyber-security cooperation.", "en",
         Status.ABANDONED),
        ("Work on the programme of cyber-security cooperation was halted.", "en", Status.STALLED),
        ("От программы сотрудничества в сфере кибербезопасности отказались.", "ru",
         Status.ABANDONED),
        ("Реализация программы сотрудничества прекращена.", "ru", Status.ABANDONED),
        ("Туркменистан и ОБСЕ подпишут соглашение о партнёрстве.", "ru", Status.PROPOSED),
    ],
)  # fmt: skip
def test_stopping_giving_up_and_the_future_are_read(sentence, language, status):
    assert status_from_wording(sentence, language) == status


def test_a_follow_up_naming_an_earlier_step_records_no_change_backwards(editor_client):
    commitment = programme()
    commitment.status = Status.IN_PROGRESS
    commitment.save(update_fields=["status"])

    body = editor_client.post(
        SUGGESTIONS_URL,
        {"text": RUSSIAN_FOLLOW_UP, "published_on": "2025-01-17"},
        content_type="application/json",
    ).json()

    top = body["candidates"][0]["matches"][0]
    assert (top["reference"], top["status_change"]) == ("TM-2024-05", None)


def test_the_day_something_was_approved_is_no_deadline_even_without_the_articles_date():
    text = (
        "14 марта 2025 года Президент утвердил программу сотрудничества в сфере "
        "кибербезопасности на 2025–2027 годы."
    )

    [candidate] = candidates_extract(text=text, published=None)

    assert candidate.deadline.deadline.edtf == "2025/2027"


def test_a_line_wrapped_inside_a_sentence_and_odd_spaces_keep_the_sentence_and_its_deadline():
    text = "Turkmenistan will sign an agreement\nwith the OSCE by the end\u00a0of  2026."

    [candidate] = candidates_extract(text=text, published=date(2025, 1, 1))

    assert candidate.quote == text
    assert candidate.deadline.deadline.edtf == "2026"


@pytest.mark.parametrize("query", ["?foo=1", "?lang=xx"])
def test_an_unknown_query_parameter_is_a_400(editor_client, query):
    answer = editor_client.post(
        SUGGESTIONS_URL + query, {"text": ENGLISH_FOLLOW_UP}, content_type="application/json"
    )

    assert answer.status_code == 400


def test_a_text_of_whitespace_is_a_400_naming_it(editor_client):
    answer = editor_client.post(
        SUGGESTIONS_URL, {"text": " \n\t "}, content_type="application/json"
    )

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["field"] == "text"


def test_more_candidates_than_listed_are_said(editor_client, monkeypatch):
    from intake import extraction

    monkeypatch.setattr(extraction, "MAX_CANDIDATES", 2)  # read once, at import
    text = " ".join(
        f"The ministry will open centre number {n} by the end of 2026." for n in range(4)
    )

    body = editor_client.post(
        SUGGESTIONS_URL, {"text": text}, content_type="application/json"
    ).json()

    assert (body["more_candidates"], len(body["candidates"])) == (True, 2)
    assert "more candidates than the 2 listed" in body["message"]
