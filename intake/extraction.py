"""The extraction assistant's first step: candidate commitments found in a source's text.

Rule-based and offline: sentences (intake.sentences), cue words for status and kind
(intake.wording), deadline phrases through the project's deadline parser
(intake.deadline_phrases), actors by name, short name, surname and alias (intake.actors).
Each candidate's quote is a sentence of the text, verbatim, so it always passes the quote
check of commitments.services.

A better extractor can replace this one without touching the admin: set INTAKE_EXTRACTOR to
the dotted path of a callable with the signature of `rule_based_extract` that returns
`Candidate`s (docs/staff-workflow.md).

The work is bounded whatever the text: the first INTAKE_MAX_TEXT_CHARS characters are read,
sentences longer than INTAKE_MAX_SENTENCE_CHARS are passed over, and at most
INTAKE_MAX_CANDIDATES candidates are kept; `extraction_run` says which limit a text met.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import date

from django.conf import settings
from django.utils.module_loading import import_string

from commitments.choices import ActorKind, CommitmentKind, PartyRole, Status
from intake.actors import ActorIndex, ActorMention, new_names, refers_back
from intake.deadline_phrases import DeadlinePhrase, dates_long_past, deadline_phrases_find
from intake.languages import READ, language_detect
from intake.sentences import is_headline, sentences_split
from intake.similarity import similarity
from intake.time_limit import time_is_up, time_ran_out
from intake.wording import kind_from_wording, status_from_wording, title_from_wording

DEFAULT_EXTRACTOR = "intake.extraction.rule_based_extract"
MAX_TEXT_CHARS = settings.INTAKE_MAX_TEXT_CHARS
MAX_SENTENCE_CHARS = settings.INTAKE_MAX_SENTENCE_CHARS
MAX_CANDIDATES = settings.INTAKE_MAX_CANDIDATES

# "It is proposed", "a proposal was voiced", "предлагается": the proposer is the person the
# article named before (the minister who "reported on measures").
_PASSIVE_PROPOSAL = re.compile(
    r"\b(?:it is (?:also )?(?:proposed|envisaged)|proposals? (?:was|were) (?:voiced|submitted)"
    r"|there are plans|seems expedient|предлагается|(?:было )?предложено|выдвинут\w*)\b",
    re.IGNORECASE,
)
# Kinds whose sentences name one thing (a memorandum, a dialogue): sentences close together
# about the same one are one candidate.
ONE_THING_KINDS = {
    CommitmentKind.AGREEMENT,
    CommitmentKind.EVENT,
    CommitmentKind.PROGRAMME,
    CommitmentKind.LEGISLATION,
}
# How many candidates back a sentence may be merged with, and how alike their titles must be
# (trigram similarity), less so when they name the same party.
MERGE_WINDOW = 3
MERGE_TITLE_SIMILARITY = 0.6
MERGE_SHARED_PARTY_SIMILARITY = 0.3
# Which status says more, when two sentences of one event differ: the later, stronger one.
STATUS_RANK = {
    Status.PROPOSED: 0,
    Status.ADOPTED: 1,
    Status.IN_PROGRESS: 2,
    Status.PARTIALLY_COMPLETED: 3,
    Status.COMPLETED: 4,
    Status.STALLED: 5,
    Status.ABANDONED: 6,
}


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
    language: str = "en"  # the quote's: the article's
    new_names: list[str] = field(default_factory=list)  # names of no actor on record

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def kind_label(self) -> str:
        return CommitmentKind(self.kind).label


def _people(mentions: list[ActorMention]) -> list[ActorMention]:
    return [m for m in mentions if m.actor.kind == ActorKind.PERSON]


def _with_parties_named(
    title: str, kind: str, mentions: list[ActorMention], language: str, sentence: str
) -> str:
    """An agreement's title names its parties when the sentence does ("Memorandum of
    understanding between the Ministry of Communications and the e-Governance Academy")."""
    bodies = [m.words for m in mentions if m.actor.kind != ActorKind.PERSON]
    if kind != CommitmentKind.AGREEMENT or language != "en" or len(bodies) < 2:
        return title
    if re.search(r"\bbetween\b", title, re.IGNORECASE) or len(title) > 80:
        return title
    first, second = (_with_article(words, sentence) for words in bodies[:2])
    return f"{title} between {first} and {second}"


def _with_article(words: str, sentence: str) -> str:
    """ "the Ministry of Communications" when the sentence says so."""
    return f"the {words}" if re.search(rf"\bthe {re.escape(words)}", sentence, re.I) else words


# A sentence that goes on about the thing just named: "The memorandum provides …",
# "Документ предусматривает …".
_BACK_REFERENCE = re.compile(
    r"^(?:the|this|that|under the|according to the)\s+(?:\w+\s+)?(?:memorand\w+|agreement|"
    r"document|programme|program|plan|dialogue|event|training|course|seminar)\s+(?:also\s+)?"
    r"(?:provides|envisages|foresees|was|were|is|will|aims|covers|sets|includes)\b"
    r"|^(?:этот |данный |согласно )?(?:меморандум\w*|документ\w*|соглашени\w*|программ\w*|"
    r"диалог\w*|мероприяти\w*|семинар\w*|курс\w*|тренинг\w*)\s+(?:также\s+)?"
    r"(?:предусматрива\w*|направлен\w*|был\w*|будет|охватыва\w*|включа\w*|призван\w*)",
    re.IGNORECASE,
)


# A sentence of something done in fewer words than this, naming no actor and no date, and not
# a document ("The ministers signed a memorandum"): nothing to hold anyone to.
BARE_SENTENCE_WORDS = 10


_BY = re.compile(r"^(?:by|until|before|no later than|до|к|не позднее)\b", re.IGNORECASE)


def _is_a_day_it_happened(phrase: DeadlinePhrase) -> bool:
    return phrase.deadline.first_day == phrase.deadline.last_day and not _BY.match(phrase.words)


def _is_bare(sentence: str, kind: str) -> bool:
    documents = {CommitmentKind.AGREEMENT, CommitmentKind.LEGISLATION, CommitmentKind.PROGRAMME}
    return kind not in documents and len(sentence.split()) < BARE_SENTENCE_WORDS


def _periods(candidate: Candidate) -> set[tuple[date, date]]:
    phrases = [candidate.deadline, *candidate.other_deadlines] if candidate.deadline else []
    return {(p.deadline.first_day, p.deadline.last_day) for p in phrases}


def _parties(candidate: Candidate) -> set[int]:
    """The actors a candidate names that tell one event from another: not countries, which
    most of them name."""
    return {m.actor.pk for m in candidate.actors if m.actor.kind != ActorKind.COUNTRY}


def _same_event(earlier: Candidate, later: Candidate) -> bool:
    if earlier.kind not in ONE_THING_KINDS:
        return False
    if _BACK_REFERENCE.search(later.quote):
        return True
    if earlier.kind != later.kind:
        return False
    if is_headline(earlier.quote):
        return True  # the headline names the article's main event
    if _periods(earlier) and _periods(later) and not _periods(earlier) & _periods(later):
        return False  # a programme for 2021-2025 and one for 2026-2030
    alike = similarity(earlier.title, later.title)
    if _parties(earlier) & _parties(later):
        return alike >= MERGE_SHARED_PARTY_SIMILARITY
    return alike >= MERGE_TITLE_SIMILARITY


def _merged(earlier: Candidate, later: Candidate) -> Candidate:
    """One candidate for two sentences about one event: the quote of the one whose status
    says more (it is the evidence for it), the parties and deadlines of both."""
    later_first = STATUS_RANK[later.status] > STATUS_RANK[earlier.status] or (
        # A headline says it again; the sentence is the evidence.
        STATUS_RANK[later.status] == STATUS_RANK[earlier.status] and is_headline(earlier.quote)
    )
    main, other = (later, earlier) if later_first else (earlier, later)
    actors = list(main.actors)
    actors += [m for m in other.actors if m.actor.pk not in {a.actor.pk for a in actors}]
    deadlines = [p for p in (main.deadline, *main.other_deadlines, other.deadline,
                             *other.other_deadlines) if p is not None]  # fmt: skip
    unique = list({(p.deadline.first_day, p.deadline.last_day): p for p in deadlines}.values())
    return replace(
        main,
        title=max(main.title, other.title, key=len),
        actors=actors,
        new_names=list(dict.fromkeys([*main.new_names, *other.new_names])),
        deadline=unique[0] if unique else None,
        other_deadlines=unique[1:],
    )


def _events_merged(candidates: list[Candidate]) -> list[Candidate]:
    merged: list[Candidate] = []
    for candidate in candidates:
        for index in range(len(merged) - 1, max(-1, len(merged) - 1 - MERGE_WINDOW), -1):
            if _same_event(merged[index], candidate):
                merged[index] = _merged(merged[index], candidate)
                break
        else:
            merged.append(candidate)
    return merged


def rule_based_extract(
    *, text: str, published: date | None, actors: ActorIndex, language: str = "en"
) -> list[Candidate]:
    """Candidates in `language`, one of intake.languages.READ (none in another)."""
    if language not in READ:
        return []
    candidates: list[Candidate] = []
    seen_quotes: set[str] = set()
    last_people: list[ActorMention] = []  # the people named by the last sentence naming any
    for sentence in sentences_split(text):
        if time_is_up():
            break  # in a request's time limit (intake.time_limit): the answer says so
        if len(sentence.text) > MAX_SENTENCE_CHARS:
            continue  # no quote, and the cue and date finders would read it all
        if len(candidates) > MAX_CANDIDATES:
            break  # one more than kept: enough to say that there were more
        mentions = actors.mentions(sentence.text)
        named = _people(mentions)
        if (
            not named
            and len(last_people) == 1
            and (_PASSIVE_PROPOSAL.search(sentence.text) or refers_back(sentence.text))
        ):
            # "He proposed", "it is proposed": the one person named before, when only one was.
            person = last_people[0]
            mentions = [ActorMention(person.actor, person.words, PartyRole.PROPOSER), *mentions]
        if named:
            last_people = list({m.actor.pk: m for m in named}.values())
        if sentence.text in seen_quotes:
            continue
        status = status_from_wording(sentence.text, language)
        if (
            status is None
            and kind_from_wording(sentence.text, language) == CommitmentKind.LEGISLATION
        ):
            # A law is tracked however its force is told ("the Law, which entered into force
            # in 2019, defines …").
            status = status_from_wording(sentence.text, language, relative_clauses=True)
        phrases = deadline_phrases_find(sentence.text, published=published, language=language)
        if status is None and phrases and mentions:
            status = Status.PROPOSED  # a date to come and who is to act: a plan, uncued
        if status is None:
            continue
        kind = kind_from_wording(sentence.text, language)
        if (
            status == Status.COMPLETED
            and not mentions
            and not phrases
            and _is_bare(sentence.text, kind)
        ):
            continue  # "The meeting was held in a friendly atmosphere."
        if (
            status in {Status.COMPLETED, Status.ADOPTED}
            and kind != CommitmentKind.LEGISLATION  # a law in force is tracked, however old
            and published is not None
            and not any(phrase.deadline.last_day >= published for phrase in phrases)
            and dates_long_past(sentence.text, published=published, language=language)
        ):
            continue  # "The plan was adopted in Ashgabat on 30 November 2011."
        seen_quotes.add(sentence.text)
        if status == Status.COMPLETED:
            # A date in a sentence about something done is when it was done, not a
            # deadline; a period ("for 2021-2025") still is one.
            phrases = [p for p in phrases if p.deadline.first_day.year != p.deadline.last_day.year]
        elif status == Status.ADOPTED:
            # "approved on 14 March the programme for 2025-2027": the day is when it was
            # approved (what the article's own date tells, when it has one); "by 14 March" is
            # a deadline.
            phrases = [p for p in phrases if not _is_a_day_it_happened(p)]
        candidates.append(
            Candidate(
                quote=sentence.text,
                start=sentence.start,
                end=sentence.end,
                title=_with_parties_named(
                    title_from_wording(sentence.text, language, kind),
                    kind,
                    mentions,
                    language,
                    sentence.text,
                ),
                kind=kind,
                status=status,
                deadline=phrases[0] if phrases else None,
                other_deadlines=phrases[1:],
                actors=mentions,
                language=language,
                new_names=new_names(sentence.text, mentions),
            )
        )
    return _events_merged(candidates)


def extractor() -> Callable[..., list[Candidate]]:
    return import_string(getattr(settings, "INTAKE_EXTRACTOR", DEFAULT_EXTRACTOR))


@dataclass(frozen=True)
class Extraction:
    candidates: list[Candidate]  # at most MAX_CANDIDATES, in the order of the text
    language: str  # the text's, detected unless given (intake.languages)
    text_chars: int  # the text's length
    read_chars: int  # how much of it was read (MAX_TEXT_CHARS at most)
    long_sentences: int  # sentences passed over for their length
    more_candidates: bool  # the text held more than MAX_CANDIDATES
    timed_out: bool = False  # the time limit stopped the reading (intake.time_limit)

    @property
    def extent(self) -> dict[str, int | bool | str]:
        """What the caps left out, as kept beside the suggestions: every field but the
        candidates themselves."""
        return {
            field.name: getattr(self, field.name)
            for field in fields(self)
            if field.name != "candidates"
        }


def extraction_run(
    *,
    text: str,
    published: date | None = None,
    language: str | None = None,
    actors: ActorIndex | None = None,
) -> Extraction:
    """Candidates from `text` by the configured extractor (INTAKE_EXTRACTOR), within the caps,
    in `language` or the one the text is detected to be in; `actors` loaded here unless the
    caller has them."""
    read = text[:MAX_TEXT_CHARS]
    language = language or language_detect(read)
    found = (
        extractor()(
            text=read,
            published=published,
            actors=actors or ActorIndex.load(),
            language=language,
        )
        if language in READ
        else []
    )
    candidates = [candidate for candidate in found if len(candidate.quote) <= MAX_SENTENCE_CHARS]
    return Extraction(
        candidates=candidates[:MAX_CANDIDATES],
        language=language,
        text_chars=len(text),
        read_chars=len(read),
        long_sentences=sum(len(s.text) > MAX_SENTENCE_CHARS for s in sentences_split(read)),
        more_candidates=len(candidates) > MAX_CANDIDATES,
        timed_out=time_ran_out(),
    )


def candidates_extract(
    *, text: str, published: date | None = None, language: str | None = None
) -> list[Candidate]:
    """The candidates of `extraction_run`."""
    return extraction_run(text=text, published=published, language=language).candidates
