"""The archive of cited web pages: each page's state, its captures (a WARC file each, in the
archive storage, never in the database), every check made, and whether each citation's quote
is in a capture.

A capture is only ever added: a page that changes gets a new capture and the older ones stay,
so what a citation quoted can be shown as it was on the day it was quoted.
"""

from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archive.choices import CheckOutcome, FailureReason, LinkState
from commitments.models import Citation
from sources.models import Source


def archive_storage():
    # A callable, so that migrations record no backend; Django calls it once, when the
    # field is made. Write through the field (`Capture.warc.field.storage`), never around it.
    return storages["archive"]


class SourceLink(models.Model):
    """The archive's state of one source's URL: what readers and staff are told, and when
    the next check is due."""

    source = models.OneToOneField(
        Source, on_delete=models.CASCADE, primary_key=True, related_name="archive_link"
    )
    # The URL this state is of: a source given a new URL starts again as pending.
    url = models.URLField(max_length=1000)
    state = models.CharField(max_length=20, choices=LinkState.choices, default=LinkState.PENDING)
    state_since = models.DateTimeField(default=timezone.now)
    # Checks in a row that failed / that found a quoted passage missing (ARCHIVE_FLAG_AFTER_CHECKS).
    consecutive_failures = models.PositiveIntegerField(default=0)
    consecutive_missing = models.PositiveIntegerField(default=0)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    # When a sweep should hand it to a worker; moved on when handed out, so two sweeps do not.
    next_check_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("archived link")
        verbose_name_plural = _("archived links")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=LinkState.values), name="archive_link_state_valid"
            )
        ]
        indexes = [models.Index(fields=["next_check_at"], name="archive_link_due_idx")]

    def __str__(self) -> str:
        return f"{self.source_id}: {self.get_state_display()}"


class Capture(models.Model):
    """One archived copy of a page: the HTTP response as a WARC record, and its text."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="captures")
    fetched_at = models.DateTimeField(default=timezone.now)
    requested_url = models.URLField(max_length=2000)
    # After redirects (each one checked as the first address was).
    final_url = models.URLField(max_length=2000)
    http_status = models.PositiveSmallIntegerField()
    content_type = models.CharField(max_length=200, blank=True, default="")
    body_sha256 = models.CharField(max_length=64)
    body_bytes = models.PositiveIntegerField()
    # The validators the page sent, for the next conditional check.
    etag = models.CharField(max_length=500, blank=True, default="")
    last_modified = models.CharField(max_length=100, blank=True, default="")
    # The text read from the body (HTML, plain text, PDF), which quotes are checked against;
    # empty with `text_note` saying why when none could be read.
    text = models.TextField(blank=True, default="")
    text_note = models.CharField(max_length=300, blank=True, default="")
    warc = models.FileField(storage=archive_storage, max_length=300)
    warc_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-fetched_at", "-id"]
        verbose_name = _("capture")
        verbose_name_plural = _("captures")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(body_sha256__regex=r"^[0-9a-f]{64}$"),
                name="capture_body_sha256_is_hex",
            )
        ]
        indexes = [models.Index(fields=["source", "-fetched_at"], name="capture_latest_idx")]

    def __str__(self) -> str:
        return f"{self.final_url} @ {self.fetched_at:%Y-%m-%d %H:%M}"


class LinkCheck(models.Model):
    """One fetch of a source's URL, whatever came of it: the log that makes a failure
    visible rather than lost."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="link_checks")
    checked_at = models.DateTimeField(default=timezone.now)
    url = models.URLField(max_length=2000)
    outcome = models.CharField(max_length=20, choices=CheckOutcome.choices)
    # 1 for the first try, more for a retry after a failure that may pass.
    attempt = models.PositiveSmallIntegerField(default=1)
    # If-None-Match / If-Modified-Since sent (a re-check of a captured page).
    conditional = models.BooleanField(default=False)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    final_url = models.URLField(max_length=2000, blank=True, default="")
    # Why a failed check brought no page, as readers are told it; `error` in the archive's
    # own words (the address, the status, the limit), for staff.
    reason = models.CharField(max_length=20, choices=FailureReason.choices, blank=True, default="")
    error = models.TextField(blank=True, default="")
    # The capture taken, or the one found unchanged.
    capture = models.ForeignKey(
        Capture, null=True, blank=True, on_delete=models.SET_NULL, related_name="checks"
    )
    # Citations whose quote (found in an earlier capture) this check found missing.
    quotes_missing = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-checked_at", "-id"]
        verbose_name = _("link check")
        verbose_name_plural = _("link checks")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome__in=CheckOutcome.values),
                name="link_check_outcome_valid",
            )
        ]
        indexes = [models.Index(fields=["source", "-checked_at"], name="link_check_log_idx")]

    def __str__(self) -> str:
        return f"{self.url}: {self.get_outcome_display()} ({self.checked_at:%Y-%m-%d %H:%M})"


class QuoteCheck(models.Model):
    """Is a citation's quote in a capture's text (whitespace folded, as quotes are stored)?"""

    capture = models.ForeignKey(Capture, on_delete=models.CASCADE, related_name="quote_checks")
    citation = models.ForeignKey(Citation, on_delete=models.CASCADE, related_name="quote_checks")
    found = models.BooleanField()

    class Meta:
        verbose_name = _("quote check")
        verbose_name_plural = _("quote checks")
        constraints = [
            models.UniqueConstraint(
                fields=["capture", "citation"], name="quote_checked_once_per_capture"
            )
        ]

    def __str__(self) -> str:
        return f"citation {self.citation_id} in capture {self.capture_id}: {self.found}"
