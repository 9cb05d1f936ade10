"""What a sentence's wording says: is it a commitment, of what kind, in what status.

Cue words, checked in order: the first group that matches decides. "Approved the proposal"
is adopted, not proposed, because approval is checked before proposal.
"""

from __future__ import annotations

import re

from commitments.choices import CommitmentKind, Status


def _cues(*patterns: str) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b", re.IGNORECASE)


# (status, cues), strongest first.
STATUS_CUES: list[tuple[str, re.Pattern]] = [
    (
        Status.COMPLETED,
        _cues(
            r"signed",
            r"entered into force",
            r"put into effect",
            r"(?:was|were|has been|have been) (?:adopted|installed|created|launched|completed|"
            r"opened|inaugurated|held|established)",
            r"completed",
            r"inaugurated",
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
            r"to be held",
            r"sets? (?:\w+, )*(?:\w+ )?goals",
            r"adopted",
        ),
    ),
    (
        Status.IN_PROGRESS,
        _cues(
            r"is (?:being )?carried out",
            r"(?:is|are) being",
            r"continues? to",
            r"(?:is|are) (?:constantly|effectively|actively) \w+ing",
            r"in accordance with",
            r"pursues",
            r"under way",
            r"underway",
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
            r"aimed at",
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
        ),
    ),
]

# (kind, cues), first match wins.
KIND_CUES: list[tuple[str, re.Pattern]] = [
    (CommitmentKind.AGREEMENT, _cues(r"memorand\w+", r"agreements?", r"treaty", r"accords?")),
    (CommitmentKind.LEGISLATION, _cues(r"[Ll]aw", r"decree", r"code of", r"bill")),
    (
        CommitmentKind.EVENT,
        _cues(
            r"(?:hold|held|host|organi[sz]e|convene)\w* (?:\w+ ){0,4}?(?:dialogue|summit|"
            r"conference|forum|seminars?|meeting|session|exhibition|congress|training)",
            r"(?:dialogue|summit|conference|forum)s? (?:\w+ ){0,6}?(?:to be held|will be held)",
        ),
    ),
    (
        CommitmentKind.PROGRAMME,
        _cues(r"programmes?", r"programs?", r"action plan", r"concept", r"strategy", r"roadmap"),
    ),
    (CommitmentKind.PROPOSAL, _cues(r"propos\w*")),
]

# The words that introduce what is promised: the title starts after them.
_TITLE_AFTER = re.compile(
    r"\b(?:propos\w*|envisaged|plans?|intends?|decided|agreed|aims?|necessary|reason|effort)"
    r" to (?:further )?(.+)",
    re.IGNORECASE,
)
TITLE_LENGTH = 120


def status_from_wording(sentence: str) -> str | None:
    """The status the wording supports, or None when nothing in it is a commitment."""
    for status, cues in STATUS_CUES:
        if cues.search(sentence):
            return status
    return None


def kind_from_wording(sentence: str) -> str:
    for kind, cues in KIND_CUES:
        if cues.search(sentence):
            return kind
    return CommitmentKind.INITIATIVE


def title_from_wording(sentence: str) -> str:
    """A first title: what is promised ("hold an interregional Dialogue …"), shortened at a
    word, for staff to edit."""
    promised = _TITLE_AFTER.search(sentence)
    text = (promised.group(1) if promised else sentence).strip().rstrip(".")
    if len(text) > TITLE_LENGTH:
        text = text[:TITLE_LENGTH].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return text[:1].upper() + text[1:]
