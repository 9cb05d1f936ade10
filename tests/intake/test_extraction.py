"""The extraction assistant's rules: sentences, wording, deadline phrases and actors."""

from datetime import date

import pytest

from commitments.choices import CommitmentKind, PartyRole, Status
from intake.actors import ActorIndex
from intake.deadline_phrases import deadline_phrases_find
from intake.extraction import candidates_extract
from intake.sentences import sentences_split
from intake.services import actor_alias_create
from intake.wording import kind_from_wording, status_from_wording, title_from_wording
from sources.selectors import source_text_contains
from tests.factories import make_actor, make_source

ARTICLE = (
    "Cabinet meeting\n\n"
    "Minister of Foreign Affairs R. Meredov reported on the digital sphere. It is proposed to "
    "hold a regional forum in Ashgabat in November this year. The ministers signed a "
    "memorandum on the issues discussed. Officials met journalists on Friday.\n"
    "A programme for 2025-2027 was approved by the head of state."
)


def test_sentences_keep_initials_and_abbreviations_and_their_place_in_the_text():
    sentences = sentences_split(ARTICLE)

    assert [s.text for s in sentences] == [
        "Cabinet meeting",
        "Minister of Foreign Affairs R. Meredov reported on the digital sphere.",
        "It is proposed to hold a regional forum in Ashgabat in November this year.",
        "The ministers signed a memorandum on the issues discussed.",
        "Officials met journalists on Friday.",
        "A programme for 2025-2027 was approved by the head of state.",
    ]
    assert all(ARTICLE[s.start : s.end] == s.text for s in sentences)


@pytest.mark.parametrize(
    ("sentence", "status", "kind"),
    [
        ("It is proposed to hold a Dialogue in Ashgabat.", Status.PROPOSED, CommitmentKind.EVENT),
        ("The ministers signed a memorandum.", Status.COMPLETED, CommitmentKind.AGREEMENT),
        ("The President approved the proposal.", Status.ADOPTED, CommitmentKind.PROPOSAL),
        ("The summit to be held in November.", Status.ADOPTED, CommitmentKind.EVENT),
        ("The Law entered into force in 2019.", Status.COMPLETED, CommitmentKind.LEGISLATION),
        (
            "Work is carried out under the Digital Economy Program.",
            Status.IN_PROGRESS,
            CommitmentKind.PROGRAMME,
        ),
        ("The country plans to build a data centre.", Status.PROPOSED, CommitmentKind.INITIATIVE),
        ("The ministry will open a portal.", Status.PROPOSED, CommitmentKind.INITIATIVE),
        ("It should be noted that the weather was fine.", None, CommitmentKind.INITIATIVE),
        ("Officials met journalists on Friday.", None, CommitmentKind.INITIATIVE),
    ],
)
def test_the_wording_gives_the_status_and_the_kind(sentence, status, kind):
    assert status_from_wording(sentence) == status
    assert kind_from_wording(sentence) == kind


def test_the_title_names_what_is_promised_not_the_sentence():
    title = title_from_wording("It is also proposed to hold an interregional Dialogue in 2024.")

    assert title == "Interregional Dialogue"


@pytest.mark.parametrize(
    ("sentence", "words", "edtf"),
    [
        ("It is proposed to hold it in November 2024.", "in November 2024", "2024-11"),
        ("A programme for 2025-2027 was proposed.", "for 2025-2027", "2025/2027"),
        ("Projects carried out in 2024\u20132025 are planned.", "in 2024\u20132025", "2024/2025"),
        ("It will run from 2025 to 2027.", "from 2025 to 2027", "2025/2027"),
        ("It will be done by the end of 2025.", "by the end of 2025", "2025"),
        ("The summit to be held in November this year.", "in November this year", "2022-11"),
        ("Done in the third quarter of 2025.", "in the third quarter of 2025", "2025-35"),
    ],
)
def test_deadline_phrases_are_found_and_parsed_by_the_deadline_parser(sentence, words, edtf):
    [phrase] = deadline_phrases_find(sentence, published=date(2022, 10, 27))

    assert (phrase.words, phrase.deadline.edtf) == (words, edtf)


def test_this_year_without_a_publication_date_is_no_deadline():
    assert deadline_phrases_find("The summit to be held in November this year.") == []


@pytest.mark.django_db
def test_actors_are_found_by_name_short_name_surname_and_alias():
    osce = make_actor(
        name="Organization for Security and Co-operation in Europe", short_name="OSCE"
    )
    un = make_actor(name="United Nations", short_name="UN", kind="international_organisation")
    unoct = make_actor(
        name="United Nations Counter-Terrorism Office",
        short_name="UNOCT",
        kind="international_organisation",
    )
    meredov = make_actor(name="R. Meredov", kind="person")
    president = make_actor(name="Serdar Berdimuhamedov", kind="person")
    actor_alias_create(actor=president, alias="the head of state")
    index = ActorIndex.load()

    def found(sentence):
        return [(m.actor, m.words) for m in index.mentions(sentence)]

    assert found("Partnership with the OSCE and Meredov.") == [(osce, "OSCE"), (meredov, "Meredov")]
    assert found("The United Nations Counter-Terrorism Office and the UN agree.") == [
        (unoct, "United Nations Counter-Terrorism Office"),
        (un, "UN"),
    ]
    # "un" in lower case is a word, not the United Nations.
    assert found("An unusual plan, un peu.") == []
    assert found("Proposals went to the head of state.") == [(president, "the head of state")]


@pytest.mark.django_db
def test_candidates_have_a_verbatim_quote_a_deadline_and_the_proposer_named_earlier():
    meredov = make_actor(name="R. Meredov", kind="person")
    source = make_source(text=ARTICLE, published="2024-09-13")

    candidates = candidates_extract(text=source.text, published=source.published_on)

    assert [c.status for c in candidates] == [Status.PROPOSED, Status.COMPLETED, Status.ADOPTED]
    forum = candidates[0]
    assert forum.kind == CommitmentKind.EVENT
    assert forum.deadline.deadline.edtf == "2024-11"
    assert forum.deadline.deadline.text == "in November 2024"
    assert [(m.actor, m.role) for m in forum.actors] == [(meredov, PartyRole.PROPOSER)]
    assert all(source_text_contains(source=source, quote=c.quote) for c in candidates)
    # A date in a sentence about something done is not a deadline; a period is.
    assert candidates[2].deadline.deadline.edtf == "2025/2027"
