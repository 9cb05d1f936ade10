"""The tracker's own figures for Prometheus, read from the database and the shared cache when
Prometheus asks (metrics/collectors.py), not counted by the process that saw the event.

So every web process reports the same figures, whichever one Prometheus reaches and whichever
process (a worker, another host) did the work; no pushgateway and nothing to lose on a
restart. Counts cover every commitment, published or not: these are the operators' figures.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Case, CharField, Count, F, Q, Value, When
from kombu.exceptions import ChannelError

from archive.models import Capture, LinkCheck, SourceLink
from commitments.choices import OPEN_STATUSES, PartyRole
from commitments.models import Commitment, Party
from config.celery_app import app as celery_app
from tracker.models import Alert
from webhooks.models import WebhookAttempt, WebhookSubscription

logger = logging.getLogger(__name__)

NO_COUNTRY = "none"
DEADLINE_STATES = ("overdue", "due_soon", "none")
OTHER_ACTORS = "other"
BROKER_TIMEOUT_SECONDS = 2


def _deadline_state(today: date, prefix: str = "") -> Case:
    """overdue / due_soon (open, its deadline ends within TRACKER_DUE_SOON_DAYS) / none."""
    due_soon = Q(
        **{
            f"{prefix}status__in": OPEN_STATUSES,
            f"{prefix}is_overdue": False,
            f"{prefix}deadline_last_day__gte": today,
            f"{prefix}deadline_last_day__lte": today
            + timedelta(days=settings.TRACKER_DUE_SOON_DAYS),
        }
    )
    return Case(
        When(Q(**{f"{prefix}is_overdue": True}), then=Value("overdue")),
        When(due_soon, then=Value("due_soon")),
        default=Value("none"),
        output_field=CharField(),
    )


def commitment_counts(*, today: date) -> list[tuple[str, str, int]]:
    """(status, deadline state, count): each commitment once."""
    rows = (
        Commitment.objects.annotate(deadline=_deadline_state(today))
        .values_list("status", "deadline")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [(status, deadline, n) for status, deadline, n in rows]


def _responsible_parties(today: date):
    return (
        Party.objects.filter(role=PartyRole.RESPONSIBLE)
        .annotate(
            deadline=_deadline_state(today, prefix="commitment__"),
            commitment_status=F("commitment__status"),
        )
        .order_by()
    )


def commitment_counts_by_country_and_actor(
    *, today: date
) -> tuple[list[tuple[str, str, str, int]], list[tuple[str, str, str, int]]]:
    """(status, deadline state, country, count) and (status, deadline state, actor slug,
    count) of commitments by their responsible actors, in one pass over the parties
    (GROUPING SETS; the ORM's query of the rows is wrapped, so the deadline rule stays the
    ORM's). A commitment counts once per country among its responsible actors ("none" for
    an actor without one; countries are ISO codes, a few hundred label values at most) and
    once per responsible actor: the METRICS_ACTOR_LABELS actors responsible for the most
    commitments by slug, the rest summed as "other", so that label stays bounded."""
    rows = _responsible_parties(today).values_list(
        "commitment_status", "deadline", "actor__country", "actor__slug", "commitment_id"
    )
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT status, deadline, country, slug, count(DISTINCT commitment_id),
                   GROUPING(country) = 0
            FROM ({sql}) AS party (status, deadline, country, slug, commitment_id)
            GROUP BY GROUPING SETS ((status, deadline, country), (status, deadline, slug))
            """,
            params,
        )
        grouped = cursor.fetchall()
    by_country = [
        (status, deadline, country or NO_COUNTRY, n)
        for status, deadline, country, _slug, n, is_country in grouped
        if is_country
    ]
    by_slug = [(status, deadline, slug, n) for status, deadline, _c, slug, n, is_country in grouped
               if not is_country]  # fmt: skip
    return by_country, _actors_bounded(by_slug)


def _actors_bounded(rows: list[tuple[str, str, str, int]]) -> list[tuple[str, str, str, int]]:
    totals: Counter[str] = Counter()
    for _status, _deadline, slug, n in rows:
        totals[slug] += n
    named = {slug for slug, _ in totals.most_common(settings.METRICS_ACTOR_LABELS)}
    folded: defaultdict[tuple[str, str, str], int] = defaultdict(int)
    for status, deadline, slug, n in rows:
        folded[(status, deadline, slug if slug in named else OTHER_ACTORS)] += n
    return [(*key, n) for key, n in sorted(folded.items())]


def alert_counts() -> dict[str, int]:
    """Alerts raised, by kind, since the database began."""
    return dict(Alert.objects.values_list("kind").annotate(n=Count("pk")).order_by())


def webhook_attempt_counts() -> dict[str, int]:
    """Delivery attempts by outcome ("succeeded", "failed")."""
    rows = WebhookAttempt.objects.values_list("succeeded").annotate(n=Count("pk")).order_by()
    return {("succeeded" if succeeded else "failed"): n for succeeded, n in rows}


def webhook_delivery_lag_seconds() -> float:
    """How long the oldest alert still owed to an active subscription has waited: 0 when
    every subscription is up to date. Ignores a subscription's filters, so an alert it will
    skip counts until its next delivery run moves its cursor past."""
    alert_table = Alert._meta.db_table
    subscription_table = WebhookSubscription._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT COALESCE(EXTRACT(EPOCH FROM now() - min(owed.created_at)), 0)
            FROM {subscription_table} AS subscription
            CROSS JOIN LATERAL (
                SELECT alert.created_at FROM {alert_table} AS alert
                WHERE alert.id > subscription.last_alert_id
                  AND alert.kind = ANY(subscription.alert_kinds)
                ORDER BY alert.id LIMIT 1
            ) AS owed
            WHERE subscription.is_active
            """
        )
        return float(cursor.fetchone()[0])


def webhook_subscription_counts() -> dict[str, int]:
    """Subscriptions by state: active, failing (active, its last delivery failed), disabled."""
    return WebhookSubscription.objects.aggregate(
        active=Count("pk", filter=Q(is_active=True, consecutive_failures=0)),
        failing=Count("pk", filter=Q(is_active=True, consecutive_failures__gt=0)),
        disabled=Count("pk", filter=Q(is_active=False)),
    )


def archive_counts() -> dict[str, dict[str, int]]:
    return {
        "links": dict(SourceLink.objects.values_list("state").annotate(n=Count("pk")).order_by()),
        "checks": dict(LinkCheck.objects.values_list("outcome").annotate(n=Count("pk")).order_by()),
        "captures": {"all": Capture.objects.count()},
    }


def celery_queue_lengths() -> dict[str, int] | None:
    """Messages waiting in each queue the workers consume, from the broker; None when the
    broker does not answer in time."""
    queues = [celery_app.conf.task_default_queue]
    try:
        with celery_app.connection_for_read(
            transport_options={"socket_timeout": BROKER_TIMEOUT_SECONDS}
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
            return {queue: _queue_length(conn, queue) for queue in queues}
    except Exception as error:  # down or slow: the figure is missing, the rest still served
        logger.warning("metrics: the broker's queue length could not be read: %s", error)
        return None


def _queue_length(conn, queue: str) -> int:
    try:
        return conn.default_channel.queue_declare(queue=queue, passive=True).message_count
    except ChannelError:
        # Not there: Redis keeps no empty list, and nothing was ever sent to it.
        conn.release()
        return 0
