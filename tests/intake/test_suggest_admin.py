"""The extraction assistant in the admin: candidates from a source's text, accepted through
the services as a new commitment or as a citation of an existing one."""

import pytest
from django.urls import reverse

from commitments.models import Citation, Commitment
from sources.models import Source
from tests.factories import make_actor, make_commitment, make_source
from tests.intake.helpers import candidate_fields, suggestions_computed

pytestmark = pytest.mark.django_db

ARTICLE = (
    "Ashgabat, 2 December. It is proposed to hold a regional forum in Ashgabat in November "
    "2024, the Ministry of Communications said. The ministry will open a national data "
    "centre by the end of 2026."
)


def suggest_url(source):
    return reverse("admin:sources_source_suggest", args=[source.pk])


def test_the_source_page_links_to_the_suggestions(editor_client):
    source = make_source(text=ARTICLE)

    page = editor_client.get(reverse("admin:sources_source_change", args=[source.pk]))

    assert suggest_url(source) in page.content.decode()


def test_saving_a_new_source_can_go_straight_to_its_suggestions(editor_client):
    response = editor_client.post(
        reverse("admin:sources_source_add"),
        {
            "title_en": "Forum news",
            "kind": "news_report",
            "language": "en",
            "text": ARTICLE,
            "_suggest": "1",
        },
    )

    source = Source.objects.get(title="Forum news")
    assert response.status_code == 302
    assert response["Location"] == suggest_url(source)


def test_candidates_show_deadline_actors_and_the_existing_commitment_they_concern(editor_client):
    ministry = make_actor(name="Ministry of Communications")
    existing = make_commitment(
        reference="FORUM-1",
        title="Regional forum in Ashgabat",
        source=make_source(title="Older news"),
    )
    source = make_source(text=ARTICLE, title="Forum news")
    suggestions_computed(source)

    response = editor_client.get(suggest_url(source))

    page = response.content.decode()
    suggestions = [s for s, _ in response.context["cards"]]
    assert [s.candidate.deadline.deadline.edtf for s in suggestions] == ["2024-11", "2026"]
    assert [m.actor for m in suggestions[0].candidate.actors] == [ministry]
    assert suggestions[0].related[0].commitment == existing
    assert suggestions[0].related[0].is_probable
    assert "Cite this passage on FORUM-1" in page
    assert source.text in page  # beside the candidates, for the quote picker


def test_accepting_a_candidate_creates_the_commitment_with_its_citation_and_parties(
    editor_client, editor
):
    ministry = make_actor(name="Ministry of Communications")
    source = make_source(text=ARTICLE)
    suggestions_computed(source)
    quote = "It is proposed to hold a regional forum in Ashgabat in November 2024"

    response = editor_client.post(
        suggest_url(source),
        {
            **candidate_fields(source, 1),
            "c1-reference": "FORUM-2024",
            "c1-title": "Regional forum in Ashgabat",
            "c1-kind": "event",
            "c1-status": "proposed",
            "c1-deadline": "in November 2024",
            "c1-quote": quote,
            f"c1-party_{ministry.pk}": "proposer",
            "c1-is_published": "on",
        },
    )

    assert response.status_code == 302
    commitment = Commitment.objects.get(reference="FORUM-2024")
    assert (commitment.deadline_edtf, commitment.is_published) == ("2024-11", True)
    assert [(c.source, c.quote, c.created_by) for c in commitment.citations.all()] == [
        (source, quote, editor)
    ]
    assert [(p.actor, p.role) for p in commitment.parties.all()] == [(ministry, "proposer")]
    assert commitment.history.first().history_user == editor


def test_a_refused_candidate_comes_back_with_the_reason_and_nothing_saved(editor_client):
    make_commitment(reference="TAKEN")
    source = make_source(text=ARTICLE)
    suggestions_computed(source)

    response = editor_client.post(
        suggest_url(source),
        {
            **candidate_fields(source, 1),
            "c1-reference": "TAKEN",
            "c1-title": "Forum",
            "c1-kind": "event",
            "c1-status": "proposed",
            "c1-deadline": "in November 2024",
            "c1-quote": "A quote that is not in the text.",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "already exists" in page or "does not occur in the source" in page
    assert Commitment.objects.filter(reference="TAKEN").count() == 1


def test_citing_an_existing_commitment_adds_the_passage_there_not_a_duplicate(
    editor_client, editor
):
    existing = make_commitment(reference="FORUM-1", title="Regional forum in Ashgabat")
    source = make_source(text=ARTICLE)
    suggestions_computed(source)

    editor_client.post(
        suggest_url(source),
        {**candidate_fields(source, 1), "action": "cite", "commitment": existing.pk},
    )

    citation = Citation.objects.get(source=source)
    assert citation.commitment == existing
    assert citation.quote.startswith("It is proposed to hold a regional forum")
    assert citation.created_by == editor
    assert Commitment.objects.count() == 1
    page = editor_client.get(suggest_url(source)).content.decode()
    assert "Already cited by" in page


@pytest.mark.parametrize("chosen", ["abc", "99999", "9" * 30, ""])
def test_citing_a_commitment_that_is_not_one_is_refused_on_the_page(editor_client, chosen):
    source = make_source(text=ARTICLE)
    suggestions_computed(source)

    response = editor_client.post(
        suggest_url(source), {**candidate_fields(source, 1), "action": "cite", "commitment": chosen}
    )

    assert response.status_code == 302  # back to the suggestions, with the message
    assert not Citation.objects.filter(source=source).exists()


def test_staff_outside_the_editors_get_no_suggestions(client, staff_user):
    client.force_login(staff_user)

    assert client.get(suggest_url(make_source(text=ARTICLE))).status_code == 403
