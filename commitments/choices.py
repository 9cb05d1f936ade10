"""The vocabularies of the domain, and the published mapping of our statuses to others'."""

from dataclasses import dataclass

from django.db import models


class ActorKind(models.TextChoices):
    PERSON = "person", "Person"
    GOVERNMENT_BODY = "government_body", "Government body"
    COUNTRY = "country", "Country"
    INTERNATIONAL_ORGANISATION = "international_organisation", "International organisation"
    COMPANY = "company", "Company"


class CommitmentKind(models.TextChoices):
    PROPOSAL = "proposal", "Proposal"
    PROGRAMME = "programme", "Programme"
    EVENT = "event", "Event"
    LEGISLATION = "legislation", "Legislation"
    AGREEMENT = "agreement", "Agreement"
    INITIATIVE = "initiative", "Initiative"


class PartyRole(models.TextChoices):
    PROPOSER = "proposer", "Proposer"
    APPROVER = "approver", "Approver"
    RESPONSIBLE = "responsible", "Responsible"
    PARTNER = "partner", "Partner"


class ClaimFact(models.TextChoices):
    """What a citation may state about its commitment as a structured claim."""

    ADOPTED_ON = "adopted_on", "Adopted on"
    IN_FORCE_FROM = "in_force_from", "In force from"
    DEADLINE = "deadline", "Deadline"
    STATUS = "status", "Status"
    BUDGET = "budget", "Budget"
    RESPONSIBLE = "responsible", "Responsible"


# Facts whose value is an EDTF date or period; the others are text (a status: its value).
DATE_FACTS: frozenset[str] = frozenset(
    {ClaimFact.ADOPTED_ON, ClaimFact.IN_FORCE_FROM, ClaimFact.DEADLINE}
)


class Status(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ADOPTED = "adopted", "Adopted"
    IN_PROGRESS = "in_progress", "In progress"
    STALLED = "stalled", "Stalled"
    COMPLETED = "completed", "Completed"
    PARTIALLY_COMPLETED = "partially_completed", "Partially completed"
    ABANDONED = "abandoned", "Abandoned"


@dataclass(frozen=True)
class StatusMapping:
    """How one of our statuses reads in the vocabularies trackers and standards already use."""

    status: Status
    is_final: bool
    politifact: str
    ogp_irm: str
    icalendar: str
    description: str


STATUS_MAPPINGS: dict[str, StatusMapping] = {
    m.status.value: m
    for m in (
        StatusMapping(
            Status.PROPOSED,
            False,
            "Not Yet Rated",
            "Not Started",
            "NEEDS-ACTION",
            "Put forward; not yet decided.",
        ),
        StatusMapping(
            Status.ADOPTED,
            False,
            "Not Yet Rated",
            "Not Started",
            "NEEDS-ACTION",
            "Decided or approved; work has not visibly started.",
        ),
        StatusMapping(
            Status.IN_PROGRESS,
            False,
            "In the Works",
            "Limited / Substantial",
            "IN-PROCESS",
            "Work has started.",
        ),
        StatusMapping(
            Status.STALLED,
            False,
            "Stalled",
            "Limited",
            "IN-PROCESS",
            "Started, but no progress is reported.",
        ),
        StatusMapping(
            Status.COMPLETED, True, "Promise Kept", "Complete", "COMPLETED", "Done as promised."
        ),
        StatusMapping(
            Status.PARTIALLY_COMPLETED,
            True,
            "Compromise",
            "Substantial",
            "COMPLETED",
            "Done in part, or in a lesser form.",
        ),
        StatusMapping(
            Status.ABANDONED,
            True,
            "Promise Broken",
            "Withdrawn",
            "CANCELLED",
            "Dropped, or will not happen.",
        ),
    )
}

FINAL_STATUSES: tuple[str, ...] = tuple(s for s, m in STATUS_MAPPINGS.items() if m.is_final)
OPEN_STATUSES: tuple[str, ...] = tuple(s for s, m in STATUS_MAPPINGS.items() if not m.is_final)
