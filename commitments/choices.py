"""The vocabularies of the domain, and the published mapping of our statuses to others'."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActorKind(models.TextChoices):
    PERSON = "person", _("Person")
    GOVERNMENT_BODY = "government_body", _("Government body")
    COUNTRY = "country", _("Country")
    INTERNATIONAL_ORGANISATION = "international_organisation", _("International organisation")
    COMPANY = "company", _("Company")


class CommitmentKind(models.TextChoices):
    PROPOSAL = "proposal", _("Proposal")
    PROGRAMME = "programme", _("Programme")
    EVENT = "event", _("Event")
    LEGISLATION = "legislation", _("Legislation")
    AGREEMENT = "agreement", _("Agreement")
    INITIATIVE = "initiative", _("Initiative")


class PartyRole(models.TextChoices):
    PROPOSER = "proposer", _("Proposer")
    APPROVER = "approver", _("Approver")
    RESPONSIBLE = "responsible", _("Responsible")
    PARTNER = "partner", _("Partner")


class ClaimFact(models.TextChoices):
    """What a citation may state about its commitment as a structured claim."""

    ADOPTED_ON = "adopted_on", _("Adopted on")
    IN_FORCE_FROM = "in_force_from", _("In force from")
    DEADLINE = "deadline", _("Deadline")
    STATUS = "status", _("Status")
    BUDGET = "budget", _("Budget")
    RESPONSIBLE = "responsible", _("Responsible")


# Facts whose value is an EDTF date or period; the others are text (a status: its value).
DATE_FACTS: frozenset[str] = frozenset(
    {ClaimFact.ADOPTED_ON, ClaimFact.IN_FORCE_FROM, ClaimFact.DEADLINE}
)


class Status(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ADOPTED = "adopted", _("Adopted")
    IN_PROGRESS = "in_progress", _("In progress")
    STALLED = "stalled", _("Stalled")
    COMPLETED = "completed", _("Completed")
    PARTIALLY_COMPLETED = "partially_completed", _("Partially completed")
    ABANDONED = "abandoned", _("Abandoned")


@dataclass(frozen=True)
class StatusMapping:
    """How one of our statuses reads in the vocabularies trackers and standards already use."""

    status: Status
    is_final: bool
    politifact: str
    ogp_irm: str
    icalendar: str
    description: str  # in the reader's language (gettext); the other vocabularies are names


STATUS_MAPPINGS: dict[str, StatusMapping] = {
    m.status.value: m
    for m in (
        StatusMapping(
            Status.PROPOSED,
            False,
            "Not Yet Rated",
            "Not Started",
            "NEEDS-ACTION",
            _("Put forward; not yet decided."),
        ),
        StatusMapping(
            Status.ADOPTED,
            False,
            "Not Yet Rated",
            "Not Started",
            "NEEDS-ACTION",
            _("Decided or approved; work has not visibly started."),
        ),
        StatusMapping(
            Status.IN_PROGRESS,
            False,
            "In the Works",
            "Limited / Substantial",
            "IN-PROCESS",
            _("Work has started."),
        ),
        StatusMapping(
            Status.STALLED,
            False,
            "Stalled",
            "Limited",
            "IN-PROCESS",
            _("Started, but no progress is reported."),
        ),
        StatusMapping(
            Status.COMPLETED, True, "Promise Kept", "Complete", "COMPLETED", _("Done as promised.")
        ),
        StatusMapping(
            Status.PARTIALLY_COMPLETED,
            True,
            "Compromise",
            "Substantial",
            "COMPLETED",
            _("Done in part, or in a lesser form."),
        ),
        StatusMapping(
            Status.ABANDONED,
            True,
            "Promise Broken",
            "Withdrawn",
            "CANCELLED",
            _("Dropped, or will not happen."),
        ),
    )
}

FINAL_STATUSES: tuple[str, ...] = tuple(s for s, m in STATUS_MAPPINGS.items() if m.is_final)
OPEN_STATUSES: tuple[str, ...] = tuple(s for s, m in STATUS_MAPPINGS.items() if not m.is_final)


# --- who kept which part ----------------------------------------------------------------------

# The roles whose party can act, and so may carry its own status (a proposer or an approver
# has done its part by proposing or approving).
ACTING_ROLES: tuple[str, ...] = (PartyRole.RESPONSIBLE.value, PartyRole.PARTNER.value)


class StatusSource(models.TextChoices):
    """Where a commitment's status comes from: recorded by staff with evidence (it wins), or
    derived from its acting parties' statuses by `status_from_parties`."""

    RECORDED = "recorded", _("Recorded")
    PARTIES = "parties", _("Derived from the parties")


# How far along each open status is, for "the least advanced" of the parties.
_ADVANCEMENT = (Status.PROPOSED, Status.ADOPTED, Status.STALLED, Status.IN_PROGRESS)


def status_from_parties(statuses: list[str | None]) -> str | None:
    """The commitment's status derived from its acting parties' statuses, or None while one
    of them has none (nothing is derived from a part nobody reported).

    Completed when every party completed; abandoned when every party abandoned; partially
    completed when some completed (or partially completed) their part; otherwise the least
    advanced of the statuses of the parties that did not abandon theirs.
    """
    if not statuses or any(status is None for status in statuses):
        return None
    present = set(statuses)
    if present == {Status.COMPLETED}:
        return Status.COMPLETED.value
    if present == {Status.ABANDONED}:
        return Status.ABANDONED.value
    if present & {Status.COMPLETED, Status.PARTIALLY_COMPLETED}:
        return Status.PARTIALLY_COMPLETED.value
    return next(status.value for status in _ADVANCEMENT if status in present)


# --- why a commitment failed or stalled -------------------------------------------------------


class StatusReason(models.TextChoices):
    DROPPED = "dropped", _("Dropped by the government")
    SUPERSEDED = "superseded", _("Superseded by another commitment")
    MERGED = "merged", _("Merged into another commitment")
    BLOCKED = "blocked", _("Blocked by external events")
    NO_EVIDENCE = "no_evidence", _("No evidence of progress")
    OTHER = "other", _("Other")


@dataclass(frozen=True)
class ReasonMapping:
    """How a reason reads on the OGP IRM's completion scale (where the IRM has a word for it),
    and what it needs beside the evidence."""

    reason: StatusReason
    ogp_irm: str
    needs_related: bool  # the other commitment it was superseded by or merged into
    description: str


REASON_MAPPINGS: dict[str, ReasonMapping] = {
    m.reason.value: m
    for m in (
        ReasonMapping(
            StatusReason.DROPPED,
            "Withdrawn",
            False,
            _("The government or body said it would not do it, or quietly stopped."),
        ),
        ReasonMapping(
            StatusReason.SUPERSEDED,
            "Withdrawn",
            True,
            _("Another commitment replaced it; the link names which."),
        ),
        ReasonMapping(
            StatusReason.MERGED,
            "Withdrawn",
            True,
            _("It continues as part of another commitment; the link names which."),
        ),
        ReasonMapping(
            StatusReason.BLOCKED,
            "Limited",
            False,
            _("Events outside the parties' control stopped it."),
        ),
        ReasonMapping(
            StatusReason.NO_EVIDENCE,
            "No Evidence Available",
            False,
            _("No source reports any progress."),
        ),
        ReasonMapping(StatusReason.OTHER, "", False, _("Explained in the note.")),
    )
}

# The statuses that carry a reason: a commitment stalled or abandoned says why.
REASON_STATUSES: tuple[str, ...] = (Status.STALLED.value, Status.ABANDONED.value)


# --- a programme's progress -------------------------------------------------------------------

# How much of its weight a milestone in each status adds to its programme's progress; the
# other statuses add nothing. PostgreSQL's commitment_progress() is generated from this
# (commitments/progress.py).
PROGRESS_SHARES: dict[str, float] = {
    Status.COMPLETED.value: 1.0,
    Status.PARTIALLY_COMPLETED.value: 0.5,
}
