"""Reads for the intake: suggestions for a source (worked out, kept and read back) and
the commitments a passage probably concerns."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from dataclasses import fields as dataclass_fields
from datetime import date
from functools import cache
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Count, Max
from django.utils.translation import gettext

from commitments.choices import ActorKind, CommitmentKind, Status
from commitments.deadlines import Deadline
from commitments.models import Actor, Citation, Commitment, Party
from common.search import search_fold
from common.translations import LANGUAGE_CODES, localized
from intake.actors import ActorIndex, ActorMention, new_names
from intake.deadline_phrases import DeadlinePhrase
from intake.extraction import (
    DEFAULT_EXTRACTOR,
    MAX_CANDIDATES,
    MAX_SENTENCE_CHARS,
    MAX_TEXT_CHARS,
    ONE_THING_KINDS,
    STATUS_RANK,
    Candidate,
    Extraction,
    extraction_run,
)
from intake.languages import READ, language_detect, language_name, primary_language, unread_message
from intake.models import ActorAlias, SourceSuggestions
from intake.sentences import is_headline, sentences_split
from intake.similarity import (
    sequence_word_similarity,
    set_similarity,
    trigram_set,
    trigrams,
)
from intake.time_limit import time_is_up, time_limit, time_ran_out
from intake.wording import kind_from_wording, status_from_wording, title_from_wording
from sources.models import Source
from sources.selectors import fold_whitespace

# Trigram scores (pg_trgm's, computed by intake.similarity): at or above PROBABLY a passage
# probably concerns the commitment (the same event or programme reported again); between
# MAYBE and PROBABLY it is shown as a maybe.
PROBABLY = 0.5
MAYBE = 0.35
MATCH_LABELS = ("probably", "maybe")
# The way a commitment goes, in order (stalled and abandoned are off that way): a passage
# says nothing new by naming an earlier step.
FORWARD = [status for status in STATUS_RANK if status not in {Status.STALLED, Status.ABANDONED}]
# Commitments an event held does not complete: it is a step of them.
STANDING_KINDS = {CommitmentKind.INITIATIVE, CommitmentKind.PROGRAMME, CommitmentKind.PROPOSAL}
RELATED_LIMIT = 3
# Full-text search keeps this many commitments sharing words with the passage; trigram
# similarity, in Python, ranks them.
PREFILTER_LIMIT = 50
# A shared party (not a country: most commitments have one) adds this much to a score, up to
# PARTY_BONUS_MAX, when the words already come close (PARTY_BONUS_FROM): a Russian report of
# an English-titled commitment shares its parties more surely than its words.
PARTY_BONUS = 0.1
PARTY_BONUS_MAX = 0.2
PARTY_BONUS_FROM = 0.2
# A candidate of one kind of thing (a memorandum) is less probably about another (a law).
OTHER_KIND_FACTOR = 0.8
# The stems a passage shares with a commitment's title and description rank it too (a report
# rarely repeats a title: "study trips" for "familiarisation with foreign measures"), scaled
# to the trigram scores' range.
LEXICAL_WEIGHT = 2.5
# Bumped when the kept suggestions' JSON changes shape, so that they are computed again.
SUGGESTIONS_FORMAT = 2

_TITLES = ", ".join(f"c.{localized('title', code)}" for code in LANGUAGE_CODES)


def _in_language(field: str, language: str) -> str:
    """A commitment's text in `language`, English where it has none."""
    own, english = localized(field, language), localized(field, "en")
    return f"coalesce(nullif(c.{own}, ''), c.{english}, '')"


@cache
def _near_sql(language: str) -> str:
    """The passage's words in its language's stemming ("russian" for Russian, else
    "english"), any of them, pick the commitments near it (the search vectors hold every
    language's title and the parties' names); each comes with its titles, quotes, parties and
    the stems of its title and description in the passage's language."""
    language = language if language in LANGUAGE_CODES else "en"
    words = f"{_in_language('title', language)} || ' ' || {_in_language('description', language)}"
    return f"""
WITH q AS (
  SELECT NULLIF(replace(plainto_tsquery(%(config)s::regconfig, %(text)s)::text, ' & ', ' | '),
                '')::tsquery AS query,
         tsvector_to_array(to_tsvector(%(config)s::regconfig, %(text)s)) AS stems
), near AS (
  SELECT c.id, c.kind, ARRAY[{_TITLES}] AS titles,
         tsvector_to_array(to_tsvector(%(config)s::regconfig, {words})) AS stems
    FROM {Commitment._meta.db_table} c, q
   WHERE c.search_vector @@ q.query
   ORDER BY ts_rank_cd(c.search_vector, q.query) DESC, c.id
   LIMIT {PREFILTER_LIMIT}
)
SELECT near.id,
       near.kind,
       near.titles,
       ARRAY(SELECT ci.quote FROM {Citation._meta.db_table} ci WHERE ci.commitment_id = near.id),
       ARRAY(SELECT p.actor_id FROM {Party._meta.db_table} p
              JOIN {Actor._meta.db_table} a ON a.id = p.actor_id
             WHERE p.commitment_id = near.id AND a.kind <> %(country)s),
       near.stems,
       q.stems
  FROM near, q
"""


def _stems_shared(passage: list[str], commitment: list[str]) -> float:
    """The cosine of two sets of stems: how much of what the commitment says (its title and
    description) the passage says too, in other words than the title's if need be."""
    if not passage or not commitment:
        return 0.0
    return len(set(passage) & set(commitment)) / (len(set(passage)) * len(set(commitment))) ** 0.5


@dataclass(frozen=True)
class Related:
    commitment: Commitment
    score: float

    @property
    def is_probable(self) -> bool:
        return self.score >= PROBABLY

    @property
    def label(self) -> str:
        return MATCH_LABELS[0] if self.is_probable else MATCH_LABELS[1]


@dataclass(frozen=True)
class Match:
    """A commitment a passage may concern, and the status change it would record there."""

    related: Related
    status_change: str | None

    def get_status_change_display(self) -> str:
        return Status(self.status_change).label if self.status_change else ""


@dataclass
class Suggestion:
    number: int  # 1-based, in the order of the text
    candidate: Candidate
    related: list[Related] = field(default_factory=list)
    # Commitments that already cite this passage (or an overlapping one) from this source.
    cited_by: list[Commitment] = field(default_factory=list)

    @property
    def probable(self) -> Commitment | None:
        """The commitment the passage probably reports on, if any."""
        return self.related[0].commitment if self.related and self.related[0].is_probable else None

    def get_status_display(self) -> str:
        return Status(self.status).label

    @property
    def status(self) -> str:
        """The status the passage supports: its wording's, except that a commitment one of
        whose events was held goes on: a recurring one (regular training courses), or a
        standing one whose meeting or seminar it was (a working group's session)."""
        top = self.related[0].commitment if self.related else None
        if (
            top is not None
            and self.candidate.status == Status.COMPLETED
            and (
                top.recurring
                or (self.candidate.kind == CommitmentKind.EVENT and top.kind in STANDING_KINDS)
            )
        ):
            return Status.IN_PROGRESS
        return self.candidate.status

    def change_for(self, commitment: Commitment) -> str | None:
        """The status the passage supports for `commitment`, when that is a change: a
        follow-up's "was signed" on a proposed memorandum. A passage that only proposes says
        nothing new of a commitment on record."""
        status = self.status
        if status == commitment.status or status == Status.PROPOSED:
            return None
        if (
            status in FORWARD
            and commitment.status in FORWARD
            and FORWARD.index(status) < FORWARD.index(commitment.status)
        ):
            return None  # "was adopted" of a programme under way: background, not news
        return status

    @property
    def status_change(self) -> str | None:
        """The change for the commitment the passage probably reports on."""
        return self.change_for(self.probable) if self.probable else None

    @property
    def related_changes(self) -> list[Match]:
        """Each commitment the passage may concern, with the change it would record there."""
        return [Match(related, self.change_for(related.commitment)) for related in self.related]

    @property
    def key(self) -> str:
        """What a form on the page names the candidate by, with its number: its place and
        words in the text, so that a page shown before the suggestions were computed again
        cannot act on another sentence that now has its number."""
        where = f"{self.candidate.start}:{self.candidate.quote}"
        return hashlib.sha256(where.encode()).hexdigest()[:16]


def _score(words: float, *, shared_parties: int, same_kind: bool, kind: str | None) -> float:
    bonus = min(PARTY_BONUS * shared_parties, PARTY_BONUS_MAX) if words >= PARTY_BONUS_FROM else 0
    factor = OTHER_KIND_FACTOR if kind in ONE_THING_KINDS and not same_kind else 1.0
    return round(min(1.0, (words + bonus) * factor), 4)


def commitments_probably_concerned(
    text: str,
    *,
    language: str = "en",
    actor_ids: frozenset[int] = frozenset(),
    kind: str | None = None,
) -> list[Related]:
    """The commitments `text` most probably reports on, best first, each with its score:
    PostgreSQL full text (any shared word, in any language the commitment is written in) picks
    the near ones; the greater of the trigram word similarity of a title (in any language)
    within the text and the trigram similarity of its best cited quote to the text ranks them
    (pg_trgm's functions, in Python: no extension), raised for parties the passage names
    (`actor_ids`) and lowered for another kind of thing than the passage's `kind`."""
    with connection.cursor() as cursor:
        # Folded as the search vectors' text is (common.search): "Aşgabat" meets "Asgabat".
        cursor.execute(
            _near_sql(language),
            {
                "text": search_fold(text),
                "config": "russian" if language == "ru" else "english",
                "country": ActorKind.COUNTRY,
            },
        )
        near = cursor.fetchall()
    passage = trigrams(text)
    passage_set = frozenset(passage)
    ranked = []
    for pk, commitment_kind, titles, quotes, parties, own_stems, passage_stems in near:
        # A list: a commitment with no citation yet has its titles alone.
        literal = max(
            [
                *(sequence_word_similarity(trigram_set(t), passage) for t in titles if t),
                *(set_similarity(trigram_set(quote), passage_set) for quote in quotes),
            ]
        )
        stems = LEXICAL_WEIGHT * _stems_shared(passage_stems, own_stems)
        factors = {
            "shared_parties": len(actor_ids & set(parties)),
            "same_kind": commitment_kind == kind,
            "kind": kind,
        }
        ranked.append((pk, _score(max(literal, stems), **factors)))
    ranked.sort(key=lambda item: (-item[1], item[0]))
    kept = [(pk, score) for pk, score in ranked[:RELATED_LIMIT] if score >= MAYBE]
    commitments = Commitment.objects.defer("search_vector").in_bulk([pk for pk, _ in kept])
    return [Related(commitments[pk], score) for pk, score in kept]


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


def suggestions_for_text(
    *,
    text: str,
    published: date | None,
    language: str | None = None,
    default_language="en",
    seconds: float | None = None,
) -> tuple[list[Suggestion], Extraction]:
    """The suggestions for a text, worked out now: its candidates, each with the commitments
    it probably concerns; in `language`, or the one the text is detected to be in
    (`default_language` when it gives too little to tell); within `seconds` if given (the
    extraction's `timed_out` says when they ran out)."""
    with time_limit(seconds):
        return _suggestions_for_text(text, published, language, default_language)


def _suggestions_for_text(
    text: str, published: date | None, language: str | None, default_language: str
) -> tuple[list[Suggestion], Extraction]:
    if not language:
        detected = language_detect(text)
        language = default_language if detected == "und" else detected
    actors = ActorIndex.load() if language in READ else None
    extraction = extraction_run(text=text, published=published, language=language, actors=actors)
    found = [
        (
            candidate,
            commitments_probably_concerned(
                candidate.quote,
                language=candidate.language,
                actor_ids=frozenset(m.actor.pk for m in candidate.actors),
                kind=candidate.kind,
            ),
        )
        for candidate in extraction.candidates
    ]
    if len(found) < MAX_CANDIDATES:
        found += _uncued_follow_ups(text, extraction, actors)[: MAX_CANDIDATES - len(found)]
        extraction = replace(extraction, timed_out=time_ran_out())
    found.sort(key=lambda item: item[0].start)
    suggestions = [
        Suggestion(number=number, candidate=candidate, related=related)
        for number, (candidate, related) in enumerate(found, start=1)
    ]
    return suggestions, extraction


# A sentence with no cue word that reads this much like a commitment on record reports on it
# ("several companies already use Pakistan as a digital gateway"): its work goes on.
FOLLOW_UP_SCORE = 0.5
FOLLOW_UP_MARGIN = 0.15
FOLLOW_UP_MIN_WORDS = 8
# Sentences looked at that way per text, at most: each is one query.
FOLLOW_UP_SENTENCES = 60


def _uncued_follow_ups(
    text: str, extraction: Extraction, actors: ActorIndex | None
) -> list[tuple[Candidate, list[Related]]]:
    language = extraction.language
    if language not in READ or actors is None:
        return []
    taken = [(candidate.start, candidate.end) for candidate in extraction.candidates]
    looked = 0
    found = []
    for sentence in sentences_split(text[: extraction.read_chars]):
        if looked == FOLLOW_UP_SENTENCES or time_is_up():
            break
        if (
            len(sentence.text) > MAX_SENTENCE_CHARS
            or len(sentence.text.split()) < FOLLOW_UP_MIN_WORDS
            or is_headline(sentence.text)
            or any(start < sentence.end and sentence.start < end for start, end in taken)
            or status_from_wording(sentence.text, language) is not None
        ):
            continue
        looked += 1
        mentions = actors.mentions(sentence.text)
        kind = kind_from_wording(sentence.text, language)
        related = commitments_probably_concerned(
            sentence.text,
            language=language,
            actor_ids=frozenset(m.actor.pk for m in mentions),
            kind=kind,
        )
        if not related or related[0].score < FOLLOW_UP_SCORE:
            continue
        if len(related) > 1 and related[0].score - related[1].score < FOLLOW_UP_MARGIN:
            continue  # near two commitments alike: more likely background than news of one
        candidate = Candidate(
            quote=sentence.text,
            start=sentence.start,
            end=sentence.end,
            title=title_from_wording(sentence.text, language, kind),
            kind=kind,
            # A law named as governing is in force; anything else named is going on.
            status=Status.COMPLETED
            if related[0].commitment.kind == CommitmentKind.LEGISLATION
            else Status.IN_PROGRESS,
            deadline=None,
            actors=mentions,
            language=language,
            new_names=new_names(sentence.text, mentions),
        )
        found.append((candidate, related))
    return found


@dataclass
class SuggestionsAnswer:
    """The suggestions for a text as a script reads them (intake.api.serializers)."""

    language: str
    candidates: list[Suggestion]
    timed_out: bool = False
    seconds: float | None = None
    more_candidates: bool = False

    @property
    def language_name(self) -> str:
        return language_name(self.language)

    @property
    def read(self) -> bool:
        return self.language in READ

    @property
    def message(self) -> str | None:
        if not self.read:
            return unread_message(self.language)
        if self.more_candidates:
            return gettext(
                "The text holds more candidates than the %(count)s listed: split it into "
                "several texts to see the rest."
            ) % {"count": len(self.candidates)}
        if self.timed_out:
            return gettext(
                "Stopped after %(seconds)s seconds: the candidates are those of the text read "
                "by then. Send a shorter text, or add it as a source and suggest from the "
                "admin, whose worker has longer."
            ) % {"seconds": f"{self.seconds:g}"}
        return None


def suggestions_answer(
    *,
    text: str,
    published: date | None,
    language: str | None = None,
    default_language: str = "en",
    seconds: float | None,
) -> SuggestionsAnswer:
    suggestions, extraction = suggestions_for_text(
        text=text,
        published=published,
        language=language,
        default_language=default_language,
        seconds=seconds,
    )
    return SuggestionsAnswer(
        language=extraction.language,
        candidates=suggestions,
        timed_out=extraction.timed_out,
        seconds=seconds,
        more_candidates=extraction.more_candidates,
    )


def suggestions_compute(source: Source) -> tuple[list[Suggestion], Extraction]:
    """The suggestions for a source's text, worked out now (the worker's job: see
    intake.services.source_suggestions_compute), in the language the text is detected to be
    in (the source's own when the text gives too little to tell)."""
    return suggestions_for_text(
        text=source.text,
        published=source.published_on,
        default_language=primary_language(source.language),
    )


# The assistant's own code: its cue words, finders, parser and matching.
RULE_MODULES = (
    "commitments.deadlines",
    "intake.actors",
    "intake.deadline_phrases",
    "intake.extraction",
    "intake.languages",
    "intake.russian",
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
        PARTY_BONUS,
        PARTY_BONUS_MAX,
        PARTY_BONUS_FROM,
        OTHER_KIND_FACTOR,
        LEXICAL_WEIGHT,
        FOLLOW_UP_SCORE,
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
            {
                "actor": mention.actor.pk,
                "words": mention.words,
                "role": mention.role,
                "variant": mention.is_variant,
            }
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
                **{name: row[name] for name in _PLAIN if name in row},
                deadline=_phrase(row["deadline"]),
                other_deadlines=[_phrase(phrase) for phrase in row["other_deadlines"]],
                actors=[
                    ActorMention(actors[a["actor"]], a["words"], a["role"], a.get("variant", False))
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
