"""Reads of webhook subscriptions, their log, and the alerts a subscription is owed."""

from __future__ import annotations

from django.db.models import Max, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from tracker.filters import AlertFilter
from tracker.models import Alert
from tracker.selectors import alerts_by_ids, alerts_visible_to
from webhooks.models import WebhookAttempt, WebhookSubscription

# The alerts feed's filters a subscription may carry (`kind` is its `alert_kinds`).
SUBSCRIPTION_FILTERS = ("tag", "actor", "actor_id", "role", "country", "commitment_id")


def webhook_subscriptions_of(user) -> QuerySet[WebhookSubscription]:
    """A token holder's own subscriptions: nobody sees another's through the API, staff
    included (staff see all of them in the admin)."""
    if not (user and user.is_authenticated):
        return WebhookSubscription.objects.none()
    return WebhookSubscription.objects.filter(owner=user)


def webhook_attempts_of(subscription: WebhookSubscription) -> QuerySet[WebhookAttempt]:
    return WebhookAttempt.objects.filter(subscription=subscription)


def alert_newest_id() -> int:
    return Alert.objects.aggregate(newest=Max("id"))["newest"] or 0


def alert_filter_for(*, filters: dict, alert_kinds: list[str], queryset: QuerySet) -> AlertFilter:
    """The alerts feed's FilterSet over `queryset`, given a subscription's filters."""
    data = QueryDict(mutable=True)
    for name, values in filters.items():
        data.setlist(name, list(values))
    data.setlist("kind", list(alert_kinds))
    return AlertFilter(data, queryset=queryset)


def subscription_alerts_after(subscription: WebhookSubscription, *, limit: int) -> list[Alert]:
    """The next alerts owed to the subscription, oldest first: after its cursor, of its kinds,
    through its filters, and only what its owner may see (published commitments unless the
    owner is staff) — checked when sent, so an alert of a commitment unpublished since is
    not sent."""
    filterset = alert_filter_for(
        filters=subscription.filters,
        alert_kinds=subscription.alert_kinds,
        queryset=alerts_visible_to(subscription.owner),
    )
    if not filterset.is_valid():  # saved through the same FilterSet; cannot happen
        return []
    ids = list(
        filterset.qs.filter(id__gt=subscription.last_alert_id)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    return alerts_by_ids(ids=ids)


def subscription_ids_with_news(*, newest_alert_id: int | None = None) -> list[int]:
    """Active subscriptions of active owners that may be owed an alert now: their cursor is
    behind the newest alert and no retry is scheduled for later."""
    newest = alert_newest_id() if newest_alert_id is None else newest_alert_id
    return list(
        WebhookSubscription.objects.filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()),
            is_active=True,
            owner__is_active=True,
            last_alert_id__lt=newest,
        )
        .order_by("id")
        .values_list("id", flat=True)
    )


def webhook_subscriptions_exist() -> bool:
    return WebhookSubscription.objects.filter(is_active=True).exists()
