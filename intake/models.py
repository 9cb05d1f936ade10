"""What the intake keeps: other names of actors, and CSV status imports with their outcome.

Every write goes through intake/services.py.
"""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from commitments.models import Actor


class ActorAlias(models.Model):
    """Another name an actor goes by in sources ("the head of state", "Turkmen envoy"), so
    that the extraction assistant recognises it. Names and short names need no alias."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(max_length=300)

    history = HistoricalRecords()

    class Meta:
        ordering = ["actor_id", "alias"]
        verbose_name_plural = "actor aliases"
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
    csv_text = models.TextField(help_text="The uploaded file, as text.")
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
        help_text="The staff member the status changes are recorded as.",
    )
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "status import"
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
