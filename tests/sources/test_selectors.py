"""Reads of sources: the whitespace-folded quote check and full-text search."""

import pytest

from sources.models import Source
from sources.selectors import fold_whitespace, source_search, source_text_contains
from sources.services import source_update
from tests.factories import make_source


def test_folding_turns_runs_of_whitespace_into_one_space_and_trims_the_ends():
    assert fold_whitespace("  one\ttwo\n\nthree\u00a0 four  ") == "one two three four"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("quote", "found"),
    [
        ("proposed to hold a regional forum", True),
        ("Officials said the programme was approved", True),  # three spaces in the text
        ("November 2024.\n\nOfficials   said", True),  # across the paragraph break
        ("proposed to hold a national forum", False),
        ("   ", False),
    ],
)
def test_a_quote_is_looked_for_with_whitespace_folded_on_both_sides(quote, found):
    assert source_text_contains(source=make_source(), quote=quote) is found


@pytest.mark.django_db
def test_full_text_search_finds_sources_by_words_of_their_title_or_text():
    forum = make_source(title="Regional forum announced")
    other = make_source(title="Budget statement", text="The budget for roads grows by 5 percent.")

    assert list(source_search(queryset=Source.objects.all(), query="forum")) == [forum]
    # English stemming: "programmes" finds "programme".
    assert list(source_search(queryset=Source.objects.all(), query="programmes")) == [forum]
    assert list(source_search(queryset=Source.objects.all(), query="roads")) == [other]


@pytest.mark.django_db
def test_full_text_search_follows_an_edit_of_the_text():
    source = make_source(title="Statement", text="Nothing about roads here.")

    source_update(source=source, data={"text": "A new bridge will be built."})

    assert list(source_search(queryset=Source.objects.all(), query="bridge")) == [source]
    assert not source_search(queryset=Source.objects.all(), query="roads").exists()
