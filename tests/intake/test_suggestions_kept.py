"""The assistant's suggestions are computed once, on a worker within a time limit, kept, and
shown from storage; computed again when the text or the commitments change, or on request;
and bounded, with a message, whatever is pasted."""

import datetime as dt

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.urls import reverse
from django.utils import timezone

from intake import services
from intake.extraction import MAX_CANDIDATES, MAX_SENTENCE_CHARS, MAX_TEXT_CHARS
from intake.models import SourceSuggestions, SuggestionsState
from intake.selectors import suggestions_compute, suggestions_stored
from intake.tasks import source_suggestions_compute_task
from sources.services import source_update
from tests.factories import make_actor, make_commitment, make_source
from tests.intake.helpers import candidate_fields, suggestions_computed

pytestmark = pytest.mark.django_db

ARTICLE = (
    "Ashgabat, 2 December. It is proposed to hold a regional forum in Ashgabat in November "
    "2024, the Ministry of Communications said. The ministry will open a national data "
    "centre by the end of 2026."
)
REFRESH = '<meta http-equiv="refresh"'


def suggest_url(source):
    return reverse("admin:sources_source_suggest", args=[source.pk])


def visit(client, source, django_capture_on_commit_callbacks):
    """The page, and how many computations it enqueued (callbacks run after the commit)."""
    with django_capture_on_commit_callbacks() as enqueued:
        page = client.get(suggest_url(source))
    assert page.status_code == 200
    return page, len(enqueued)


def test_the_first_visit_asks_the_worker_and_says_so(
    editor_client, django_capture_on_commit_callbacks
):
    source = make_source(text=ARTICLE)

    page, enqueued = visit(editor_client, source, django_capture_on_commit_callbacks)

    html = page.content.decode()
    assert enqueued == 1
    assert "The suggestions are being computed" in html
    assert REFRESH in html  # nothing to work on yet: it refreshes itself
    assert page.context["cards"] == []
    assert SourceSuggestions.objects.get(source=source).state == SuggestionsState.COMPUTING
    # A second visit while it runs does not ask again.
    assert visit(editor_client, source, django_capture_on_commit_callbacks)[1] == 0


def test_kept_suggestions_are_shown_from_storage_without_computing_again(
    editor_client, django_capture_on_commit_callbacks
):
    source = make_source(text=ARTICLE)
    suggestions_computed(source)

    page, enqueued = visit(editor_client, source, django_capture_on_commit_callbacks)

    assert enqueued == 0
    assert [s.candidate.deadline.deadline.edtf for s, _ in page.context["cards"]] == [
        "2024-11",
        "2026",
    ]
    assert REFRESH not in page.content.decode()


def test_what_is_kept_reads_back_as_it_was_computed():
    ministry = make_actor(name="Ministry of Communications")
    existing = make_commitment(reference="FORUM-1", title="Regional forum in Ashgabat")
    source = make_source(text=ARTICLE)

    computed, _ = suggestions_compute(source)
    kept = suggestions_computed(source)
    stored = suggestions_stored(kept, source)

    assert stored == computed
    assert stored[0].candidate.actors[0].actor == ministry
    assert stored[0].related[0].commitment == existing


def test_a_new_commitment_computes_them_again_and_the_old_ones_stay_usable(
    editor_client, django_capture_on_commit_callbacks
):
    source = make_source(text=ARTICLE)
    suggestions_computed(source)
    make_commitment(reference="FORUM-1", title="Regional forum in Ashgabat")

    page, enqueued = visit(editor_client, source, django_capture_on_commit_callbacks)

    html = page.content.decode()
    assert enqueued == 1
    assert len(page.context["cards"]) == 2  # the same text: its candidates still stand
    assert "reload the page to see the new ones" in html
    assert REFRESH not in html  # a form being filled is not reloaded away


def test_a_new_text_computes_them_again_and_hides_the_old_ones(
    editor_client, django_capture_on_commit_callbacks
):
    source = make_source(text=ARTICLE)
    suggestions_computed(source)
    source_update(source=source, data={"text": "The ministry will hold a forum in 2027."})

    page, enqueued = visit(editor_client, source, django_capture_on_commit_callbacks)

    assert enqueued == 1
    assert page.context["cards"] == []
    # Citing a candidate of the old text is refused, not applied to the new one.
    existing = make_commitment(reference="FORUM-1", title="Regional forum in Ashgabat")
    answer = editor_client.post(
        suggest_url(source), {"number": "1", "action": "cite", "commitment": existing.pk}
    )
    assert answer.status_code == 302
    assert not existing.citations.filter(source=source).exists()


def test_a_page_shown_before_they_were_computed_again_cannot_cite_another_sentence(
    editor_client,
):
    # Found by an outside tester: after the text was reordered and the suggestions computed
    # again, the old page's "Cite" for number 2 cited whatever sentence was number 2 now.
    existing = make_commitment(reference="FORUM-1", title="Regional forum in Ashgabat")
    first, second = "The ministry will hold a forum in 2027.", "The city will open a park in 2026."
    source = make_source(text=f"{first} {second}")
    suggestions_computed(source)
    seen = candidate_fields(source, 2)  # the park, as the page showed it
    source_update(source=source, data={"text": f"{second} {first}"})
    suggestions_computed(source)  # another staff member opened the page meanwhile

    answer = editor_client.post(
        suggest_url(source), {**seen, "action": "cite", "commitment": existing.pk}
    )

    assert answer.status_code == 302
    assert not existing.citations.filter(source=source).exists()
    fresh = editor_client.post(
        suggest_url(source),
        {**candidate_fields(source, 1), "action": "cite", "commitment": existing.pk},
    )
    assert fresh.status_code == 302
    assert list(existing.citations.filter(source=source).values_list("quote", flat=True)) == [
        second
    ]


def test_a_computation_that_ends_late_does_not_overwrite_a_newer_one():
    source = make_source(text=ARTICLE)
    first, _ = services.source_suggestions_request(source=source)
    make_commitment(reference="FORUM-1", title="Regional forum in Ashgabat")  # stale now
    second, started = services.source_suggestions_request(source=source)
    assert started and second.attempt == first.attempt + 1

    assert services.source_suggestions_compute(source_id=source.pk, attempt=first.attempt) is None
    kept = services.source_suggestions_compute(source_id=source.pk, attempt=second.attempt)
    assert kept.state == SuggestionsState.READY
    # The first one's time limit, reported after the second finished, changes nothing.
    late = services.source_suggestions_fail(
        source_id=source.pk, attempt=first.attempt, message="Not finished"
    )
    assert late is None
    assert SourceSuggestions.objects.get(source=source).state == SuggestionsState.READY


def test_asking_again_while_one_runs_does_not_start_a_second(editor_client):
    source = make_source(text=ARTICLE)
    kept, _ = services.source_suggestions_request(source=source)

    again, started = services.source_suggestions_request(source=source, again=True)

    assert not started
    assert again.attempt == kept.attempt


def test_lost_is_counted_from_when_a_worker_took_it(editor_client, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC), tick=False)
    source = make_source(text=ARTICLE)
    services.source_suggestions_request(source=source)
    time_machine.shift(dt.timedelta(minutes=10))  # queued behind other work all that time

    kept = SourceSuggestions.objects.get(source=source)
    assert (kept.is_computing, kept.is_lost, kept.is_unclaimed) == (True, False, True)
    page = editor_client.get(suggest_url(source)).content.decode()
    assert "No worker has taken it up yet" in page
    SourceSuggestions.objects.filter(source=source).update(started_at=timezone.now())
    time_machine.shift(dt.timedelta(minutes=10))
    kept.refresh_from_db()
    assert (kept.is_computing, kept.is_lost) == (False, True)
    assert "did not finish" in editor_client.get(suggest_url(source)).content.decode()


def test_a_failed_computation_is_not_retried_by_itself_but_on_request(
    editor_client, django_capture_on_commit_callbacks
):
    source = make_source(text=ARTICLE)
    visit(editor_client, source, django_capture_on_commit_callbacks)
    services.source_suggestions_fail(source_id=source.pk, message="The worker gave up.")

    page, enqueued = visit(editor_client, source, django_capture_on_commit_callbacks)

    assert enqueued == 0
    assert "could not be computed: The worker gave up." in page.content.decode()
    with django_capture_on_commit_callbacks() as again:
        answer = editor_client.post(suggest_url(source), {"action": "again"})
    assert answer.status_code == 302
    assert len(again) == 1
    assert SourceSuggestions.objects.get(source=source).state == SuggestionsState.COMPUTING


def test_the_worker_s_time_limit_ends_in_a_message_not_a_silent_spin(monkeypatch):
    source = make_source(text=ARTICLE)
    services.source_suggestions_request(source=source)

    def too_slow(source):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(services, "suggestions_compute", too_slow)

    assert source_suggestions_compute_task(source.pk) == SuggestionsState.FAILED
    kept = SourceSuggestions.objects.get(source=source)
    assert "Not finished within" in kept.error
    assert "seconds" in kept.error


def test_an_error_on_the_worker_is_said_on_the_page_at_once(monkeypatch, editor_client):
    source = make_source(text=ARTICLE)
    services.source_suggestions_request(source=source)

    def broken(source):
        raise ZeroDivisionError

    monkeypatch.setattr(services, "suggestions_compute", broken)

    with pytest.raises(ZeroDivisionError):  # and Celery logs it
        source_suggestions_compute_task(source.pk)
    page = editor_client.get(suggest_url(source)).content.decode()
    assert "The assistant failed on this text (ZeroDivisionError)" in page


def test_a_commitment_with_no_citation_yet_is_matched_by_its_title(editor_client):
    # Found by an outside tester: max() of the title's score alone was a TypeError.
    existing = make_commitment(reference="DESAL-1", title="Desalination plant in Turkmenbashi")
    existing.citations.all().delete()
    source = make_source(text="The government will build a desalination plant in Turkmenbashi.")

    kept = suggestions_computed(source)

    assert kept.state == SuggestionsState.READY
    [suggestion] = suggestions_stored(kept, source)
    assert suggestion.related[0].commitment == existing


def _sentences(count: int) -> str:
    return " ".join(
        f"The ministry will open data centre {n} by the end of 2026." for n in range(count)
    )


def test_a_text_over_the_caps_is_read_up_to_them_and_the_page_says_which(editor_client):
    many = _sentences(MAX_CANDIDATES + 5)
    run_on = "the plan will be " + "and so on " * (MAX_SENTENCE_CHARS // 10) + "done."
    filler = "x" * MAX_TEXT_CHARS
    source = make_source(text=f"{many}\n\n{run_on}\n\n{filler} It will be done in 2030.")
    kept = suggestions_computed(source)

    page = editor_client.get(suggest_url(source))

    html = page.content.decode()
    assert kept.extent["read_chars"] == MAX_TEXT_CHARS < kept.extent["text_chars"]
    assert kept.extent["long_sentences"] == 2  # the run-on sentence, the filler
    assert kept.extent["more_candidates"] is True
    assert len(page.context["cards"]) == MAX_CANDIDATES
    assert f"reads the first {MAX_TEXT_CHARS} only" in html
    assert f"2 sentences longer than {MAX_SENTENCE_CHARS} characters were passed over" in html
    assert f"more than {MAX_CANDIDATES} candidates" in html
    assert "2030" not in " ".join(s.candidate.quote for s, _ in page.context["cards"])


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "by the end of 2025, in November 2024, for 2025-2027, " * 20_000, id="phrases"
        ),
        pytest.param("." * 1_000_000, id="stops"),
        pytest.param("e.g. " * 200_000, id="abbreviations"),
        pytest.param("OSCE " * 200_000, id="one-name"),
    ],
)
def test_a_megabyte_of_one_sentence_is_passed_over_with_a_message(editor_client, text):
    source = make_source(text=text)

    kept = suggestions_computed(source)

    assert kept.state == SuggestionsState.READY
    assert kept.suggestions == []
    assert kept.extent["read_chars"] == MAX_TEXT_CHARS
    page = editor_client.get(suggest_url(source))
    assert page.status_code == 200
    assert "passed over" in page.content.decode()


def test_the_page_reads_the_kept_suggestions_in_queries_that_do_not_grow_with_them(
    editor_client,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_actor(name="Ministry of Communications")
    counts = []
    for size in (2, 30):
        source = make_source(text=_sentences(size))
        suggestions_computed(source)
        with CaptureQueriesContext(connection) as queries:
            page = editor_client.get(suggest_url(source))
        assert len(page.context["cards"]) == size
        counts.append(len(queries))

    assert counts[0] == counts[1], counts  # no query per card: digest, row, actors, citations
