"""What the bench asks of the project's own code, each in a fresh child process.

    python -m bench.django_child probe      which scenarios the URL map and imports offer
    python -m bench.django_child baseline   what the baseline serves as the app does (its SQL)
    python -m bench.django_child prepare    one real deadline scan of the API dataset (alerts)
    python -m bench.django_child scan       the real deadline scan, timed, then idle re-scans
    python -m bench.django_child idle       idle re-scans only (of data already scanned)
    python -m bench.django_child stale DAY  the stale-evidence flag's UPDATE alone for DAY,
                                            timed, then idle re-scans
    python -m bench.django_child stale_idle DAY   its idle re-scans only
    python -m bench.django_child english    the generated data's English columns, from the
                                            original ones (django-modeltranslation's command)

The harness sets the environment (production settings, the bench's database and Redis).
Each command prints one JSON object as its last line of standard output. A child process per
scan, so that its peak memory (ru_maxrss) is the scan's and nothing else's.
"""

from __future__ import annotations

import json
import resource
import sys
import time


def _setup() -> None:
    import os

    import django

    django.setup()
    names = [n for n in os.environ.get("BENCH_EXPERIMENTS", "").split(",") if n]
    if names:
        from bench.experiments import apply

        apply(names)


def _rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def probe() -> dict:
    """Scenarios that exist: URLs that resolve, services that import."""
    _setup()
    from django.urls import Resolver404, resolve

    def resolves(path: str) -> bool:
        try:
            resolve(path)
        except Resolver404:
            return False
        return True

    found = {
        "commitment_list": resolves("/api/v1/commitments/"),
        "commitment_detail": resolves("/api/v1/commitments/1/"),
        "alerts": resolves("/api/v1/alerts/"),
        "stats": resolves("/api/v1/stats/"),
        "statuses": resolves("/api/v1/statuses/"),
    }
    try:
        from tracker.services import deadlines_scan  # noqa: F401

        found["scan"] = True
    except ImportError:
        found["scan"] = False
    try:
        from django.conf import settings

        from commitments.services import commitments_refresh_stale_flags  # noqa: F401

        found["stale"] = {
            "stale_days": settings.TRACKER_EVIDENCE_STALE_DAYS,
            "grace_days": settings.TRACKER_EVIDENCE_GRACE_DAYS,
        }
    except (ImportError, AttributeError):
        found["stale"] = None
    try:
        from tracker.models import Alert

        found["alert_table"] = Alert._meta.db_table
    except ImportError:
        found["alert_table"] = None
    return found


def baseline() -> dict:
    """What bench/baseline_app.py must take from the app, which it cannot import: the SQL of
    one commitment's JSON for the row aliased `c` and the status vocabulary as the API
    serializes it. `error` says what is missing instead."""
    _setup()
    try:
        from commitments.selectors import commitment_json_sql
    except ImportError as error:
        return {"error": f"commitments.selectors.commitment_json_sql: {error}"}
    from commitments.api.serializers import StatusSerializer

    return {
        "commitment_json_sql": commitment_json_sql("c"),
        "statuses": StatusSerializer(StatusSerializer.vocabulary(), many=True).data,
    }


def prepare() -> dict:
    """Flag the API dataset's overdue commitments and record their alerts, as the clock would."""
    _setup()
    started = time.perf_counter()
    try:
        from tracker.services import deadlines_scan
    except ImportError:
        from commitments.selectors import tracker_today
        from commitments.services import commitments_refresh_overdue_flags

        changes = commitments_refresh_overdue_flags(today=tracker_today())
        return {
            "with": "commitments_refresh_overdue_flags",
            "flagged": len(changes.became_overdue),
            "seconds": time.perf_counter() - started,
        }
    summary = deadlines_scan()
    return {
        "with": "deadlines_scan",
        "flagged": len(summary.became_overdue),
        "alerts": summary.alerts_created,
        "seconds": time.perf_counter() - started,
    }


class _StatementTimer:
    """A connection.execute_wrapper adding up the time of the statements containing `marker`
    (their round trip, RETURNING rows included)."""

    def __init__(self, marker: str):
        self.marker = marker
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        if self.marker not in sql:
            return execute(sql, params, many, context)
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


# What tells commitments_refresh_stale_flags' UPDATE from the scan's other statements.
STALE_UPDATE_MARKER = "SET evidence_stale"


def scan(idle_repeats: int = 3) -> dict:
    """One full scan through the service, then `idle_repeats` scans with nothing to do. The
    full scan's stale-evidence UPDATE is also timed on its own (`stale_seconds`)."""
    _setup()
    import gc

    from django.db import connection

    from tracker.services import deadlines_scan

    connection.ensure_connection()  # not part of the scan's time
    gc.collect()
    rss_before = _rss_mb()
    stale_timer = _StatementTimer(STALE_UPDATE_MARKER)
    started = time.perf_counter()
    with connection.execute_wrapper(stale_timer):
        summary = deadlines_scan()
    seconds = time.perf_counter() - started
    full = {
        "seconds": seconds,
        "flagged": len(summary.became_overdue),
        "cleared": len(summary.no_longer_overdue),
        "stale_flagged": len(getattr(summary, "became_stale", [])),
        "stale_seconds": stale_timer.seconds,
        "alerts": summary.alerts_created,
        "skipped": summary.skipped,
    }
    del summary
    idle = []
    for _ in range(idle_repeats):
        started = time.perf_counter()
        again = deadlines_scan()
        idle.append(
            {
                "seconds": time.perf_counter() - started,
                "changed": again.changed,
                "skipped": again.skipped,
            }
        )
    return {
        "full": full,
        "idle": idle,
        "rss_before_mb": rss_before,
        "peak_rss_mb": _rss_mb(),
    }


def idle(repeats: int = 3) -> dict:
    """Scans with nothing to do, only (the data already scanned)."""
    _setup()
    from django.db import connection

    from tracker.services import deadlines_scan

    connection.ensure_connection()
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        again = deadlines_scan()
        runs.append({"seconds": time.perf_counter() - started, "changed": again.changed})
    return {"idle": runs, "peak_rss_mb": _rss_mb()}


def stale(day: str, idle_repeats: int = 3, *, full_scan: bool = True) -> dict:
    """commitments_refresh_stale_flags for `day` (ISO) alone, as the scan runs it (one
    transaction), then `idle_repeats` calls with nothing to do; without `full_scan`, the idle
    calls only."""
    _setup()
    import gc
    from datetime import date

    from django.db import connection, transaction

    from commitments.services import commitments_refresh_stale_flags

    today = date.fromisoformat(day)

    def refresh() -> tuple[float, object]:
        started = time.perf_counter()
        with transaction.atomic():
            changes = commitments_refresh_stale_flags(today=today)
        return time.perf_counter() - started, changes

    connection.ensure_connection()  # not part of the UPDATE's time
    gc.collect()
    result: dict = {}
    if full_scan:
        seconds, changes = refresh()
        result["full"] = {
            "seconds": seconds,
            "flagged": len(changes.became_stale),
            "cleared": len(changes.cleared),
        }
        del changes
    idle = []
    for _ in range(idle_repeats):
        seconds, changes = refresh()
        idle.append(
            {"seconds": seconds, "changed": len(changes.became_stale) + len(changes.cleared)}
        )
    result["idle"] = idle
    result["peak_rss_mb"] = _rss_mb()
    return result


def english() -> dict:
    """The generated rows fill the original columns (`title`); the API reads the English
    ones (`title_en`), which a service would have written."""
    _setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("update_translation_fields", verbosity=0)
    return {"seconds": time.perf_counter() - started}


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "probe":
        result = probe()
    elif command == "baseline":
        result = baseline()
    elif command == "prepare":
        result = prepare()
    elif command == "scan":
        result = scan()
    elif command == "english":
        result = english()
    elif command == "idle":
        result = idle()
    elif command in ("stale", "stale_idle") and len(argv) == 2:
        result = stale(argv[1], full_scan=command == "stale")
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
