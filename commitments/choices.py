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
