"""Reads for the intake: suggestions for a source (worked out, kept and read back) and
the commitments a passage probably concerns."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from datetime import date
from functools import cache
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max

from commitments.deadlines import Deadline
from commitments.models import Actor, Citation, Commitment
from common.search import search_fold
from intake.actors import ActorMention
from intake.deadline_phrases import DeadlinePhrase
from intake.extraction import (
    DEFAULT_EXTRACTOR,
    MAX_CANDIDATES,
    MAX_SENTENCE_CHARS,
    MAX_TEXT_CHARS,
    Candidate,
    Extraction,
    extraction_run,
)
from intake.models import ActorAlias, SourceSuggestions
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
# Bumped when the kept suggestions' JSON changes shape, so that they are computed again.
SUGGESTIONS_FORMAT = 1

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

    @property
    def key(self) -> str:
        """What a form on the page names the candidate by, with its number: its place and
        words in the text, so that a page shown before the suggestions were computed again
        cannot act on another sentence that now has its number."""
        where = f"{self.candidate.start}:{self.candidate.quote}"
        return hashlib.sha256(where.encode()).hexdigest()[:16]


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
                # A list: a commitment with no citation yet has its title alone.
                max(
                    [
                        sequence_word_similarity(trigram_set(title), passage),
                        *(set_similarity(trigram_set(quote), passage_set) for quote in quotes),
                    ]
                ),
            )
            for pk, title, quotes in near
        ),
        key=lambda item: (-item[1], item[0]),
    )
    scores = [(pk, score) for pk, score in ranked[:RELATED_LIMIT] if score >= MAYBE]
    commitments = Commitment.objects.defer("search_vector").in_bulk([pk for pk, _ in scores])
    return [Related(commitments[pk], score) for pk, score in scores]


def _cited_by(source: Source, suggestions: list[Suggestion]) -> None:
    """Fill each suggestion's `cited_by`: the commitments citing its passage (or an overlapping
    one) from this source. Two queries, whatever the number of suggestions."""
    cited = list(Citation.objects.filter(source=source).values_list("commitment_id", "quote"))
    wanted: dict[int, list[int]] = {}
    for suggestion in suggestions:
        folded = fold_whitespace(suggestion.candidate.quote)
        wanted[suggestion.number] = sorted(
            {pk for pk, quote in cited if quote in folded or folded in quote}
        )
    ids = {pk for pks in wanted.values() for pk in pks}
    commitments = Commitment.objects.defer("search_vector").in_bulk(ids)
    for suggestion in suggestions:
        suggestion.cited_by = sorted(
            (commitments[pk] for pk in wanted[suggestion.number] if pk in commitments),
            key=lambda commitment: commitment.reference,
        )


def suggestions_compute(source: Source) -> tuple[list[Suggestion], Extraction]:
    """The suggestions for a source's text, worked out now (the worker's job: see
    intake.services.source_suggestions_compute)."""
    extraction = extraction_run(text=source.text, published=source.published_on)
    suggestions = [
        Suggestion(
            number=number,
            candidate=candidate,
            related=commitments_probably_concerned(candidate.quote),
        )
        for number, candidate in enumerate(extraction.candidates, start=1)
    ]
    return suggestions, extraction


# The assistant's own code: its cue words, finders, parser and matching.
RULE_MODULES = (
    "commitments.deadlines",
    "intake.actors",
    "intake.deadline_phrases",
    "intake.extraction",
    "intake.sentences",
    "intake.similarity",
    "intake.wording",
    __name__,
)


@cache
def _rules_version() -> str:
    """A digest of RULE_MODULES' source: a deploy that changes them makes what was kept
    stale."""
    digest = hashlib.sha256()
    for name in RULE_MODULES:
        digest.update(Path(import_module(name).__file__).read_bytes())
    return digest.hexdigest()


def suggestions_inputs(source: Source) -> str:
    """A digest of everything a source's suggestions are computed from: when it changes, they
    are computed again. Any commitment, citation, actor or alias written since counts, since
    each can change what a passage probably concerns or whom it names."""
    state = [
        SUGGESTIONS_FORMAT,
        _rules_version(),
        source.text_sha256,
        str(source.published_on),
        getattr(settings, "INTAKE_EXTRACTOR", DEFAULT_EXTRACTOR),
        MAX_TEXT_CHARS,
        MAX_SENTENCE_CHARS,
        MAX_CANDIDATES,
        PROBABLY,
        MAYBE,
        RELATED_LIMIT,
        PREFILTER_LIMIT,
        Commitment.objects.aggregate(n=Count("id"), last=Max("updated_at")),
        Citation.objects.aggregate(n=Count("id"), last=Max("id")),
        Actor.objects.aggregate(n=Count("id"), last=Max("updated_at")),
        ActorAlias.objects.aggregate(n=Count("id"), last=Max("id")),
    ]
    return hashlib.sha256(json.dumps(state, default=str).encode()).hexdigest()


# --- suggestions as kept in SourceSuggestions.suggestions ---------------------------------------


def _phrase_json(phrase: DeadlinePhrase | None) -> dict | None:
    if phrase is None:
        return None
    deadline = phrase.deadline
    return {
        "words": phrase.words,
        "text": deadline.text,
        "edtf": deadline.edtf,
        "first_day": deadline.first_day.isoformat(),
        "last_day": deadline.last_day.isoformat(),
    }


def _phrase(data: dict | None) -> DeadlinePhrase | None:
    if data is None:
        return None
    deadline = Deadline(
        text=data["text"],
        edtf=data["edtf"],
        first_day=date.fromisoformat(data["first_day"]),
        last_day=date.fromisoformat(data["last_day"]),
    )
    return DeadlinePhrase(words=data["words"], deadline=deadline)


# A candidate's fields that are plain JSON values, read off the dataclass; the others (its
# deadlines and actors) are written below.
_NESTED = {"deadline", "other_deadlines", "actors"}
_PLAIN = [field.name for field in dataclass_fields(Candidate) if field.name not in _NESTED]


def _suggestion_json(suggestion: Suggestion) -> dict:
    candidate = suggestion.candidate
    return {
        "number": suggestion.number,
        **{name: getattr(candidate, name) for name in _PLAIN},
        "deadline": _phrase_json(candidate.deadline),
        "other_deadlines": [_phrase_json(phrase) for phrase in candidate.other_deadlines],
        "actors": [
            {"actor": mention.actor.pk, "words": mention.words, "role": mention.role}
            for mention in candidate.actors
        ],
        "related": [
            {"commitment": related.commitment.pk, "score": related.score}
            for related in suggestion.related
        ],
    }


def suggestions_to_json(suggestions: list[Suggestion]) -> list[dict]:
    return [_suggestion_json(suggestion) for suggestion in suggestions]


def suggestions_stored(kept: SourceSuggestions, source: Source) -> list[Suggestion]:
    """The kept suggestions as the page shows them, with today's actors and commitments (one
    deleted since is left out) and who cites each passage now. Four queries."""
    rows = kept.suggestions or []
    actors = Actor.objects.in_bulk({a["actor"] for row in rows for a in row["actors"]})
    commitments = Commitment.objects.defer("search_vector").in_bulk(
        {r["commitment"] for row in rows for r in row["related"]}
    )
    suggestions = [
        Suggestion(
            number=row["number"],
            candidate=Candidate(
                **{name: row[name] for name in _PLAIN},
                deadline=_phrase(row["deadline"]),
                other_deadlines=[_phrase(phrase) for phrase in row["other_deadlines"]],
                actors=[
                    ActorMention(actors[a["actor"]], a["words"], a["role"])
                    for a in row["actors"]
                    if a["actor"] in actors
                ],
            ),
            related=[
                Related(commitments[r["commitment"]], r["score"])
                for r in row["related"]
                if r["commitment"] in commitments
            ],
        )
        for row in rows
    ]
    _cited_by(source, suggestions)
    return suggestions
