"""The clock: the deadline scan and the alerts it records. Every write to Alert is here.

The scan is built like healthchecks' `sendalerts`: a precomputed deadline column with a partial
index, conditional UPDATEs that touch only the rows whose state is wrong, and an event row per
transition. It is idempotent: run twice, twice at once, or again after a worker died in the
middle, it leaves the same rows — the transaction makes it all or nothing, the advisory lock
keeps a second scan from doing the same work at the same time, and the unique constraints on
Alert make a duplicate impossible even if the lock were bypassed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone
from redis.exceptions import RedisError

from commitments.choices import OPEN_STATUSES
from commitments.models import Citation, Commitment, Party, StatusChange
from commitments.selectors import tracker_today
from commitments.services import commitments_refresh_overdue_flags, commitments_refresh_stale_flags
from tracker.choices import DEADLINE_ALERT_KINDS, AlertKind
from tracker.models import Alert
from tracker.selectors import SCAN_LAST_RUN_KEY, STATS_GENERATION_KEY
from tracker.signals import alerts_recorded

logger = logging.getLogger(__name__)

# PostgreSQL advisory lock keys: arbitrary 64-bit constants, unique within the database.
# Held by a scan for its whole transaction; a second scan that cannot take it steps aside.
SCAN_LOCK_KEY = 0x74726B_7363616E  # "trk" "scan"
# Held by every transaction that inserts alerts, from its first insert to its commit. The feed
# pages by alert id; without this, a long scan could commit id 500 after a status change
# committed id 501, and a dashboard that already moved its cursor past 501 would never see 500.
# Serialising the inserts makes alert ids become visible in increasing order.
ALERT_INSERT_LOCK_KEY = 0x74726B_616C7274  # "trk" "alrt"


@dataclass(frozen=True)
class ScanSummary:
    """What one scan changed. Lists hold commitment ids."""

    today: date
    skipped: bool = False
    became_overdue: list[int] = field(default_factory=list)
    no_longer_overdue: list[int] = field(default_factory=list)
    due_soon: list[int] = field(default_factory=list)
    became_stale: list[int] = field(default_factory=list)
    no_longer_stale: list[int] = field(default_factory=list)
    # Commitments with a party whose own part became overdue.
    party_overdue: list[int] = field(default_factory=list)
    alerts_created: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.became_overdue
            or self.no_longer_overdue
            or self.became_stale
            or self.no_longer_stale
            or self.alerts_created
        )

    def counts(self) -> dict:
        """How many of each, for logs and a task's return value: the first scan after a large
        import flags hundreds of thousands of commitments, too many ids for a log line."""
        return {
            "today": self.today.isoformat(),
            "skipped": self.skipped,
            "became_overdue": len(self.became_overdue),
            "no_longer_overdue": len(self.no_longer_overdue),
            "due_soon": len(self.due_soon),
            "became_stale": len(self.became_stale),
            "no_longer_stale": len(self.no_longer_stale),
            "party_overdue": len(self.party_overdue),
            "alerts_created": self.alerts_created,
        }


# The conflict a deadline alert may meet: the same alert, already recorded (a commitment flagged
# anew for a deadline it was alerted for before, or an insert that bypassed the lock). Named,
# so that PostgreSQL checks only that unique index before each insert, and so that any other
# conflict is an error rather than a silently dropped alert.
# The WHERE clause is the partial index's predicate (Alert.Meta, alert_once_per_deadline).
_ONCE_PER_DEADLINE = f"""
    ON CONFLICT (commitment_id, kind, last_day)
    WHERE kind IN ({", ".join(f"'{kind}'" for kind in DEADLINE_ALERT_KINDS)})
    DO NOTHING"""


def _array_literal(values: Iterable) -> str:
    """A PostgreSQL array literal ('{1,2,3}') of numbers or ISO dates, sent as one text
    parameter and cast in SQL. With Django's default client-side binding a Python list
    becomes ARRAY[…] with each element quoted one by one: for the 120,000 ids and days of a
    first scan that took ≈0.35 s, against ≈0.15 s for this (either way with server-side
    binding). The values are our own ints and dates, whose text has no character an array
    literal would need quoted."""
    return "{" + ",".join(map(str, values)) + "}"


def _scan_lock_try() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SCAN_LOCK_KEY])
        return cursor.fetchone()[0]


def _scan_statement_timeout_raise() -> None:
    """Let this transaction's statements run as long as the scan's task may.

    The database's default (DATABASE_STATEMENT_TIMEOUT_MS, 30 s) protects web requests; the
    first scan after a large import flags hundreds of thousands of rows at once, and cutting
    it off would only make every later scan start over and be cut off in turn.
    """
    seconds = max(settings.CELERY_TASK_SOFT_TIME_LIMIT, 60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{seconds}s"])


def _alert_inserts_lock() -> datetime:
    """Wait for other alert-inserting transactions to commit; return the time to stamp.

    The time is taken once the lock is held, so that created_at grows with the alert id (the
    feed's Last-Modified relies on it).
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ALERT_INSERT_LOCK_KEY])
    return timezone.now()


def _alerts_insert_overdue(
    *,
    became_overdue: list[tuple[int, date]],
    created_at: datetime,
    kind: str = AlertKind.OVERDUE.value,
) -> int:
    """One overdue alert per commitment that has just been flagged, for its deadline (or, of
    kind evidence_stale, per commitment just flagged stale, for its newest evidence's day)."""
    if not became_overdue:
        return 0
    ids, last_days = zip(*sorted(became_overdue), strict=True)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {Alert._meta.db_table} (kind, commitment_id, last_day, created_at)
            SELECT %(kind)s, flagged.id, flagged.last_day, %(created_at)s
              FROM unnest(%(ids)s::bigint[], %(last_days)s::date[]) AS flagged(id, last_day)
             ORDER BY flagged.id
            {_ONCE_PER_DEADLINE}
            """,
            {
                "kind": kind,
                "created_at": created_at,
                "ids": _array_literal(ids),
                "last_days": _array_literal(day.isoformat() for day in last_days),
            },
        )
        return cursor.rowcount


def _alerts_insert_due_soon(
    *, today: date, window_days: int, commitment_ids: list[int] | None, created_at: datetime
) -> list[int]:
    """One due_soon alert per open commitment whose deadline ends within the window, once per
    deadline. Returns the commitment ids alerted now.

    The range condition on open statuses is the partial index commitment_open_deadline_idx;
    NOT EXISTS (on the alert_once_per_deadline index) skips what was already alerted, so an
    idle re-scan inserts nothing and burns no sequence values. ON CONFLICT covers the race
    the NOT EXISTS cannot see (a concurrent insert not yet committed).
    """
    only = "" if commitment_ids is None else "AND c.id = ANY(%(ids)s)"
    alert_table = Alert._meta.db_table
    # %(kind)s::varchar: the parameter appears twice, and under server-side binding PostgreSQL
    # must deduce one type for both (text in the select list, varchar against a.kind otherwise).
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {alert_table} (kind, commitment_id, last_day, created_at)
            SELECT %(kind)s::varchar, c.id, c.deadline_last_day, %(created_at)s
              FROM {Commitment._meta.db_table} c
             WHERE c.status = ANY(%(open)s)
               AND c.deadline_last_day >= %(today)s
               AND c.deadline_last_day <= %(until)s
               {only}
               AND NOT EXISTS (
                   SELECT 1 FROM {alert_table} a
                    WHERE a.commitment_id = c.id
                      AND a.kind = %(kind)s
                      AND a.last_day = c.deadline_last_day
               )
             ORDER BY c.id
            {_ONCE_PER_DEADLINE}
            RETURNING commitment_id
            """,
            {
                "kind": AlertKind.DUE_SOON.value,
                "created_at": created_at,
                # Bound as a literal array, which the planner proves implies the partial
                # index's predicate (status IN the open statuses).
                "open": list(OPEN_STATUSES),
                "today": today,
                "until": today + timedelta(days=window_days),
                "ids": commitment_ids or [],
            },
        )
        return sorted(row[0] for row in cursor.fetchall())


_ONCE_PER_PARTY_DEADLINE = f"""
    ON CONFLICT (party_id, last_day) WHERE kind = '{AlertKind.PARTY_OVERDUE.value}'
    DO NOTHING"""


def _alerts_insert_party_overdue(
    *, today: date, commitment_ids: list[int] | None, created_at: datetime
) -> list[int]:
    """One party_overdue alert per acting party whose own part is still open after its
    commitment's deadline, once per deadline; returns the commitments alerted now. The open
    parts are the partial index party_open_part_idx."""
    only = "" if commitment_ids is None else "AND c.id = ANY(%(ids)s)"
    alert_table = Alert._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {alert_table} (kind, commitment_id, party_id, last_day, created_at)
            SELECT %(kind)s::varchar, c.id, p.id, c.deadline_last_day, %(created_at)s
              FROM {Party._meta.db_table} p
              JOIN {Commitment._meta.db_table} c ON c.id = p.commitment_id
             WHERE p.status = ANY(%(open)s)
               AND c.deadline_last_day < %(today)s
               {only}
               AND NOT EXISTS (
                   SELECT 1 FROM {alert_table} a
                    WHERE a.party_id = p.id
                      AND a.kind = %(kind)s
                      AND a.last_day = c.deadline_last_day
               )
             ORDER BY p.id
            {_ONCE_PER_PARTY_DEADLINE}
            RETURNING commitment_id
            """,
            {
                "kind": AlertKind.PARTY_OVERDUE.value,
                "created_at": created_at,
                "open": list(OPEN_STATUSES),
                "today": today,
                "ids": commitment_ids or [],
            },
        )
        return sorted({row[0] for row in cursor.fetchall()})


def deadlines_scan(
    *, today: date | None = None, commitment_ids: Iterable[int] | None = None
) -> ScanSummary:
    """Flag what became overdue, clear what no longer is, and alert on both kinds of news.

    `today` defaults to the date in TRACKER_TIME_ZONE; `commitment_ids` limits the scan to
    those commitments (the scan enqueued after one commitment's change). If another scan is
    running, this one does nothing and says it was skipped.
    """
    today = today or tracker_today()
    ids = None if commitment_ids is None else sorted(set(commitment_ids))
    started = time.monotonic()
    with transaction.atomic():
        if not _scan_lock_try():
            logger.info("deadlines scan skipped: another scan holds the lock")
            return ScanSummary(today=today, skipped=True)
        _scan_statement_timeout_raise()
        flags = commitments_refresh_overdue_flags(today=today, commitment_ids=ids)
        stale = commitments_refresh_stale_flags(today=today, commitment_ids=ids)
        created_at = _alert_inserts_lock()
        overdue_alerts = _alerts_insert_overdue(
            became_overdue=flags.became_overdue, created_at=created_at
        )
        stale_alerts = _alerts_insert_overdue(
            became_overdue=stale.became_stale,
            created_at=created_at,
            kind=AlertKind.EVIDENCE_STALE.value,
        )
        party_overdue = _alerts_insert_party_overdue(
            today=today, commitment_ids=ids, created_at=created_at
        )
        due_soon = _alerts_insert_due_soon(
            today=today,
            window_days=settings.TRACKER_DUE_SOON_DAYS,
            commitment_ids=ids,
            created_at=created_at,
        )
        if flags.became_overdue or flags.cleared or stale.became_stale or stale.cleared:
            transaction.on_commit(stats_cache_invalidate)
        if overdue_alerts or due_soon or stale_alerts or party_overdue:
            transaction.on_commit(alerts_recorded_announce)
    summary = ScanSummary(
        today=today,
        became_overdue=sorted(commitment_id for commitment_id, _ in flags.became_overdue),
        no_longer_overdue=sorted(flags.cleared),
        due_soon=due_soon,
        became_stale=[commitment_id for commitment_id, _ in stale.became_stale],
        no_longer_stale=stale.cleared,
        party_overdue=party_overdue,
        alerts_created=overdue_alerts + len(due_soon) + stale_alerts + len(party_overdue),
    )
    if summary.changed:
        logger.info("deadlines scan: %s", summary.counts())
    if ids is None:
        _scan_run_record(duration_seconds=time.monotonic() - started)
    return summary


def _scan_run_record(*, duration_seconds: float) -> None:
    """Note a whole scan's end for the metrics (`tracker_deadlines_scan_last_success_...`);
    a Redis that cannot be reached loses only the note."""
    run = {"finished_at": time.time(), "duration_seconds": duration_seconds}
    try:
        cache.set(SCAN_LAST_RUN_KEY, run, timeout=None)
    except RedisError:
        logger.warning("could not note the deadline scan's end for the metrics")


def alerts_record_overdue(
    *, became_overdue: list[tuple[int, date]], kind: str = AlertKind.OVERDUE.value
) -> None:
    """The overdue (or evidence_stale) alerts of commitments flagged outside the scan (a
    deadline set in the past, an old first citation: commitments.services), in the transaction
    that flagged them, as the scan records its own."""
    if not became_overdue:
        return
    inserted = _alerts_insert_overdue(
        became_overdue=became_overdue, created_at=_alert_inserts_lock(), kind=kind
    )
    if inserted:
        transaction.on_commit(alerts_recorded_announce)


def alert_record_status_change(*, status_change: StatusChange) -> None:
    """Record the status_changed alert. Called inside the transaction that recorded the change,
    so that the alert exists if and only if the change does."""
    created_at = _alert_inserts_lock()
    Alert.objects.bulk_create(
        [
            Alert(
                kind=AlertKind.STATUS_CHANGED,
                commitment_id=status_change.commitment_id,
                status_change=status_change,
                created_at=created_at,
            )
        ],
        # INSERT ... ON CONFLICT DO NOTHING: the same change never alerts twice.
        ignore_conflicts=True,
    )
    transaction.on_commit(alerts_recorded_announce)


def alerts_record_source_check(*, link_check, kind: str) -> int:
    """A source_changed or source_gone alert on every commitment citing the checked source,
    in the transaction that recorded the check (archive.services); how many commitments."""
    commitment_ids = sorted(
        set(
            Citation.objects.filter(source_id=link_check.source_id).values_list(
                "commitment_id", flat=True
            )
        )
    )
    if not commitment_ids:
        return 0
    created_at = _alert_inserts_lock()
    Alert.objects.bulk_create(
        [
            Alert(kind=kind, commitment_id=i, source_check_id=link_check.pk, created_at=created_at)
            for i in commitment_ids
        ],
        ignore_conflicts=True,
    )
    transaction.on_commit(alerts_recorded_announce)
    return len(commitment_ids)


def alerts_recorded_announce() -> None:
    """Tell the apps built on the tracker (webhooks) that alerts were committed."""
    alerts_recorded.send(sender=Alert)


def stats_cache_invalidate() -> None:
    """Make the next stats request count afresh: move the generation in the cache keys on.

    Called once a change commits (a scan that changed flags, a commitment saved). A Redis
    that cannot be reached is logged: the cached counts expire by themselves.
    """
    try:
        if not cache.add(STATS_GENERATION_KEY, 1, timeout=None):
            cache.incr(STATS_GENERATION_KEY)
    except (RedisError, ValueError):  # ValueError: the key expired between add and incr
        logger.warning("could not renew the cached stats; they expire by themselves")
