"""Webhook subscriptions and the log of their delivery attempts.

A subscription is a cursor over the alerts, like a dashboard polling the feed: it remembers
the last alert it delivered (`last_alert_id`) and delivers the next matching one only once the
receiver answered 2xx. That cursor is what makes delivery at-least-once and ordered, and what
keeps the fan-out cheap: a scan that raises 10,000 alerts adds no row per alert and
subscription, only one drain task per subscription with news (webhooks/tasks.py).
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tracker.choices import AlertKind


class WebhookSubscription(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    url = models.URLField(
        max_length=2000, help_text=_("Where alerts are POSTed (https; a public address).")
    )
    description = models.CharField(
        max_length=200, blank=True, default="", help_text=_("What this subscription is for.")
    )
    # The language of the payload's translated fields (a commitment's title, ...), as the API
    # reads them with ?lang= (config.api.languages).
    language = models.CharField(
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the payloads' titles and names."),
    )
    alert_kinds = ArrayField(
        models.CharField(max_length=20, choices=AlertKind.choices),
        help_text=_("The alert kinds delivered."),
    )
    # The alerts feed's filters (tracker.filters.AlertFilter), as its query parameters:
    # {"tag": ["cyber"], "country": ["TM"], …}. Applied by the feed's own FilterSet.
    filters = models.JSONField(
        default=dict, blank=True, help_text=_("The alerts feed's filters: tag, actor, country, …")
    )
    # Signing needs the key itself (HMAC), so it cannot be stored hashed as API tokens are.
    # The API shows it once, when the subscription is created.
    secret = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True, help_text=_("Deliveries are made."))
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.TextField(blank=True, default="")
    # The cursor: every matching alert up to this id was delivered (or the subscription did
    # not exist yet). Starts at the newest alert when the subscription is created.
    last_alert_id = models.BigIntegerField(default=0)
    # Failed attempts in a row (reset by any 2xx); at WEBHOOK_DISABLE_AFTER_FAILURES the
    # subscription is disabled.
    consecutive_failures = models.PositiveIntegerField(default=0)
    # When the alert at the head of the queue may be tried again (after a failure).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(alert_kinds__len__gt=0), name="webhook_has_alert_kinds"
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=[code for code, _ in settings.LANGUAGES]),
                name="webhook_language_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(is_active=True, disabled_at__isnull=True)
                | models.Q(is_active=False, disabled_at__isnull=False),
                name="webhook_disabled_has_time",
            ),
        ]
        indexes = [
            # The sweep's question: which active subscriptions may have something to send.
            models.Index(
                fields=["last_alert_id"],
                condition=models.Q(is_active=True),
                name="webhook_active_cursor_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.url} ({self.owner})"


class WebhookAttempt(models.Model):
    """One HTTP request made to a subscriber: the delivery log."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="attempts"
    )
    # The Standard Webhooks `webhook-id`: the same for every attempt at one message, so the
    # receiver can drop a duplicate.
    webhook_id = models.CharField(max_length=100)
    event_type = models.CharField(max_length=40)
    # Null for a test event; SET_NULL keeps the log when an alert goes with its commitment.
    alert = models.ForeignKey(
        "tracker.Alert", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attempted_at = models.DateTimeField(default=timezone.now)
    succeeded = models.BooleanField()
    # The receiver's answer; null when there was none (refused, timed out, not allowed).
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True, default="")
    error = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["-id"]
        verbose_name = _("webhook delivery attempt")
        verbose_name_plural = _("webhook delivery attempts")
        indexes = [models.Index(fields=["subscription", "-id"], name="webhook_attempt_log_idx")]

    def __str__(self) -> str:
        outcome = self.status_code or self.error[:40] or "no answer"
        return f"{self.webhook_id} → {outcome}"
