from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import MD5
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from commitments.choices import (
    ACTING_ROLES,
    FINAL_STATUSES,
    OPEN_STATUSES,
    REASON_MAPPINGS,
    REASON_STATUSES,
    ActorKind,
    ClaimFact,
    CommitmentKind,
    PartyRole,
    Status,
    StatusReason,
    StatusSource,
)
from common.translations import TranslatedModel


class Actor(TranslatedModel):
    """A person, government body, country, international organisation or company."""

    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=300)
    short_name = models.CharField(max_length=50, blank=True)
    kind = models.CharField(max_length=32, choices=ActorKind.choices)
    country = models.CharField(
        max_length=2, blank=True, help_text=_("ISO 3166-1 alpha-2 code, e.g. TM.")
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ActorKind.values), name="actor_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(country="") | models.Q(country__regex=r"^[A-Z]{2}$"),
                name="actor_country_is_iso_alpha2",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.short_name})" if self.short_name else self.name


# The overdue flag's partial indexes and the UPDATEs of commitments_refresh_overdue_flags
# share these definitions: PostgreSQL uses a partial index only when it can prove that the
# query's WHERE implies the index's condition.
#
# The first overdue day. The range indexes are keyed on it and the UPDATEs compare it with
# today: on the plain column the planner preferred the column's own index, misjudging how
# many flagged rows have a past deadline; an expression index has statistics of its own.
FIRST_OVERDUE_DAY = models.ExpressionWrapper(
    models.F("deadline_last_day") + 1, output_field=models.DateField()
)
# Open, not yet flagged, with a deadline: the rows that may become overdue.
MAY_BECOME_OVERDUE = models.Q(
    status__in=OPEN_STATUSES, is_overdue=False, deadline_last_day__isnull=False
)
# Flagged with a deadline: the rows whose deadline may have moved to today or later.
OVERDUE_WITH_DEADLINE = models.Q(is_overdue=True, deadline_last_day__isnull=False)
# Flagged but stale: final status, no deadline, or a deadline moved to another past day.
OVERDUE_STALE = models.Q(is_overdue=True) & (
    models.Q(status__in=FINAL_STATUSES)
    | models.Q(deadline_last_day__isnull=True)
    | ~models.Q(overdue_since=FIRST_OVERDUE_DAY)
)

# The stale-evidence flag's partial indexes and its UPDATE (commitments_refresh_stale_flags)
# share these, for the same reason.
#
# Open and not yet flagged: the rows that may become stale, by the age of their evidence...
MAY_BECOME_STALE = models.Q(status__in=OPEN_STATUSES, evidence_stale=False)
# ...or by a deadline that passed with no evidence since.
UNCHECKED_SINCE_DEADLINE = MAY_BECOME_STALE & (
    models.Q(last_evidence_on__isnull=True)
    | models.Q(last_evidence_on__lte=models.F("deadline_last_day"))
)
# The reasons that name the other commitment (superseded by, merged into).
RELATED_REASONS = tuple(r for r, m in REASON_MAPPINGS.items() if m.needs_related)


class Commitment(TranslatedModel):
    """One thing proposed or promised. Every write goes through commitments/services.py."""

    reference = models.CharField(max_length=50, unique=True, help_text=_("e.g. 'TM-2024-04'."))
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=32, choices=CommitmentKind.choices)
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.PROPOSED)

    # The deadline as the source stated it, its EDTF value, and the period it covers.
    # Every deadline query is a range query on the two day columns.
    deadline_text = models.CharField(max_length=200, blank=True)
    deadline_edtf = models.CharField(max_length=100, blank=True)
    deadline_first_day = models.DateField(null=True, blank=True, db_index=True)
    deadline_last_day = models.DateField(null=True, blank=True, db_index=True)

    recurring = models.BooleanField(default=False, help_text=_("Said to happen regularly."))
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="milestones",
        help_text=_("The larger programme this is a milestone of."),
    )
    tags = ArrayField(models.SlugField(max_length=50), default=list, blank=True)
    announced_on = models.DateField(null=True, blank=True)
    is_published = models.BooleanField(default=False, db_index=True)

    # Set by the tracker's deadline scan, never by hand: overdue is a flag, not a status.
    is_overdue = models.BooleanField(
        default=False,
        editable=False,
        help_text=_("Set by the tracker: the status is not final and the deadline has passed."),
    )
    overdue_since = models.DateField(
        null=True, blank=True, editable=False, help_text=_("The first day it was overdue.")
    )
    # Derived from the claims by the services that write them, in the same transaction, so
    # that filters and counts read a plain column: never typed in.
    disputed_facts = ArrayField(
        models.CharField(max_length=32, choices=ClaimFact.choices),
        default=list,
        db_default=models.Value([], output_field=ArrayField(models.CharField(max_length=32))),
        blank=True,
        editable=False,
        help_text=_(
            "The facts its sources disagree on: two claims on the same fact whose periods do "
            "not overlap, or whose texts differ. Derived from the claims."
        ),
    )

    # Who kept which part: the status derived from the acting parties' own statuses (null
    # while one of them has none), kept by the services that record them; `status` follows
    # it when `status_source` is "parties", else staff's recorded status wins.
    status_source = models.CharField(
        max_length=20,
        choices=StatusSource.choices,
        default=StatusSource.RECORDED,
        db_default=StatusSource.RECORDED.value,
        help_text=_("Recorded by staff with evidence, or derived from the parties' statuses."),
    )
    parties_status = models.CharField(
        max_length=32,
        choices=Status.choices,
        blank=True,
        default="",
        db_default="",
        editable=False,
        help_text=_("Derived from the acting parties' statuses; empty while one has none."),
    )
    # Why it stalled or was abandoned, set with the status change that says so.
    status_reason = models.CharField(
        max_length=20,
        choices=StatusReason.choices,
        blank=True,
        default="",
        db_default="",
        editable=False,
    )
    replaced_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaces",
        editable=False,
        help_text=_("The commitment this one was superseded by or merged into."),
    )
    # The newest evidence's day (a source's publication day, else the day it was cited), kept
    # by the services that add citations; the tracker's scan flags it stale when it is old.
    last_evidence_on = models.DateField(
        null=True, blank=True, editable=False, help_text=_("The day of the newest evidence.")
    )
    evidence_stale = models.BooleanField(
        default=False,
        db_default=False,
        editable=False,
        help_text=_(
            "Set by the tracker: not final, and the newest evidence is old or older than the "
            "deadline it passed."
        ),
    )
    progress_weight = models.PositiveSmallIntegerField(
        default=1,
        db_default=1,
        help_text=_("As a milestone: its weight in its programme's progress."),
    )

    # Services lock the row and compare it for a caller that read an earlier version.
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text=_("Bumped by every change.")
    )
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    history = HistoricalRecords(
        excluded_fields=[
            "search_vector",
            "is_overdue",
            "overdue_since",
            "disputed_facts",
            "parties_status",
            "last_evidence_on",
            "evidence_stale",
        ]
    )

    class Meta:
        ordering = ["id"]
        # Status and deadline changes need evidence and have their own admin pages; these
        # permissions say who may record them (the "Editors" group has both).
        permissions = [
            ("record_status_change", "Can record a status change"),
            ("record_deadline_change", "Can record a deadline change"),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="commitment_search_gin"),
            GinIndex(fields=["tags"], name="commitment_tags_gin"),
            # The deadline scan reads only open commitments with a deadline (healthchecks'
            # partial index on the precomputed alert time).
            models.Index(
                fields=["deadline_last_day"],
                condition=models.Q(status__in=OPEN_STATUSES, deadline_last_day__isnull=False),
                name="commitment_open_deadline_idx",
            ),
            models.Index(
                fields=["overdue_since"],
                condition=models.Q(is_overdue=True),
                name="commitment_overdue_idx",
            ),
            # The overdue flag's UPDATEs (commitments_refresh_overdue_flags), one index each.
            models.Index(
                FIRST_OVERDUE_DAY, name="commitment_not_overdue_idx", condition=MAY_BECOME_OVERDUE
            ),
            models.Index(
                FIRST_OVERDUE_DAY,
                name="commitment_overdue_day_idx",
                condition=OVERDUE_WITH_DEADLINE,
            ),
            models.Index(
                fields=["id"], name="commitment_overdue_stale_idx", condition=OVERDUE_STALE
            ),
            # The stale-evidence flag's UPDATE (commitments_refresh_stale_flags): old evidence,
            # a deadline passed unchecked, and the flagged rows to clear.
            models.Index(
                fields=["last_evidence_on"],
                name="commitment_evidence_age_idx",
                condition=MAY_BECOME_STALE,
            ),
            models.Index(
                fields=["deadline_last_day"],
                name="commitment_unchecked_idx",
                condition=UNCHECKED_SINCE_DEADLINE,
            ),
            models.Index(
                fields=["last_evidence_on"],
                name="commitment_stale_idx",
                condition=models.Q(evidence_stale=True),
            ),
            # `?disputed=true` and the stats' count: few rows, so a small partial index.
            models.Index(
                fields=["id"],
                name="commitment_disputed_idx",
                condition=~models.Q(disputed_facts=[]),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="commitment_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=CommitmentKind.values),
                name="commitment_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(deadline_first_day__lte=models.F("deadline_last_day")),
                name="commitment_deadline_first_day_not_after_last_day",
            ),
            # A deadline is whole or absent: no EDTF without its days, no days without EDTF.
            models.CheckConstraint(
                condition=(
                    models.Q(
                        deadline_edtf="",
                        deadline_first_day__isnull=True,
                        deadline_last_day__isnull=True,
                    )
                    | models.Q(
                        ~models.Q(deadline_edtf=""),
                        deadline_first_day__isnull=False,
                        deadline_last_day__isnull=False,
                    )
                ),
                name="commitment_deadline_whole_or_absent",
            ),
            models.CheckConstraint(
                condition=models.Q(is_overdue=False, overdue_since__isnull=True)
                | models.Q(is_overdue=True, overdue_since__isnull=False),
                name="commitment_overdue_since_iff_overdue",
            ),
            models.CheckConstraint(
                condition=models.Q(status_source__in=StatusSource.values),
                name="commitment_status_source_valid",
            ),
            # A reason belongs to a stalled or abandoned commitment; the other commitment to
            # the reasons that name one.
            models.CheckConstraint(
                condition=models.Q(status_reason="")
                | models.Q(status__in=REASON_STATUSES, status_reason__in=StatusReason.values),
                name="commitment_reason_with_its_status",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    replaced_by__isnull=True,
                    status_reason__in=[
                        "",
                        *[r for r in StatusReason.values if r not in RELATED_REASONS],
                    ],
                )
                | models.Q(replaced_by__isnull=False, status_reason__in=RELATED_REASONS),
                name="commitment_replaced_by_iff_its_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    @property
    def has_deadline(self) -> bool:
        return self.deadline_last_day is not None


class Party(models.Model):
    """An actor's role in a commitment."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="parties")
    actor = models.ForeignKey(Actor, on_delete=models.PROTECT, related_name="parties")
    role = models.CharField(max_length=20, choices=PartyRole.choices)
    # Its own part, for an acting role: the latest PartyStatusChange, kept by the services.
    status = models.CharField(
        max_length=32,
        choices=Status.choices,
        blank=True,
        default="",
        db_default="",
        editable=False,
    )
    status_since = models.DateField(null=True, blank=True, editable=False)
    status_reason = models.CharField(
        max_length=20,
        choices=StatusReason.choices,
        blank=True,
        default="",
        db_default="",
        editable=False,
    )
    status_evidence = models.ForeignKey(
        "Citation",
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="+",
        editable=False,
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["commitment_id", "role", "actor_id"]
        verbose_name_plural = _("parties")
        indexes = [
            # The scan's overdue parts: open parts of shared commitments.
            models.Index(
                fields=["commitment"],
                name="party_open_part_idx",
                condition=models.Q(status__in=OPEN_STATUSES),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status="", status_since__isnull=True, status_evidence__isnull=True
                )
                | models.Q(
                    role__in=ACTING_ROLES,
                    status__in=Status.values,
                    status_since__isnull=False,
                    status_evidence__isnull=False,
                ),
                name="party_status_whole_and_for_acting_roles",
            ),
            models.CheckConstraint(
                condition=models.Q(status_reason="")
                | models.Q(status__in=REASON_STATUSES, status_reason__in=StatusReason.values),
                name="party_reason_with_its_status",
            ),
            models.UniqueConstraint(
                fields=["commitment", "actor", "role"], name="party_actor_once_per_role"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=PartyRole.values), name="party_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor} — {self.get_role_display()}"


class Citation(models.Model):
    """A commitment backed by a source: a quote that occurs in the source's text."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="citations")
    # A cited source cannot be deleted: the evidence would be lost.
    source = models.ForeignKey("sources.Source", on_delete=models.PROTECT, related_name="citations")
    # Whitespace folded to single spaces, so that the same quote is the same row.
    quote = models.TextField()
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        constraints = [
            # MD5 of the quote, not the quote: a long quote would overflow a B-tree entry.
            models.UniqueConstraint(
                models.F("commitment"),
                models.F("source"),
                MD5("quote"),
                name="citation_quote_once_per_commitment",
            ),
            models.CheckConstraint(condition=~models.Q(quote=""), name="citation_quote_not_empty"),
        ]

    def __str__(self) -> str:
        return f"“{self.quote[:80]}” — {self.source.title[:60]}"


class StatusChange(models.Model):
    """One status change, with its evidence. Never updated or deleted: history, not state."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="status_changes"
    )
    old_status = models.CharField(max_length=32, choices=Status.choices)
    new_status = models.CharField(max_length=32, choices=Status.choices)
    effective_on = models.DateField()
    note = models.TextField(blank=True)
    # RESTRICT, not PROTECT: deleting the whole commitment may take its evidence with it,
    # but the evidence of a change that stays can never be deleted.
    evidence = models.ForeignKey(Citation, on_delete=models.RESTRICT, related_name="+")
    reason = models.CharField(
        max_length=20, choices=StatusReason.choices, blank=True, default="", db_default=""
    )
    replaced_by = models.ForeignKey(
        Commitment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set when the change follows a party's: the commitment's status derived from its parties.
    party_status_change = models.ForeignKey(
        "PartyStatusChange", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(help_text=_("The commitment's version after the change."))

    class Meta:
        ordering = ["commitment_id", "recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(new_status__in=Status.values)
                & models.Q(old_status__in=Status.values),
                name="status_change_statuses_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(old_status=models.F("new_status")),
                name="status_change_changes_the_status",
            ),
            models.UniqueConstraint(
                fields=["commitment", "version"], name="status_change_one_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.old_status} → {self.new_status} on {self.effective_on}"


class PartyStatusChange(models.Model):
    """One change of a party's own status, with its evidence: a party's history, as
    StatusChange is the commitment's. Never updated or deleted."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="status_changes")
    old_status = models.CharField(max_length=32, choices=Status.choices, blank=True)
    new_status = models.CharField(max_length=32, choices=Status.choices)
    effective_on = models.DateField()
    note = models.TextField(blank=True)
    reason = models.CharField(max_length=20, choices=StatusReason.choices, blank=True)
    evidence = models.ForeignKey(Citation, on_delete=models.RESTRICT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["party_id", "recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(old_status=models.F("new_status")),
                name="party_status_change_changes_the_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party}: {self.old_status or '—'} → {self.new_status} on {self.effective_on}"


class DeadlineChange(models.Model):
    """One deadline change (or a first deadline), with its reason and evidence."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="deadline_changes"
    )
    old_text = models.CharField(max_length=200, blank=True)
    old_edtf = models.CharField(max_length=100, blank=True)
    old_first_day = models.DateField(null=True, blank=True)
    old_last_day = models.DateField(null=True, blank=True)
    new_text = models.CharField(max_length=200, blank=True)
    new_edtf = models.CharField(max_length=100, blank=True)
    new_first_day = models.DateField(null=True, blank=True)
    new_last_day = models.DateField(null=True, blank=True)
    effective_on = models.DateField()
    reason = models.TextField()
    evidence = models.ForeignKey(Citation, on_delete=models.RESTRICT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(help_text=_("The commitment's version after the change."))

    class Meta:
        ordering = ["commitment_id", "recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="deadline_change_has_reason"
            ),
            models.UniqueConstraint(
                fields=["commitment", "version"], name="deadline_change_one_per_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.old_text or '—'} → {self.new_text or '—'}"


class Claim(models.Model):
    """A fact a citation states about its commitment: a fact name and a value.

    The value of a date fact is EDTF with the first and last day it covers (null for an open
    end: '../2015' is on or before 2015); of any other fact, text. Claims are evidence: added
    through the services, never edited or deleted on their own.
    """

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="claims")
    citation = models.ForeignKey(Citation, on_delete=models.RESTRICT, related_name="claims")
    fact = models.CharField(max_length=32, choices=ClaimFact.choices)
    value = models.CharField(
        max_length=200, help_text=_("EDTF for a date fact (e.g. '2015', '2020-03-14'), else text.")
    )
    first_day = models.DateField(
        null=True, blank=True, help_text=_("Date facts: the first day the value covers.")
    )
    last_day = models.DateField(
        null=True, blank=True, help_text=_("Date facts: the last day the value covers.")
    )
    note = models.CharField(
        max_length=500,
        blank=True,
        help_text=_("How the quote says it, when it is not word for word."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fact__in=ClaimFact.values), name="claim_fact_valid"
            ),
            models.CheckConstraint(condition=~models.Q(value=""), name="claim_value_not_empty"),
            models.CheckConstraint(
                condition=models.Q(first_day__lte=models.F("last_day"))
                | models.Q(first_day__isnull=True)
                | models.Q(last_day__isnull=True),
                name="claim_first_day_not_after_last_day",
            ),
            models.UniqueConstraint(
                fields=["citation", "fact", "value"], name="claim_once_per_citation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_fact_display()}: {self.value}"


class ClaimResolution(models.Model):
    """Which claim the project follows on a disputed fact, why, and the evidence for it.

    Both claims stay, and so does the dispute: the sources still disagree. Never updated or
    deleted; a later resolution of the same fact supersedes an earlier one.
    """

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="resolutions")
    fact = models.CharField(max_length=32, choices=ClaimFact.choices)
    followed_claim = models.ForeignKey(
        Claim, on_delete=models.RESTRICT, related_name="+", help_text=_("The claim followed.")
    )
    note = models.TextField(help_text=_("Why this claim is followed."))
    evidence = models.ForeignKey(Citation, on_delete=models.RESTRICT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fact__in=ClaimFact.values), name="claim_resolution_fact_valid"
            ),
            models.CheckConstraint(condition=~models.Q(note=""), name="claim_resolution_has_note"),
        ]

    def __str__(self) -> str:
        return f"{self.get_fact_display()}: follows claim {self.followed_claim_id}"


class ResearchItem(Commitment):
    """A commitment whose evidence is stale, as the admin's research queue lists it."""

    class Meta:
        proxy = True
        verbose_name = _("research queue item")
        verbose_name_plural = _("research queue")
