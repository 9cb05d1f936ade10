"""What a sentence's wording says: is it a commitment, of what kind, in what status, and
what it is called; in each language the assistant reads (intake.languages.READ).

Cue words, checked in order: the first group that matches decides. "Approved the proposal"
is adopted, not proposed, because approval is checked before proposal; "postponed" is
checked first of all, since a postponed summit "will" still be held.
"""

from __future__ import annotations

import re

from commitments.choices import CommitmentKind, Status
from intake import russian


def _cues(*patterns: str) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b", re.IGNORECASE)


# Work said to go on: the sentence's news, over a participle of what was done before ("work
# on the memorandum signed in May is under way", "работа по меморандуму, подписанному …,
# ведётся"). In-progress cues, and checked again when a stronger status matched.
_ONGOING = {
    "en": (
        r"continu(?:es|ed)",
        r"under ?way",
        r"(?:remains?|is|are) on (?:track|schedule)",
        r"(?:is|are) (?:now )?(?:implementing|running)",
        r"(?:moved|entered|went) into (?:a|the|its) (?:practical|implementation|active) "
        r"(?:phase|stage)",
    ),
    "ru": (
        r"вед[её]тся",
        r"ведутся",
        r"продолжа\w*ся",
        r"ид[её]т (?:по (?:\w+ )?(?:плану|графику)|полным ходом|успешно)",
        r"реализу\w*ся",
        r"перешл\w* в (?:практическую|активную) (?:фазу|стадию)",
        r"в рамках (?:дальнейшего )?(?:развити|реализаци|выполнени)\w*",
    ),
}
ONGOING_CUES = {language: _cues(*patterns) for language, patterns in _ONGOING.items()}

# (status, cues), strongest first, per language.
STATUS_CUES: dict[str, list[tuple[str, re.Pattern]]] = {
    "en": [
        (
            Status.ABANDONED,
            _cues(
                r"(?:was|were|has been|have been) (?:cancelled|abandoned|dropped|scrapped|"
                r"terminated|discontinued)",
                r"abandoned (?:the|its|their|a|an)",
                r"decided not to (?:renew|extend|continue|pursue)",
                r"(?:will|would) not be (?:renewed|extended|continued)",
            ),
        ),
        (
            Status.STALLED,
            _cues(
                r"postponed",
                r"suspended",
                r"delayed",
                r"put on hold",
                r"stalled",
                r"pushed back",
                r"(?:was|were|has been|have been) halted",
                r"put off",
                r"deferred",
            ),
        ),
        (
            Status.PARTIALLY_COMPLETED,
            _cues(
                r"(?:only )?(?:partially|partly|half) (?:completed|implemented|fulfilled|met|done)"
            ),
        ),
        (
            Status.COMPLETED,
            _cues(
                r"signed",
                r"inked",
                r"put (?:their|its|his|her) signatures? to",
                r"wrapped up",
                r"went live",
                r"entered into force",
                r"put into effect",
                r"took place",
                r"(?:was|were|has been|have been) (?:installed|created|launched|completed|"
                r"opened|inaugurated|held|established|commissioned)",
                # "held a training course", not "held a meeting" (where things are said).
                r"(?:held|hosted|organi[sz]ed|conducted|completed|ran) "
                r"(?:a|an|the|its|their|another|one|two|three|four|five) "
                r"(?!(?:\w+ ){0,2}(?:meeting|session|talks|conversation)s?\b)",
                r"completed",
                r"inaugurated",
                r"(?:met|convened) (?:again )?(?:at|in|on|for)",
            ),
        ),
        (
            Status.ADOPTED,
            _cues(
                r"approved",
                r"agreed",
                r"decided",
                r"endorsed",
                r"ratified",
                r"(?<!expected )to be held",
                r"sets? (?:\w+, )*(?:\w+ )?goals",
                r"adopted",
                r"decision (?:of (?:\w+ ){1,4})?to",
                r"passed (?:the |an? )?(?:amendments?|law|bill)",
                r"gave (?:the|its|their) green light",
                r"committed (?:themselves |itself )?to",
                r"pledged",
                r"vowed",
                r"(?:has |have )?set (?:a|the|an) (?:\w+ )?target",
                r"instructed",
            ),
        ),
        (
            Status.IN_PROGRESS,
            _cues(
                *_ONGOING["en"],
                r"is (?:being )?carried out",
                r"(?:is|are) being",
                r"continues? to",
                r"(?:is|are) (?:constantly|effectively|actively) \w+ing",
                r"in accordance with",
                r"pursues",
                r"(?:is|are) (?:now )?(?:working on|holding|studying)",
                r"the latest (?:step|stage|round|session|in a series)",
                r"stays? on (?:track|schedule)",
                r"now in its (?:second|third|fourth|fifth|\w+th) year",
                r"another (?:group|round|session|course|batch|cohort)",
            ),
        ),
        (
            Status.PROPOSED,
            _cues(
                r"propos\w*",
                r"envisag\w*",
                r"plans? to",
                r"there are plans",
                r"intends? to",
                r"will",
                r"shall",
                r"aims? to",
                r"(?:is|are|was|were) aimed at",
                r"expected to",
                r"(?:is|it is) necessary to",
                r"make every effort",
                r"seems expedient",
                r"possibility of",
                r"every reason to",
                r"can use",
                r"offered",
                r"initiative",
                r"project to",
                r"should(?! be noted)",
                r"called for",
                r"suggested",
            ),
        ),
    ],
    "ru": [
        (
            Status.ABANDONED,
            _cues(
                r"отмен[её]н\w*",
                r"отказал\w*(?! в )",
                r"прекращ[её]н\w*",
                r"прекратил\w*",
                r"отменил\w*",
                r"(?:решил\w*|решено) не (?:продлевать|продлять|продолжать)",
                r"не будет продл[её]н\w*",
            ),
        ),
        (
            Status.STALLED,
            _cues(r"отлож\w*", r"перенес[её]н\w*", r"приостановл\w*", r"заморож\w*"),
        ),
        (
            Status.PARTIALLY_COMPLETED,
            _cues(r"(?:выполнен\w*|реализован\w*) (?:лишь |только )?частично", r"лишь частично"),
        ),
        (
            Status.COMPLETED,
            _cues(
                r"подписал\w*",
                r"подписан\w*",
                r"вступил\w* в силу",
                r"состоял\w*",
                r"прош(?:ел|ёл|ла|ли)",
                r"(?:был|была|было|были) (?:проведен|открыт|создан|запущен|завершен|введен|"
                r"провед[её]н)\w*",
                # "провёл заседание": a meeting, where things are said (as "held a meeting").
                r"пров[её]л\w*(?! (?:\w+ ){0,4}(?:заседани|встреч|переговор|совещани))",
                r"организовал\w*",
                r"завершил\w*",
                r"введ[её]н\w* в (?:эксплуатацию|действие)",
            ),
        ),
        (
            Status.ADOPTED,
            _cues(
                r"утвердил\w*",
                r"утвержд[её]н\w*",
                r"одобрил\w*",
                r"одобрен\w*",
                r"принял\w*(?!\s+участие)",
                r"принят(?!ь)\w*",
                r"договорил\w*",
                r"решил\w*",
                r"ратифицир\w*",
                r"согласовал\w*",
                r"поручил\w*",
                r"состоится",
            ),
        ),
        (
            Status.IN_PROGRESS,
            _cues(
                *_ONGOING["ru"],
                r"продолжа\w*",
                r"осуществля\w*ся",
                r"проводится",
                r"проводятся",
                r"очередн\w* (?:шаг|этап)\w*",
                r"стал\w* частью",
                r"ещё одн\w* (?:групп|раунд|сесси|курс)\w*",
                r"ид[её]т (?:\w+ )?(?:выдача|работа|подготовка|реализация|внедрение)",
            ),
        ),
        (
            Status.PROPOSED,
            _cues(
                r"предлож\w*",
                r"предлага\w*",
                r"предусматрива\w*",
                r"предусмотрен\w*",
                r"планир\w*",
                r"намерен\w*",
                r"будет",
                r"будут",
                r"долж(?:ен|на|но|ны)",  # not "должность", a post
                r"необходимо",
                r"целесообразн\w*",
                r"инициатив\w*",
                r"рассчитыва\w*",
                r"призвал\w*",
                # The future of the verbs commitments are made of: "подпишут", "проведёт".
                r"(?:подпиш|провед[её]?|откро|созда|запуст|утверд|разработа|внедр|прим)"
                r"(?:ет|ут|ёт|ит|ят|ют|ст|дут)",
                r"выступил\w* с",
            ),
        ),
    ],
}

# (kind, cues), first match wins, per language.
KIND_CUES: dict[str, list[tuple[str, re.Pattern]]] = {
    "en": [
        (CommitmentKind.AGREEMENT, _cues(r"memorand\w+", r"agreements?", r"treaty", r"accords?")),
        (CommitmentKind.LEGISLATION, _cues(r"[Ll]aw", r"decree", r"code of", r"bill")),
        (
            CommitmentKind.EVENT,
            _cues(
                r"(?:hold|held|host|organi[sz]e|convene|conduct)\w* (?:\w+ ){0,4}?(?:dialogue|"
                r"summit|conference|forum|seminars?|meeting|session|exhibition|congress|"
                r"training|course)",
                r"(?:dialogue|summit|conference|forum)s? (?:\w+ ){0,6}?(?:to be held|will be held)",
                r"(?:dialogue|summit|conference|forum|seminar|training|meeting|session)s? "
                r"(?:\w+ ){0,8}?(?:took place|was held|were held)",
                r"(?:met|convened) (?:again )?(?:at|in|on|for)",
            ),
        ),
        (
            CommitmentKind.PROGRAMME,
            _cues(
                r"programmes?", r"programs?", r"action plan", r"concept", r"strategy", r"roadmap"
            ),
        ),
        (CommitmentKind.PROPOSAL, _cues(r"propos\w*")),
    ],
    "ru": [
        # "договор" and its cases, not "договорились" (agreed).
        (
            CommitmentKind.AGREEMENT,
            _cues(r"меморандум\w*", r"соглашени\w*", r"договор(?:а|у|ом|е|ы|ов)?"),
        ),
        (
            CommitmentKind.LEGISLATION,
            _cues(r"закон\w*", r"постановлени\w*", r"указ\w*", r"кодекс\w*"),
        ),
        (
            CommitmentKind.EVENT,
            _cues(
                r"(?:диалог|саммит|конференци|форум|семинар|тренинг|курс|встреч|заседани|"
                r"выставк|обучени)\w*",
            ),
        ),
        (
            CommitmentKind.PROGRAMME,
            _cues(
                r"программ\w*",
                r"план\w* действий",
                r"концепци\w*",
                r"стратеги\w*",
                r"дорожн\w* карт\w*",
            ),
        ),
        (CommitmentKind.PROPOSAL, _cues(r"предлож\w*")),
    ],
}

# The nouns a commitment is named by: the title is the phrase around the first of them.
_HEADS = {
    "en": _cues(
        r"memorand(?:um|a)", r"agreements?", r"treaty", r"programmes?", r"programs?",
        r"action plans?", r"plans?", r"roadmaps?", r"strateg(?:y|ies)", r"concepts?", r"laws?",
        r"decrees?", r"dialogues?", r"summits?", r"conferences?", r"forums?", r"seminars?",
        r"trainings?", r"training courses?", r"courses?", r"working groups?", r"meetings?",
        r"centres?", r"centers?", r"systems?", r"portals?", r"projects?", r"networks?",
        r"exhibitions?", r"co-?operation",
    ),
    "ru": _cues(
        r"меморандум\w*", r"соглашени\w*", r"договор(?:а|у|ом|е|ы|ов)?", r"программ\w*",
        r"план(?:а|у|ом|е|ы|ов)?",
        r"дорожн\w* карт\w*", r"стратеги\w*", r"концепци\w*", r"закон\w*", r"постановлени\w*",
        r"диалог\w*", r"саммит\w*", r"конференци\w*", r"форум\w*", r"семинар\w*", r"тренинг\w*",
        r"курс\w*", r"рабоч\w* групп\w*", r"встреч\w*", r"заседани\w*", r"центр\w*",
        r"систем\w*", r"портал\w*", r"проект\w*", r"сотрудничеств\w*",
    ),
}  # fmt: skip
# Words that end the phrase after the head: a clause, a verb, a date.
_PHRASE_END = {
    "en": re.compile(
        r"[,;:()\u2013\u2014\"\u201c\u201d]|\b(?:was|were|is|are|will|would|which|that|who|"
        r"has|have|had|signed|adopted|approved|held|to be|by the end|in (?:19|20)\d\d|"
        r"for (?:19|20)\d\d|(?:19|20)\d\d|until|during|last|this|next|on \d|at the|with the "
        r"aim|aimed|in order|so that|so as|yesterday|today|on (?:monday|tuesday|wednesday|"
        r"thursday|friday|saturday|sunday))\b",
        re.IGNORECASE,
    ),
    "ru": re.compile(
        r"[,;:()\u2013\u2014\"\u00ab\u00bb]|\b(?:был\w*|будет|будут|который\w*|которая|"
        r"которое|которые|котор\w+|(?:до|к|в|на) (?:конца )?(?:19|20)\d\d|(?:19|20)\d\d|"
        r"подписан\w*|утвержд\w*|принят\w*)\b",
        re.IGNORECASE,
    ),
}
# The words before the head that belong to the name ("an interregional Dialogue"), back to a
# determiner or a verb.
_BEFORE_STOP = {
    "en": re.compile(
        r"^(?:a|an|the|to|of|and|on|in|for|hold|held|sign|signed|adopt|adopted|approve|"
        r"approved|launch|launched|its|their|his|her|this|that|new|has|have|was|were|is|are|"
        r"will|also|further|develop|create|organise|organize|conduct|on|with)$",
        re.IGNORECASE,
    ),
}
_TITLE_AFTER = re.compile(
    r"\b(?:propos\w*|envisaged|plans?|intends?|decided|agreed|aims?|necessary|reason|effort)"
    r" to (?:further )?(.+)",
    re.IGNORECASE,
)
TITLE_LENGTH = 120
TITLE_WORDS = 14


# A relative clause tells of something the sentence names, not what the sentence reports
# ("discussed the convention, which the Assembly adopted in December").
_RELATIVE_CLAUSE = {
    "en": re.compile(r",\s*(?:which|whom|whose)\b[^,;:.]*", re.IGNORECASE),
    "ru": re.compile(r",\s*котор\w+\b[^,;:.]*", re.IGNORECASE),
}


def status_from_wording(
    sentence: str, language: str = "en", *, relative_clauses: bool = False
) -> str | None:
    """The status the wording supports, or None when nothing in it is a commitment; its
    relative clauses read too with `relative_clauses`."""
    relative = _RELATIVE_CLAUSE.get(language)
    if relative and not relative_clauses:
        sentence = relative.sub("", sentence)
    for status, cues in STATUS_CUES.get(language, ()):
        if cues.search(sentence):
            if status in {Status.COMPLETED, Status.ADOPTED} and (
                ONGOING_CUES[language].search(sentence)
            ):
                return Status.IN_PROGRESS
            return status
    return None


def kind_from_wording(sentence: str, language: str = "en") -> str:
    for kind, cues in KIND_CUES.get(language, ()):
        if cues.search(sentence):
            return kind
    return CommitmentKind.INITIATIVE


def _shortened(text: str) -> str:
    text = text.strip().rstrip(".")
    if len(text) > TITLE_LENGTH:
        text = text[:TITLE_LENGTH].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return text[:1].upper() + text[1:]


def _after_head(sentence: str, start: int, language: str) -> str:
    rest = sentence[start:]
    end = _PHRASE_END[language].search(rest)
    words = (rest[: end.start()] if end else rest).split()[:TITLE_WORDS]
    if language == "ru":  # a verb ends the name: "курсов ОБСЕ организовала …"
        verb = next((i for i, word in enumerate(words) if i and russian.is_verb(word)), None)
        words = words[:verb]
    # A phrase does not end on a preposition or a conjunction ("Programme of").
    while words and words[-1].lower() in {"of", "on", "for", "and", "in", "the", "a", "an",
                                          "with", "by", "to", "в", "на", "по", "и", "с", "о",
                                          "об", "для", "между"}:  # fmt: skip
        words.pop()
    return " ".join(words)


def _english_phrase(sentence: str, head: re.Match) -> str:
    before = sentence[: head.start()].split()
    kept: list[str] = []
    for word in reversed(before[-4:]):
        clean = word.strip(",;:\"'\u201c\u201d")
        if clean != word or _BEFORE_STOP["en"].match(clean) or clean[:1].isdigit():
            break
        kept.insert(0, clean)
    return " ".join([*kept, _after_head(sentence, head.start(), "en")])


def _russian_phrase(sentence: str, head: re.Match) -> str:
    """The phrase from the head on, with the adjectives before it, head and adjectives put in
    the nominative ("утвердили национальную программу" → "Национальная программа")."""
    phrase = _after_head(sentence, head.start(), "ru").split()
    before = sentence[: head.start()].split()
    adjectives = []
    for word in reversed(before[-3:]):
        if not russian.is_adjective(word):
            break
        adjectives.insert(0, word)
    head_words = len(head.group(0).split())
    nominative = russian.nominative_phrase([*adjectives, *phrase[:head_words]])
    return " ".join([*nominative, *phrase[head_words:]])


# Kinds whose cue word is the head noun itself ("memorandum", "programme", "law"): the title
# is built around it before any other head ("On the margins of the dialogue, … a memorandum").
_KIND_IS_HEAD = {CommitmentKind.AGREEMENT, CommitmentKind.PROGRAMME, CommitmentKind.LEGISLATION}


# An event is named by what was held ("training courses"), not by who held it ("the OSCE
# Centre held …").
_EVENT_HEADS = {
    "en": _cues(
        r"dialogues?", r"summits?", r"conferences?", r"forums?", r"seminars?", r"workshops?",
        r"training courses?", r"trainings?", r"courses?", r"meetings?", r"sessions?",
        r"exhibitions?", r"congress(?:es)?",
    ),
    "ru": _cues(
        r"диалог\w*", r"саммит\w*", r"конференци\w*", r"форум\w*", r"семинар\w*",
        r"тренинг\w*", r"курс\w*", r"встреч\w*", r"заседани\w*", r"выставк\w*",
    ),
}  # fmt: skip


def _head(sentence: str, language: str, kind: str | None) -> re.Match | None:
    if kind == CommitmentKind.EVENT and language in _EVENT_HEADS:
        found = _EVENT_HEADS[language].search(sentence)
        if found:
            return found
    if kind in _KIND_IS_HEAD:
        cues = dict(KIND_CUES.get(language, ()))[kind]
        found = cues.search(sentence)
        if found:
            return found
    heads = _HEADS.get(language)
    return heads.search(sentence) if heads else None


def title_from_wording(sentence: str, language: str = "en", kind: str | None = None) -> str:
    """A first title for staff to edit: the name of what is promised, a noun phrase around
    its head noun (the kind's own, "memorandum", first), "Interregional Dialogue on the
    Development of Digital Cooperation"; or else what follows "proposed to" (English); or
    else the sentence, shortened at a word."""
    head = _head(sentence, language, kind)
    promised = _TITLE_AFTER.search(sentence) if language == "en" else None
    if promised and head and len(sentence[promised.start(1) : head.start()].split()) > 3:
        head = None  # "proposed to strengthen co-operation with …": what follows names it
    if head is not None:
        phrase = (
            _russian_phrase(sentence, head) if language == "ru" else _english_phrase(sentence, head)
        )
        if phrase:
            return _shortened(phrase)
    return _shortened(promised.group(1) if promised else sentence)
