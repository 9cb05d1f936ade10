from django.db import models
from django.utils import timezone

from commitments.models import Commitment, StatusChange
from tracker.choices import DEADLINE_ALERT_KINDS, SOURCE_ALERT_KINDS, AlertKind


class Alert(models.Model):
    """One transition of one commitment: at once its history, the feed and the notification
    queue (healthchecks' Flip). Written only by tracker/services.py, never updated.

    The unique constraints make a duplicate impossible whatever the interleaving of scans, so
    every insert is `INSERT ... ON CONFLICT DO NOTHING` and a repeated scan is harmless.
    """

    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="alerts")
    # The deadline's last day this alert is about (overdue, due_soon): a moved deadline is a
    # new deadline and may alert again.
    last_day = models.DateField(null=True, blank=True)
    # The recorded change (status_changed). The unique constraint below is its index.
    status_change = models.ForeignKey(
        StatusChange,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    # The check of a cited page that found it changed or gone (source_changed, source_gone).
    # The unique constraint below is its index.
    source_check = models.ForeignKey(
        "archive.LinkCheck",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alerts",
        db_index=False,
    )
    # The party whose own part is overdue (party_overdue). The unique constraint is its index.
    party = models.ForeignKey(
        "commitments.Party",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alerts",
        db_index=False,
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=AlertKind.values), name="alert_kind_valid"
            ),
            # A deadline alert names its deadline and nothing else; a party's overdue part its
            # party and deadline; a status_changed alert its status change; a cited page's
            # alert the check that found it.
            models.CheckConstraint(
                condition=(
                    models.Q(
                        kind__in=DEADLINE_ALERT_KINDS,
                        last_day__isnull=False,
                        status_change__isnull=True,
                        source_check__isnull=True,
                        party__isnull=True,
                    )
                    | models.Q(
                        kind=AlertKind.PARTY_OVERDUE,
                        last_day__isnull=False,
                        status_change__isnull=True,
                        source_check__isnull=True,
                        party__isnull=False,
                    )
                    | models.Q(
                        kind=AlertKind.STATUS_CHANGED,
                        last_day__isnull=True,
                        status_change__isnull=False,
                        source_check__isnull=True,
                        party__isnull=True,
                    )
                    | models.Q(
                        kind__in=SOURCE_ALERT_KINDS,
                        last_day__isnull=True,
                        status_change__isnull=True,
                        source_check__isnull=False,
                        party__isnull=True,
                    )
                ),
                name="alert_fields_match_kind",
            ),
            models.UniqueConstraint(
                fields=["commitment", "kind", "last_day"],
                condition=models.Q(kind__in=DEADLINE_ALERT_KINDS),
                name="alert_once_per_deadline",
            ),
            models.UniqueConstraint(
                fields=["party", "last_day"],
                condition=models.Q(kind=AlertKind.PARTY_OVERDUE),
                name="alert_once_per_party_deadline",
            ),
            models.UniqueConstraint(
                fields=["status_change"],
                condition=models.Q(status_change__isnull=False),
                name="alert_once_per_status_change",
            ),
            models.UniqueConstraint(
                fields=["source_check", "commitment"],
                condition=models.Q(source_check__isnull=False),
                name="alert_once_per_source_check",
            ),
        ]

    def __str__(self) -> str:
        if self.last_day:
            about = self.last_day.isoformat()
        elif self.source_check_id:
            about = f"check {self.source_check_id}"
        else:
            about = f"change {self.status_change_id}"
        return f"{self.get_kind_display()}: commitment {self.commitment_id} ({about})"
