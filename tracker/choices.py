"""The tracker's vocabularies."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AlertKind(models.TextChoices):
    # The deadline's last day passed while the status was not final.
    OVERDUE = "overdue", _("Overdue")
    # The deadline's last day came within the due-soon window (TRACKER_DUE_SOON_DAYS).
    DUE_SOON = "due_soon", _("Due soon")
    # A status change was recorded.
    STATUS_CHANGED = "status_changed", _("Status changed")
    # A page cited as evidence no longer holds a passage quoted from it (archive/).
    SOURCE_CHANGED = "source_changed", _("Cited page changed")
    # A page cited as evidence no longer answers (archive/).
    SOURCE_GONE = "source_gone", _("Cited page gone")
    # A party's own part was not done by the deadline's last day (its status is not final).
    PARTY_OVERDUE = "party_overdue", _("A party's part overdue")
    # Nobody has recorded evidence for a while: the newest is old, or older than the deadline.
    EVIDENCE_STALE = "evidence_stale", _("Evidence stale")


# Kinds that concern one deadline: one alert per commitment, kind and deadline last day
# (party_overdue: per party and deadline last day; evidence_stale: per commitment and the day
# of the newest evidence it went stale with, in `last_day`).
DEADLINE_ALERT_KINDS: tuple[str, ...] = (
    AlertKind.OVERDUE.value,
    AlertKind.DUE_SOON.value,
    AlertKind.EVIDENCE_STALE.value,
)
# Kinds that concern a cited page: one alert per commitment citing it and check that found it.
SOURCE_ALERT_KINDS: tuple[str, ...] = (AlertKind.SOURCE_CHANGED.value, AlertKind.SOURCE_GONE.value)
