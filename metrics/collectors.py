"""The tracker's own metrics, as Prometheus metric families built at scrape time from
metrics/selectors.py; docs/operations.md lists every metric.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from redis.exceptions import RedisError

from archive.choices import CheckOutcome, LinkState
from commitments.choices import Status
from commitments.selectors import tracker_today
from metrics import selectors
from metrics.exposition import ScrapeRegistry, process_metrics_collector
from tracker.choices import AlertKind
from tracker.selectors import deadlines_scan_last_run

logger = logging.getLogger(__name__)

FIGURES_CACHE_KEY = "metrics:figures"


def _figures() -> dict:
    today = tracker_today()
    by_country, by_actor = selectors.commitment_counts_by_country_and_actor(today=today)
    return {
        "commitments": selectors.commitment_counts(today=today),
        "by_country": by_country,
        "by_actor": by_actor,
        "alerts": selectors.alert_counts(),
        "webhook_attempts": selectors.webhook_attempt_counts(),
        "webhook_lag": selectors.webhook_delivery_lag_seconds(),
        "webhook_subscriptions": selectors.webhook_subscription_counts(),
        "archive": selectors.archive_counts(),
    }


def _figures_cached() -> dict:
    """The database's figures, counted at most once per METRICS_FIGURES_CACHE_SECONDS for all
    web processes: each scrape of each process would otherwise count every commitment."""
    seconds = settings.METRICS_FIGURES_CACHE_SECONDS
    if seconds <= 0:
        return _figures()
    try:
        figures = cache.get(FIGURES_CACHE_KEY)
    except RedisError:
        return _figures()
    if figures is None:
        figures = _figures()
        try:
            cache.set(FIGURES_CACHE_KEY, figures, seconds)
        except RedisError:
            logger.warning("metrics: could not keep the figures in the cache")
    return figures


class TrackerCollector:
    """`tracker_*` metric families. Each scrape reads the figures once."""

    def describe(self) -> list:
        return []  # built at scrape time: nothing to check against at registration

    def collect(self) -> Iterator[Metric]:
        try:
            figures = _figures_cached()
        except DatabaseError as error:
            # The request and process figures are still served, and this says why ours are not.
            logger.warning("metrics: the database's figures could not be counted: %s", error)
            figures = None
        yield GaugeMetricFamily(
            "tracker_figures_up",
            "1 when the tracker's figures were counted from the database, 0 when it failed.",
            value=0 if figures is None else 1,
        )
        if figures is not None:
            yield from _commitment_families(figures)
            yield from _alert_and_webhook_families(figures)
            yield from _archive_families(figures["archive"])
        yield from _scan_families(deadlines_scan_last_run())
        queues = selectors.celery_queue_lengths()
        if queues is not None:
            family = GaugeMetricFamily(
                "tracker_celery_queue_length", "Tasks waiting in the broker.", labels=["queue"]
            )
            for queue, length in queues.items():
                family.add_metric([queue], length)
            yield family


def _family(kind, name: str, documentation: str, labels: list[str], rows) -> Metric:
    """A metric family of `kind` (Gauge- or CounterMetricFamily) from (label values, value)."""
    family = kind(name, documentation, labels=labels)
    for values, value in rows:
        family.add_metric(list(values), value)
    return family


def _commitment_families(figures: dict) -> Iterator[Metric]:
    # Every status and deadline state, zeros included: a panel reads 0, not "no data".
    counts = {(status, deadline): n for status, deadline, n in figures["commitments"]}
    yield _family(
        GaugeMetricFamily,
        "tracker_commitments",
        "Commitments by status and deadline state (overdue, due_soon, none), each once.",
        ["status", "deadline"],
        (
            ((status, deadline), counts.get((status, deadline), 0))
            for status in Status.values
            for deadline in selectors.DEADLINE_STATES
        ),
    )
    yield _family(
        GaugeMetricFamily,
        "tracker_commitments_by_country",
        "Commitments by status, deadline state and the country of a responsible actor.",
        ["status", "deadline", "country"],
        ((row[:3], row[3]) for row in figures["by_country"]),
    )
    yield _family(
        GaugeMetricFamily,
        "tracker_commitments_by_actor",
        "Commitments by status, deadline state and responsible actor (the "
        "METRICS_ACTOR_LABELS actors with most commitments; the rest as 'other').",
        ["status", "deadline", "actor"],
        ((row[:3], row[3]) for row in figures["by_actor"]),
    )


def _by_vocabulary(values, counts: dict) -> Iterator[tuple[tuple[str], int]]:
    """One row per value of a vocabulary, 0 where nothing was counted."""
    return (((value,), counts.get(value, 0)) for value in values)


def _alert_and_webhook_families(figures: dict) -> Iterator[Metric]:
    yield _family(
        CounterMetricFamily,
        "tracker_alerts_raised",
        "Alerts raised, by kind.",
        ["kind"],
        _by_vocabulary(AlertKind.values, figures["alerts"]),
    )
    yield _family(
        CounterMetricFamily,
        "tracker_webhook_deliveries",
        "Webhook delivery attempts, by outcome (succeeded, failed).",
        ["outcome"],
        _by_vocabulary(("succeeded", "failed"), figures["webhook_attempts"]),
    )
    yield GaugeMetricFamily(
        "tracker_webhook_delivery_lag_seconds",
        "How long the oldest alert owed to an active subscription has waited.",
        value=figures["webhook_lag"],
    )
    yield _family(
        GaugeMetricFamily,
        "tracker_webhook_subscriptions",
        "Webhook subscriptions by state (active, failing, disabled).",
        ["state"],
        (((state,), n) for state, n in figures["webhook_subscriptions"].items()),
    )


def _archive_families(archive: dict) -> Iterator[Metric]:
    yield _family(
        GaugeMetricFamily,
        "tracker_archive_links",
        "Archived source links by state.",
        ["state"],
        _by_vocabulary(LinkState.values, archive["links"]),
    )
    yield _family(
        CounterMetricFamily,
        "tracker_archive_link_checks",
        "Archive fetches of source links, by outcome.",
        ["outcome"],
        _by_vocabulary(CheckOutcome.values, archive["checks"]),
    )
    yield CounterMetricFamily(
        "tracker_archive_captures",
        "Pages captured into the archive.",
        value=archive["captures"]["all"],
    )


def _scan_families(last_run: dict | None) -> Iterator[Metric]:
    if last_run is None:
        return  # no whole scan since Redis started: absent, which the alert rule catches
    yield GaugeMetricFamily(
        "tracker_deadlines_scan_last_success_timestamp_seconds",
        "When the last whole deadline scan finished (Unix time).",
        value=last_run["finished_at"],
    )
    yield GaugeMetricFamily(
        "tracker_deadlines_scan_last_duration_seconds",
        "How long the last whole deadline scan took.",
        value=last_run["duration_seconds"],
    )


def scrape_registry() -> ScrapeRegistry:
    """What `/metrics` serves: the processes' metrics, then the tracker's own."""
    return ScrapeRegistry(process_metrics_collector(), TrackerCollector())
