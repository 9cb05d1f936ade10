from django.db.models import QuerySet

from common.search import SEARCH_RANK, search_filter
from sources.models import Source


def fold_whitespace(text: str) -> str:
    """Runs of whitespace (spaces, tabs, line breaks) become one space; ends are trimmed."""
    return " ".join(text.split())


def source_text_contains(*, source: Source, quote: str) -> bool:
    """Does the quote occur in the source's text, with whitespace folded on both sides?"""
    folded = fold_whitespace(quote)
    return bool(folded) and folded in fold_whitespace(source.text)


def source_search(*, queryset: QuerySet[Source], query: str) -> QuerySet[Source]:
    """Full text over title, publisher, author, text and address, as commitments are searched
    (common.search), each row ranked as `search_rank`. The API and the admin search here."""
    return search_filter(queryset, query=query, rank_as=SEARCH_RANK)


def sources_for_api() -> QuerySet[Source]:
    """Sources for lists: without the full text, which can be long."""
    return Source.objects.defer("text", "search_vector")


def source_detail_for_api() -> QuerySet[Source]:
    return Source.objects.defer("search_vector")
