"""What the intake keeps: other names of actors, CSV status imports with their outcome, and the
suggestions computed for each source.

Every write goes through intake/services.py.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from commitments.models import Actor
from sources.models import Source


class ActorAlias(models.Model):
    """Another name an actor goes by in sources ("the head of state", "Turkmen envoy"), so
    that the extraction assistant recognises it. Names and short names need no alias."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(max_length=300)

    history = HistoricalRecords()

    class Meta:
        ordering = ["actor_id", "alias"]
        verbose_name_plural = _("actor aliases")
        constraints = [
            models.UniqueConstraint(fields=["actor", "alias"], name="actor_alias_once_per_actor"),
            models.CheckConstraint(condition=~models.Q(alias=""), name="actor_alias_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.alias} → {self.actor}"


class ImportState(models.TextChoices):
    PREVIEWING = "previewing", "Checking every row (dry run)"
    PREVIEWED = "previewed", "Checked: see the changes and refusals"
    APPLYING = "applying", "Writing the changes"
    APPLIED = "applied", "Applied: every change written"
    REFUSED = "refused", "Refused: nothing written"
    FAILED = "failed", "Failed: nothing written"


class StatusImport(models.Model):
    """One CSV of status changes: checked in a dry run, then applied all or nothing."""

    file_name = models.CharField(max_length=255, blank=True)
    csv_text = models.TextField(help_text=_("The uploaded file, as text."))
    row_count = models.PositiveIntegerField(default=0)
    state = models.CharField(
        max_length=20, choices=ImportState.choices, default=ImportState.PREVIEWING
    )
    # The outcome of the last run (dry or real): {"changes": [...], "refusals": [...],
    # "skipped": [...]}, each entry naming its row.
    outcome = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The staff member the status changes are recorded as."),
    )
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("status import")
        verbose_name_plural = _("status imports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=ImportState.values), name="status_import_state_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name or 'CSV'} ({self.row_count} rows, {self.get_state_display()})"

    @property
    def is_running(self) -> bool:
        return self.state in (ImportState.PREVIEWING, ImportState.APPLYING)


class SuggestionsState(models.TextChoices):
    COMPUTING = "computing", "Being computed"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class SourceSuggestions(models.Model):
    """The extraction assistant's suggestions for one source, computed once on a worker and
    shown from here until what they were computed from changes (`inputs`)."""

    source = models.OneToOneField(Source, on_delete=models.CASCADE, related_name="+")
    # A digest of everything the suggestions depend on: the source's text and date, the
    # commitments, citations, actors and aliases, the assistant's settings.
    inputs = models.CharField(max_length=64)
    # The text they were found in: a suggestion's number points into this text only.
    text_sha256 = models.CharField(max_length=64, blank=True)
    state = models.CharField(
        max_length=20, choices=SuggestionsState.choices, default=SuggestionsState.COMPUTING
    )
    # intake.selectors.suggestions_to_json: candidates with the commitments they may concern.
    suggestions = models.JSONField(default=list, blank=True)
    # What the caps left out: {"text_chars", "read_chars", "long_sentences", "more_candidates"}.
    extent = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    # Counts the computations asked for: a task writes only if its own is still the last, so
    # one that finishes late cannot overwrite what a newer one kept.
    attempt = models.PositiveIntegerField(default=1)
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)  # when a worker took the last
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("source's suggestions")
        verbose_name_plural = _("sources' suggestions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=SuggestionsState.values),
                name="source_suggestions_state_valid",
            )
        ]

    def __str__(self) -> str:
        return f"Suggestions for source {self.source_id} ({self.get_state_display()})"

    @property
    def is_lost(self) -> bool:
        """A worker took the last computation and is well past its hard time limit: it was
        killed or is gone, and no result will come."""
        if self.state != SuggestionsState.COMPUTING or self.started_at is None:
            return False
        return self.started_at < timezone.now() - _past_the_time_limit()

    @property
    def is_unclaimed(self) -> bool:
        """Asked for a good while ago and no worker has taken it yet (none running, or the
        queue long)."""
        if self.state != SuggestionsState.COMPUTING or self.started_at is not None:
            return False
        return self.requested_at < timezone.now() - _past_the_time_limit()

    @property
    def is_computing(self) -> bool:
        return self.state == SuggestionsState.COMPUTING and not self.is_lost


def _past_the_time_limit() -> timedelta:
    return timedelta(seconds=settings.INTAKE_SUGGEST_TIME_LIMIT + 30)
