"""Reads for the intake: suggestions for a source, the commitments a passage probably concerns,
and the rows of a status-review export."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from commitments.models import Citation, Commitment
from common.search import search_fold
from intake.extraction import Candidate, candidates_extract
from intake.similarity import (
    sequence_word_similarity,
    set_similarity,
    trigram_set,
    trigrams,
)
from sources.models import Source
from sources.selectors import fold_whitespace

# Trigram scores (pg_trgm's, computed by intake.similarity): at or above PROBABLY a passage
# probably concerns the commitment (the same event or programme reported again); between
# MAYBE and PROBABLY it is shown as a maybe.
PROBABLY = 0.5
MAYBE = 0.35
RELATED_LIMIT = 3
# Full-text search keeps this many commitments sharing words with the passage; trigram
# similarity, in Python, ranks them.
PREFILTER_LIMIT = 50

_NEAR_SQL = f"""
WITH q AS (
  SELECT NULLIF(replace(plainto_tsquery('english', %(text)s)::text, ' & ', ' | '), '')::tsquery
         AS query
), near AS (
  SELECT c.id, c.title
    FROM {Commitment._meta.db_table} c, q
   WHERE c.search_vector @@ q.query
   ORDER BY ts_rank_cd(c.search_vector, q.query) DESC, c.id
   LIMIT {PREFILTER_LIMIT}
)
SELECT near.id,
       near.title,
       ARRAY(SELECT ci.quote FROM {Citation._meta.db_table} ci WHERE ci.commitment_id = near.id)
  FROM near
"""


@dataclass(frozen=True)
class Related:
    commitment: Commitment
    score: float

    @property
    def is_probable(self) -> bool:
        return self.score >= PROBABLY


@dataclass
class Suggestion:
    number: int  # 1-based, in the order of the text
    candidate: Candidate
    related: list[Related] = field(default_factory=list)
    # Commitments that already cite this passage (or an overlapping one) from this source.
    cited_by: list[Commitment] = field(default_factory=list)


def commitments_probably_concerned(text: str) -> list[Related]:
    """The commitments `text` most probably reports on, best first, each with its score:
    PostgreSQL full text (any shared word) picks the near ones; the greater of the trigram
    word similarity of the title within the text and the trigram similarity of its best
    cited quote to the text ranks them (pg_trgm's functions, in Python: no extension)."""
    with connection.cursor() as cursor:
        # Folded as the search vectors' text is (common.search): "Aşgabat" meets "Asgabat".
        cursor.execute(_NEAR_SQL, {"text": search_fold(text)})
        near = cursor.fetchall()
    passage = trigrams(text)
    passage_set = frozenset(passage)
    ranked = sorted(
        (
            (
                pk,
                max(
                    sequence_word_similarity(trigram_set(title), passage),
                    *(set_similarity(trigram_set(quote), passage_set) for quote in quotes),
                ),
            )
            for pk, title, quotes in near
        ),
        key=lambda item: (-item[1], item[0]),
    )
    scores = [(pk, score) for pk, score in ranked[:RELATED_LIMIT] if score >= MAYBE]
    commitments = Commitment.objects.defer("search_vector").in_bulk([pk for pk, _ in scores])
    return [Related(commitments[pk], score) for pk, score in scores]


def _citing(source: Source, quote: str) -> list[Commitment]:
    folded = fold_whitespace(quote)
    ids = [
        commitment_id
        for commitment_id, cited in Citation.objects.filter(source=source).values_list(
            "commitment_id", "quote"
        )
        if cited in folded or folded in cited
    ]
    return list(Commitment.objects.defer("search_vector").filter(pk__in=ids).order_by("reference"))


def suggestions_for_source(source: Source) -> list[Suggestion]:
    candidates = candidates_extract(text=source.text, published=source.published_on)
    return [
        Suggestion(
            number=number,
            candidate=candidate,
            related=commitments_probably_concerned(candidate.quote),
            cited_by=_citing(source, candidate.quote),
        )
        for number, candidate in enumerate(candidates, start=1)
    ]
