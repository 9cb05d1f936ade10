"""Every write to webhook subscriptions and their log, and the delivery itself.

Delivery follows the subscription's cursor (webhooks/models.py): the next alert owed is sent,
and the cursor moves past it only once the receiver answered 2xx. A worker that dies in the
middle leaves the cursor where it was, so the same message (same `webhook-id`) is sent again:
at-least-once, with the id as the receiver's idempotency key. One drain per subscription runs
at a time (a PostgreSQL advisory lock held by the draining connection, released by
PostgreSQL if that worker dies), so a subscription's alerts arrive in the order they were
raised; an alert that fails holds back the later ones until it is delivered or the
subscription is disabled.
"""

from __future__ import annotations

import contextlib
import logging
import random
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation

from common.services import fields_set, refuse_unknown_fields
from tracker.models import Alert
from webhooks import http, payloads
from webhooks.fields import SUBSCRIPTION_FIELDS
from webhooks.models import WebhookAttempt, WebhookSubscription
from webhooks.selectors import (
    SUBSCRIPTION_FILTERS,
    alert_filter_for,
    alert_newest_id,
    subscription_alerts_after,
)
from webhooks.signals import subscription_enabled
from webhooks.signing import secret_generate, signed_headers
from webhooks.targets import TargetRefused, target_resolve, target_validate

logger = logging.getLogger(__name__)

# pg_try_advisory_lock(key) for one subscription's drain: this base plus its id.
DRAIN_LOCK_BASE = 0x77686B_00000000  # "whk"
# Alerts read per query while draining.
DRAIN_BATCH = 100
RETRY_FACTOR = 3
RETRY_JITTER = 0.2  # ±20 %: receivers that failed together are not retried together


@dataclass(frozen=True)
class NewSubscription:
    subscription: WebhookSubscription
    # The only time the secret leaves the service: shown once to whoever created it.
    secret: str


@dataclass(frozen=True)
class DrainResult:
    outcome: str  # done, busy, inactive, waiting, retry, disabled
    delivered: int = 0
    retry_in: float | None = None


# --- subscriptions ------------------------------------------------------------------------------


def _filters_clean(filters: dict, alert_kinds: list[str]) -> dict:
    """The filters as the alerts feed would read them; a ValidationError naming
    `filters.<name>` (or `alert_kinds`) for what the feed would refuse."""
    unknown = sorted(set(filters) - set(SUBSCRIPTION_FILTERS))
    if unknown:
        raise ValidationError({f"filters.{name}": ["Unknown filter."] for name in unknown})
    cleaned = {name: [str(v) for v in values] for name, values in filters.items() if values}
    filterset = alert_filter_for(
        filters=cleaned, alert_kinds=alert_kinds, queryset=Alert.objects.none()
    )
    if not filterset.is_valid():
        raise ValidationError(
            {
                ("alert_kinds" if name == "kind" else f"filters.{name}"): messages
                for name, messages in filterset.errors.items()
            }
        )
    return cleaned


def webhook_subscription_check(*, url: str, alert_kinds: list[str], filters: dict) -> dict:
    """A ValidationError keyed by field for what may not be subscribed: no alert kind, a
    filter the alerts feed refuses, a target that may not be called. Returns the filters
    as stored."""
    if not alert_kinds:
        raise ValidationError({"alert_kinds": ["Choose at least one alert kind."]})
    cleaned = _filters_clean(filters, alert_kinds)
    target_validate(url)
    return cleaned


def _prepare(subscription: WebhookSubscription) -> None:
    subscription.alert_kinds = sorted(set(subscription.alert_kinds or []))
    # The model's own checks (the URL's form, lengths); kinds and filters as the feed reads them.
    subscription.full_clean(exclude=["owner", "secret", "alert_kinds", "filters"])
    subscription.filters = webhook_subscription_check(
        url=subscription.url,
        alert_kinds=subscription.alert_kinds,
        filters=subscription.filters or {},
    )


def _owner_has_room(owner) -> None:
    """A ValidationError naming the limit if `owner` already has
    WEBHOOK_MAX_SUBSCRIPTIONS_PER_OWNER subscriptions: each one is a delivery queue the
    workers drain, and a token holder may not grow that without bound. The owner's row is
    locked first (FOR NO KEY UPDATE, which blocks no insert referencing it), so two creates at
    once cannot both find the last free place."""
    get_user_model().objects.select_for_update(no_key=True).get(pk=owner.pk)
    limit = settings.WEBHOOK_MAX_SUBSCRIPTIONS_PER_OWNER
    count = WebhookSubscription.objects.filter(owner=owner).count()
    if count >= limit:
        raise ValidationError(
            f"You have {count} webhook subscriptions; an owner may have at most {limit}. "
            "Delete one, or widen an existing one's alert kinds and filters.",
            code="webhook_subscriptions_limit",
        )


@transaction.atomic
def webhook_subscription_create(
    *,
    owner,
    url: str,
    alert_kinds: list[str],
    filters: dict | None = None,
    description: str = "",
    language: str = settings.LANGUAGE_CODE,
    is_active: bool = True,
) -> NewSubscription:
    """Subscribe `owner` to the alerts raised from now on; return the subscription with its
    signing secret, which is shown this once."""
    _owner_has_room(owner)
    secret = secret_generate()
    subscription = WebhookSubscription(
        owner=owner,
        url=url,
        alert_kinds=alert_kinds,
        filters=filters or {},
        description=description,
        language=language,
        secret=secret,
        last_alert_id=alert_newest_id(),
        is_active=is_active,
    )
    if not is_active:
        subscription.disabled_at = timezone.now()
        subscription.disabled_reason = "Disabled by its owner."
    _prepare(subscription)
    subscription.save()
    return NewSubscription(subscription=subscription, secret=secret)


@transaction.atomic
def webhook_subscription_update(
    *, subscription: WebhookSubscription, data: dict
) -> WebhookSubscription:
    """Change the given fields. Setting `is_active` to true re-enables a disabled
    subscription: its failure count starts again and the alert it was stuck on is tried at
    once (nothing raised in between is lost: the cursor waited)."""
    refuse_unknown_fields(data, allowed=SUBSCRIPTION_FIELDS.editable)
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
    was_active = subscription.is_active
    fields_set(subscription, data)
    if subscription.is_active and not was_active:
        subscription.disabled_at = None
        subscription.disabled_reason = ""
        subscription.consecutive_failures = 0
        subscription.next_attempt_at = None
    elif was_active and not subscription.is_active:
        subscription.disabled_at = timezone.now()
        subscription.disabled_reason = "Disabled by its owner."
    _prepare(subscription)
    subscription.save()
    if subscription.is_active and not was_active:
        transaction.on_commit(
            lambda: subscription_enabled.send(
                sender=WebhookSubscription, subscription_id=subscription.pk
            )
        )
    return subscription


@transaction.atomic
def webhook_subscription_delete(*, subscription: WebhookSubscription) -> None:
    subscription.delete()


def _disable(subscription_id: int, *, reason: str) -> None:
    WebhookSubscription.objects.filter(pk=subscription_id, is_active=True).update(
        is_active=False, disabled_at=timezone.now(), disabled_reason=reason, next_attempt_at=None
    )
    logger.warning("webhook subscription %s disabled: %s", subscription_id, reason)


# --- sending ------------------------------------------------------------------------------------


def retry_delay(failures: int) -> float:
    """Seconds before the next try after `failures` failed attempts in a row: exponential
    (WEBHOOK_RETRY_BASE_SECONDS * 3 ** (n - 1)) with ±20 % jitter. With the defaults (30 s, disabled
    at the 9th failure) the tries spread over about 27 hours."""
    delay = settings.WEBHOOK_RETRY_BASE_SECONDS * RETRY_FACTOR ** (failures - 1)
    return delay * random.uniform(1 - RETRY_JITTER, 1 + RETRY_JITTER)


def _send(
    subscription: WebhookSubscription, *, webhook_id: str, event: dict, alert_id: int | None
) -> WebhookAttempt:
    """Sign and POST one message; the attempt, not saved (the caller logs it together with
    what follows from it, in one transaction)."""
    now = timezone.now()
    body = payloads.encode(event)
    attempt = WebhookAttempt(
        subscription=subscription,
        webhook_id=webhook_id,
        event_type=event["type"],
        alert_id=alert_id,
        attempted_at=now,
        succeeded=False,
    )
    try:
        target = target_resolve(subscription.url)  # again: the name may point inside now
        headers = signed_headers(
            secret=subscription.secret, webhook_id=webhook_id, timestamp=now, body=body
        ) | {"Content-Language": subscription.language}
        answer = http.post(target, body=body.encode("utf-8"), headers=headers)
    except TargetRefused as refused:
        attempt.error = f"Not sent: {refused}"
    except http.NoAnswer as no_answer:
        attempt.error = str(no_answer)
        attempt.latency_ms = no_answer.latency_ms
    else:
        attempt.status_code = answer.status
        attempt.latency_ms = answer.latency_ms
        attempt.response_excerpt = answer.excerpt
        attempt.succeeded = 200 <= answer.status < 300
        if not attempt.succeeded:
            attempt.error = f"HTTP {answer.status}"
    return attempt


def alert_webhook_id(subscription_id: int, alert_id: int) -> str:
    """The same for every attempt at one alert for one subscription."""
    return f"msg_{subscription_id}_{alert_id}"


@contextlib.contextmanager
def _drain_lock(subscription_id: int):
    key = DRAIN_LOCK_BASE + subscription_id
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        held = cursor.fetchone()[0]
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def _drain_locked(subscription_id: int) -> DrainResult:
    delivered = 0
    while True:
        subscription = (
            WebhookSubscription.objects.select_related("owner").filter(pk=subscription_id).first()
        )
        if subscription is None or not subscription.is_active or not subscription.owner.is_active:
            return DrainResult("inactive", delivered)
        now = timezone.now()
        if subscription.next_attempt_at and subscription.next_attempt_at > now:
            return DrainResult(
                "waiting", delivered, (subscription.next_attempt_at - now).total_seconds()
            )
        newest = alert_newest_id()  # read first: every matching alert up to it is below
        alerts = subscription_alerts_after(subscription, limit=DRAIN_BATCH)
        if not alerts:
            # Nothing this subscription wants up to `newest`: the cursor moves past it all.
            WebhookSubscription.objects.filter(pk=subscription_id, last_alert_id__lt=newest).update(
                last_alert_id=newest
            )
            return DrainResult("done", delivered)
        for alert in alerts:
            with translation.override(subscription.language):
                event = payloads.alert_event(alert)
            attempt = _send(
                subscription,
                webhook_id=alert_webhook_id(subscription_id, alert.id),
                event=event,
                alert_id=alert.id,
            )
            if attempt.succeeded:
                with transaction.atomic():  # one commit per delivery: the log and the cursor
                    attempt.save()
                    WebhookSubscription.objects.filter(pk=subscription_id).update(
                        last_alert_id=alert.id, consecutive_failures=0, next_attempt_at=None
                    )
                subscription.consecutive_failures = 0
                delivered += 1
                continue
            return _failed(subscription, attempt, delivered=delivered)


@transaction.atomic  # the log and the schedule of the retry, or the disabling
def _failed(
    subscription: WebhookSubscription, attempt: WebhookAttempt, *, delivered: int
) -> DrainResult:
    attempt.save()
    failures = subscription.consecutive_failures + 1
    if failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES:
        WebhookSubscription.objects.filter(pk=subscription.pk).update(consecutive_failures=failures)
        _disable(
            subscription.pk,
            reason=(
                f"Disabled after {failures} failed attempts in a row; the last "
                f"({attempt.webhook_id}, {attempt.attempted_at:%Y-%m-%d %H:%M:%S} UTC): "
                f"{attempt.error}. Fix the receiver, then set is_active to true: delivery "
                "resumes with the alert it stopped at."
            ),
        )
        return DrainResult("disabled", delivered)
    delay = retry_delay(failures)
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        consecutive_failures=failures,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
    )
    return DrainResult("retry", delivered, delay)


def webhook_deliver_due(*, subscription_id: int) -> DrainResult:
    """Deliver what the subscription is owed, in order, until it is up to date, a delivery
    fails (a retry is scheduled) or it is disabled. Returns at once ("busy") if another drain
    of it is running."""
    total = 0
    while True:
        with _drain_lock(subscription_id) as held:
            if not held:
                return DrainResult("busy")
            result = _drain_locked(subscription_id)
        total += result.delivered
        # An alert raised just before the lock was let go: its drain found the lock taken
        # and gave up, so this one goes on.
        done = result.outcome == "done"
        if (
            not done
            or not WebhookSubscription.objects.filter(
                pk=subscription_id, last_alert_id__lt=alert_newest_id()
            ).exists()
        ):
            return DrainResult(result.outcome, total, result.retry_in)


def webhook_send_test(*, subscription_id: int) -> WebhookAttempt | None:
    """Send a signed `webhook.test` event now, once (no retries; it does not count towards
    disabling). None if the subscription is gone."""
    subscription = WebhookSubscription.objects.filter(pk=subscription_id).first()
    if subscription is None:
        return None
    now = timezone.now()
    attempt = _send(
        subscription,
        webhook_id=f"msg_test_{subscription_id}_{int(now.timestamp() * 1000)}",
        event=payloads.test_event(subscription_id=subscription_id, timestamp=now),
        alert_id=None,
    )
    attempt.save()
    return attempt
