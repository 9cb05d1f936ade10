"""The extraction assistant's first step: candidate commitments found in a source's text.

Rule-based and offline: sentences (intake.sentences), cue words for status and kind
(intake.wording), deadline phrases through the project's deadline parser
(intake.deadline_phrases), actors by name, short name, surname and alias (intake.actors).
Each candidate's quote is a sentence of the text, verbatim, so it always passes the quote
check of commitments.services.

A better extractor can replace this one without touching the admin: set INTAKE_EXTRACTOR to
the dotted path of a callable with the signature of `rule_based_extract` that returns
`Candidate`s (README, "Staff workflow").

The work is bounded whatever the text: the first INTAKE_MAX_TEXT_CHARS characters are read,
sentences longer than INTAKE_MAX_SENTENCE_CHARS are passed over, and at most
INTAKE_MAX_CANDIDATES candidates are kept; `extraction_run` says which limit a text met.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date

from django.conf import settings
from django.utils.module_loading import import_string

from commitments.choices import ActorKind, CommitmentKind, PartyRole, Status
from intake.actors import ActorIndex, ActorMention
from intake.deadline_phrases import DeadlinePhrase, deadline_phrases_find
from intake.sentences import sentences_split
from intake.wording import kind_from_wording, status_from_wording, title_from_wording

DEFAULT_EXTRACTOR = "intake.extraction.rule_based_extract"
MAX_TEXT_CHARS = settings.INTAKE_MAX_TEXT_CHARS
MAX_SENTENCE_CHARS = settings.INTAKE_MAX_SENTENCE_CHARS
MAX_CANDIDATES = settings.INTAKE_MAX_CANDIDATES

# "It is proposed", "a proposal was voiced": the proposer is the person the article named
# before (the minister who "reported on measures").
_PASSIVE_PROPOSAL = re.compile(
    r"\b(?:it is (?:also )?(?:proposed|envisaged)|proposals? (?:was|were) (?:voiced|submitted)"
    r"|there are plans|seems expedient)\b",
    re.IGNORECASE,
)


@dataclass
class Candidate:
    quote: str  # verbatim from the text
    start: int  # offsets of the quote in the text
    end: int
    title: str
    kind: str
    status: str
    deadline: DeadlinePhrase | None
    other_deadlines: list[DeadlinePhrase] = field(default_factory=list)
    actors: list[ActorMention] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def kind_label(self) -> str:
        return CommitmentKind(self.kind).label


def rule_based_extract(*, text: str, published: date | None, actors: ActorIndex) -> list[Candidate]:
    candidates: list[Candidate] = []
    seen_quotes: set[str] = set()
    last_person: ActorMention | None = None
    for sentence in sentences_split(text):
        if len(sentence.text) > MAX_SENTENCE_CHARS:
            continue  # no quote, and the cue and date finders would read it all
        if len(candidates) > MAX_CANDIDATES:
            break  # one more than kept: enough to say that there were more
        mentions = actors.mentions(sentence.text)
        status = status_from_wording(sentence.text)
        if status is not None and sentence.text not in seen_quotes:
            seen_quotes.add(sentence.text)
            phrases = deadline_phrases_find(sentence.text, published=published)
            if status == Status.COMPLETED:
                # A date in a sentence about something done is when it was done, not a
                # deadline; a period ("for 2021-2025") still is one.
                phrases = [
                    p for p in phrases if p.deadline.first_day.year != p.deadline.last_day.year
                ]
            people = [m for m in mentions if m.actor.kind == ActorKind.PERSON]
            if not people and last_person and _PASSIVE_PROPOSAL.search(sentence.text):
                mentions = [
                    ActorMention(last_person.actor, last_person.words, PartyRole.PROPOSER),
                    *mentions,
                ]
            candidates.append(
                Candidate(
                    quote=sentence.text,
                    start=sentence.start,
                    end=sentence.end,
                    title=title_from_wording(sentence.text),
                    kind=kind_from_wording(sentence.text),
                    status=status,
                    deadline=phrases[0] if phrases else None,
                    other_deadlines=phrases[1:],
                    actors=mentions,
                )
            )
        people = [m for m in mentions if m.actor.kind == ActorKind.PERSON]
        if people:
            last_person = people[-1]
    return candidates


def extractor() -> Callable[..., list[Candidate]]:
    return import_string(getattr(settings, "INTAKE_EXTRACTOR", DEFAULT_EXTRACTOR))


@dataclass(frozen=True)
class Extraction:
    candidates: list[Candidate]  # at most MAX_CANDIDATES, in the order of the text
    text_chars: int  # the text's length
    read_chars: int  # how much of it was read (MAX_TEXT_CHARS at most)
    long_sentences: int  # sentences passed over for their length
    more_candidates: bool  # the text held more than MAX_CANDIDATES

    @property
    def extent(self) -> dict[str, int | bool]:
        """What the caps left out, as kept beside the suggestions: every field but the
        candidates themselves."""
        return {
            field.name: getattr(self, field.name)
            for field in fields(self)
            if field.name != "candidates"
        }


def extraction_run(*, text: str, published: date | None = None) -> Extraction:
    """Candidates from `text` by the configured extractor (INTAKE_EXTRACTOR), within the caps."""
    read = text[:MAX_TEXT_CHARS]
    candidates = [
        candidate
        for candidate in extractor()(text=read, published=published, actors=ActorIndex.load())
        if len(candidate.quote) <= MAX_SENTENCE_CHARS
    ]
    return Extraction(
        candidates=candidates[:MAX_CANDIDATES],
        text_chars=len(text),
        read_chars=len(read),
        long_sentences=sum(len(s.text) > MAX_SENTENCE_CHARS for s in sentences_split(read)),
        more_candidates=len(candidates) > MAX_CANDIDATES,
    )


def candidates_extract(*, text: str, published: date | None = None) -> list[Candidate]:
    """The candidates of `extraction_run`."""
    return extraction_run(text=text, published=published).candidates
