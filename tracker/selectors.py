"""Reads of alerts and the dashboard counts. Views start from `alerts_visible_to`."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Greatest
from redis.exceptions import RedisError

from commitments.choices import OPEN_STATUSES, Status, StatusReason
from commitments.models import Actor, Commitment
from commitments.selectors import commitments_visible_to, user_sees_drafts
from common.translations import with_translations
from tracker.api.serializers import AlertSourceCheckSerializer
from tracker.models import Alert


def alerts_visible_to(user) -> QuerySet[Alert]:
    """Staff see every alert; everyone else only alerts of published commitments."""
    queryset = Alert.objects.all()
    if not user_sees_drafts(user):
        queryset = queryset.filter(commitment__is_published=True)
    return queryset


@dataclass(frozen=True)
class FeedPage:
    """Which alerts a feed page holds, and its validators, from one query and no model."""

    # The page's alert ids, oldest first, plus one more when more are waiting.
    alert_ids: list[int]
    limit: int
    # Changes whenever the page would read differently: an alert added or gone (published,
    # unpublished, deleted), or one of its commitments edited (its version).
    digest: str
    last_modified: datetime | None

    @property
    def ids(self) -> list[int]:
        return self.alert_ids[: self.limit]

    @property
    def has_more(self) -> bool:
        return len(self.alert_ids) > self.limit


def alerts_feed_page(
    *,
    queryset: QuerySet[Alert],
    visible: QuerySet[Alert],
    after: int,
    limit: int,
    newest_first: bool = False,
) -> FeedPage:
    """The ids and validators of the page of `queryset` after alert `after`, in one query.

    This is all a poll that brings nothing new costs: a walk of the primary key from the
    cursor, at most `limit + 1` rows, aggregated in the database into one row. The digest is
    an md5 of "id:commitment version" over the page, so the view can answer 304 before
    loading or serializing any alert.

    Last-Modified is the latest alert or commitment change in the page; for an empty page,
    the time of the newest alert (of `visible`, the unfiltered feed) up to the cursor — when
    the feed last moved from the reader's point of view.
    """
    page = (
        queryset.filter(id__gt=after)
        # The Atom feed shows the newest alerts; the ids still come back oldest first.
        .order_by("-id" if newest_first else "id")
        .annotate(
            _version=F("commitment__version"),
            _modified=Greatest("created_at", "commitment__updated_at"),
        )
        .values("id", "_version", "_modified")[: limit + 1]
    )
    page_sql, page_params = page.query.sql_with_params()
    before = visible.filter(id__lte=after).order_by("-id").values("created_at")[:1]
    before_sql, before_params = before.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT coalesce(array_agg(page.id ORDER BY page.id), '{{}}'),
                   md5(coalesce(
                       string_agg(page.id || ':' || page._version, ',' ORDER BY page.id), ''
                   )),
                   coalesce(max(page._modified), ({before_sql}))
              FROM ({page_sql}) AS page
            """,
            (*before_params, *page_params),
        )
        alert_ids, digest, last_modified = cursor.fetchone()
    return FeedPage(
        alert_ids=list(alert_ids), limit=limit, digest=digest, last_modified=last_modified
    )


def alerts_by_ids(*, ids: list[int]) -> list[Alert]:
    """The alerts with these ids, oldest first, with what their representation needs."""
    if not ids:
        return []
    return list(
        Alert.objects.filter(id__in=ids)
        .select_related("commitment", "status_change", "source_check", "party__actor")
        .only(
            "id",
            "kind",
            "last_day",
            "created_at",
            "commitment__id",
            "commitment__reference",
            # Its title in every language: read in the reader's with no second query.
            *(f"commitment__{name}" for name in with_translations(Commitment, ("title",))),
            "status_change__id",
            "status_change__old_status",
            "status_change__new_status",
            "status_change__effective_on",
            "status_change__reason",
            "status_change__replaced_by",
            *(
                f"source_check__{name}"
                for name in AlertSourceCheckSerializer.Meta.fields
                if name != "source_api_url"
            ),
            "party__id",
            "party__role",
            "party__status",
            "party__actor__id",
            "party__actor__slug",
            "party__actor__kind",
            "party__actor__translation_origins",
            *(f"party__actor__{name}" for name in with_translations(Actor, ("name",))),
        )
        .order_by("id")
    )


def commitment_references(*, ids: list[int]) -> dict[int, str]:
    """Id to reference, for reports that name commitments the way people know them."""
    return dict(Commitment.objects.filter(id__in=ids).values_list("id", "reference"))


# --- stats ----------------------------------------------------------------------------------

# Counting every commitment takes about a second on a million rows; dashboards poll every few
# seconds. The counts are kept this long in Redis, and renewed at once when the tracker learns
# of a change (tracker.services.stats_cache_invalidate).
STATS_CACHE_SECONDS = 30
STATS_GENERATION_KEY = "tracker:stats:generation"


# The last whole deadline scan that ran to its end: when it finished (a Unix time) and how long
# it took, kept in the shared cache so that any web process reports it (metrics/selectors.py).
SCAN_LAST_RUN_KEY = "tracker:scan:last-run"


def deadlines_scan_last_run() -> dict | None:
    """`{"finished_at": unix seconds, "duration_seconds": s}` of the last whole scan, or None
    (none since Redis started, or Redis not answering)."""
    try:
        return cache.get(SCAN_LAST_RUN_KEY)
    except RedisError:
        return None


def commitment_stats_cached(*, user, today: date) -> dict:
    """`commitment_stats` from the cache when it holds this audience's counts for today.

    A Redis that cannot be reached is not an outage of the stats: they are counted afresh.
    """
    audience = "staff" if user_sees_drafts(user) else "public"
    try:
        generation = cache.get(STATS_GENERATION_KEY, 0)
        key = f"tracker:stats:{generation}:{audience}:{today.isoformat()}"
        stats = cache.get(key)
    except RedisError:
        return commitment_stats(user=user, today=today)
    if stats is None:
        stats = commitment_stats(user=user, today=today)
        with contextlib.suppress(RedisError):
            cache.set(key, stats, STATS_CACHE_SECONDS)
    return stats


def commitment_stats(*, user, today: date, windows: tuple[int, ...] = (30, 90)) -> dict:
    """Counts for dashboards in two queries: by status, overdue, disputed (its sources
    disagree on a fact), stale evidence, by reason (stalled, abandoned) and due within each
    window (open commitments whose deadline ends
    between today and today + days), then by tag."""
    visible = commitments_visible_to(user)
    due_within = {
        f"due_within_{days}_days": Count(
            "id",
            filter=Q(
                status__in=OPEN_STATUSES,
                deadline_last_day__gte=today,
                deadline_last_day__lte=today + timedelta(days=days),
            ),
        )
        for days in windows
    }
    counts = visible.aggregate(
        total=Count("id"),
        overdue=Count("id", filter=Q(is_overdue=True)),
        disputed=Count("id", filter=~Q(disputed_facts=[])),
        evidence_stale=Count("id", filter=Q(evidence_stale=True)),
        **due_within,
        **{f"status_{status}": Count("id", filter=Q(status=status)) for status in Status.values},
        **{
            f"reason_{reason}": Count("id", filter=Q(status_reason=reason))
            for reason in StatusReason.values
        },
    )
    return {
        "today": today,
        "total": counts["total"],
        "by_status": {status: counts[f"status_{status}"] for status in Status.values},
        "overdue": counts["overdue"],
        "disputed": counts["disputed"],
        "evidence_stale": counts["evidence_stale"],
        "by_reason": {reason: counts[f"reason_{reason}"] for reason in StatusReason.values},
        **{name: counts[name] for name in due_within},
        "by_tag": _commitment_counts_by_tag(visible=visible),
    }


def _commitment_counts_by_tag(*, visible: QuerySet[Commitment]) -> list[dict]:
    # The ORM cannot GROUP BY a set-returning function; the visibility rule still comes from
    # commitments' selector, as a subquery.
    sql, params = visible.order_by().values("tags", "is_overdue").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT tag, count(*), count(*) FILTER (WHERE c.is_overdue)
              FROM ({sql}) AS c CROSS JOIN LATERAL unnest(c.tags) AS tag
             GROUP BY tag
             ORDER BY tag
            """,
            params,
        )
        return [{"tag": tag, "total": total, "overdue": overdue} for tag, total, overdue in cursor]
