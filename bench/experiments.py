"""Candidate fixes, measured before anyone changes the code they would change.

`python -m bench --experiments NAME[,NAME]` starts a third server, the app with these patches
applied in each worker, and measures it beside the app and the baseline. Each patch is the
smallest change that shows the effect of one recommendation in bench/README.md; none of them
is meant to be copied as it is.

    no_health_check    CONN_HEALTH_CHECKS off: no `SELECT 1` before each request's first query
    throttle_one_rtt   the throttle's counter in one Redis round trip (INCR + EXPIRE NX in a
                       pipeline) instead of three (SET NX, EXISTS, INCRBY)
    serializer_fast    CommitmentSerializer.to_representation written by hand, same output
    csv_values         the CSV export from one query of plain values (parties and source ids
                       aggregated by PostgreSQL), no model instances and no prefetch
    scan_only_what_changed   (scan) two partial indexes that hold only the rows a scan must
                       change, and the clearing UPDATE restated to use one of them
"""

from __future__ import annotations

import os
import time


def no_health_check() -> None:
    from django.db.backends.postgresql.base import DatabaseWrapper

    DatabaseWrapper.close_if_health_check_failed = lambda self: None


def throttle_one_rtt() -> None:
    from django.core.cache import cache
    from rest_framework.settings import api_settings

    from config.api import throttling

    def allow_request(self, request, view) -> bool:
        self._wait = None
        scope = self.get_scope(view)
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope) if scope else None
        ident = self.get_ident_for(request)
        if not rate or ident is None:
            return True
        allowed, window = throttling.parse_rate(rate)
        now = time.time()
        window_number = int(now // window)
        key = cache.make_and_validate_key(f"throttle:{scope}:{ident}:{window_number}")
        client = cache._cache.get_client(key, write=True)
        pipe = client.pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, window + 1, nx=True)
        count, _ = pipe.execute()
        if count <= allowed:
            return True
        self._wait = (window_number + 1) * window - now
        return False

    throttling.FixedWindowThrottle.allow_request = allow_request


def serializer_fast() -> None:
    from commitments.api.serializers import CommitmentSerializer

    def iso(value):
        return None if value is None else value.isoformat()

    def when(value):
        # DRF's DateTimeField: ISO 8601, UTC as "Z".
        if value is None:
            return None
        text = value.isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    def to_representation(self, c) -> dict:
        return {
            "id": c.id,
            "reference": c.reference,
            "title": c.title,
            "description": c.description,
            "kind": c.kind,
            "status": c.status,
            "is_published": c.is_published,
            "deadline": None
            if c.deadline_last_day is None
            else {
                "text": c.deadline_text,
                "edtf": c.deadline_edtf,
                "first_day": iso(c.deadline_first_day),
                "last_day": iso(c.deadline_last_day),
            },
            "is_overdue": c.is_overdue,
            "overdue_since": iso(c.overdue_since),
            "recurring": c.recurring,
            "parent": c.parent_id,
            "tags": list(c.tags),
            "announced_on": iso(c.announced_on),
            "parties": [
                {
                    "actor": {
                        "id": p.actor.id,
                        "slug": p.actor.slug,
                        "name": p.actor.name,
                        "kind": p.actor.kind,
                    },
                    "role": p.role,
                }
                for p in c.parties.all()
            ],
            "citations": [
                {
                    "id": ci.id,
                    "source": {
                        "id": ci.source.id,
                        "title": ci.source.title,
                        "publisher": ci.source.publisher,
                    },
                    "quote": ci.quote,
                    "note": ci.note,
                    "created_at": when(ci.created_at),
                }
                for ci in c.citations.all()
            ],
            "version": c.version,
            "created_at": when(c.created_at),
            "updated_at": when(c.updated_at),
        }

    CommitmentSerializer.to_representation = to_representation


def csv_values() -> None:
    from django.contrib.postgres.expressions import ArraySubquery
    from django.db.models import OuterRef, Value
    from django.db.models.functions import Concat

    from commitments.models import Citation, Commitment, Party
    from config.api import export, viewsets

    plain = [
        "id",
        "reference",
        "title",
        "description",
        "kind",
        "status",
        "is_published",
        "deadline_text",
        "deadline_edtf",
        "deadline_first_day",
        "deadline_last_day",
        "is_overdue",
        "overdue_since",
        "recurring",
        "parent_id",
        "tags",
        "announced_on",
    ]
    original = viewsets.csv_streaming_response

    def csv_streaming_response(queryset, columns, *, filename):
        if queryset.model is not Commitment:
            return original(queryset, columns, filename=filename)
        parties = ArraySubquery(
            Party.objects.filter(commitment_id=OuterRef("pk"))
            .order_by("role", "actor_id")
            .values(label=Concat("actor__slug", Value(" ("), "role", Value(")")))
        )
        sources = ArraySubquery(
            Citation.objects.filter(commitment_id=OuterRef("pk"))
            .order_by("source_id")
            .distinct()
            .values("source_id")
        )
        rows = (
            queryset.prefetch_related(None)
            .annotate(_parties=parties, _sources=sources)
            .values_list(*plain, "_parties", "_sources", "version", "created_at", "updated_at")
        )

        def lines():
            import csv

            writer = csv.writer(export._Echo())
            yield writer.writerow(list(columns)).encode("utf-8")
            cell = export.csv_cell
            for row in rows.iterator(chunk_size=2000):
                yield writer.writerow(
                    [cell(v) for v in row[:17]]
                    + ["; ".join(row[17]), "; ".join(map(str, row[18]))]
                    + [cell(v) for v in row[19:]]
                ).encode("utf-8")

        from django.http import StreamingHttpResponse

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    viewsets.csv_streaming_response = csv_streaming_response


# The partial indexes `scan_only_what_changed` needs: each holds only the rows a scan must
# change, so a scan with nothing to do reads two empty index ranges. Created by the bench in
# its own scan database for the experiment, dropped after.
SCAN_INDEXES = {
    "bench_overdue_pending_idx": """
        CREATE INDEX IF NOT EXISTS bench_overdue_pending_idx
            ON commitments_commitment (deadline_last_day)
         WHERE deadline_last_day IS NOT NULL
           AND status IN ('proposed', 'adopted', 'in_progress', 'stalled')
           AND overdue_since IS DISTINCT FROM deadline_last_day + 1
    """,
    "bench_overdue_stale_idx": """
        CREATE INDEX IF NOT EXISTS bench_overdue_stale_idx ON commitments_commitment (id)
         WHERE is_overdue
           AND (status IN ('completed', 'partially_completed', 'abandoned')
                OR deadline_last_day IS NULL OR deadline_last_day >= overdue_since)
    """,
}


def scan_only_what_changed() -> None:
    """commitments_refresh_overdue_flags with the clearing UPDATE restated so that it matches
    bench_overdue_stale_idx: a flagged row can need clearing only if its status became final,
    its deadline was removed, or its deadline moved to on or after the day it was flagged.
    The flagging UPDATE is unchanged (bench_overdue_pending_idx matches it as it is)."""
    from django.db import connection

    import tracker.services
    from commitments import services
    from commitments.choices import FINAL_STATUSES, OPEN_STATUSES
    from commitments.models import Commitment

    def refresh(*, today, commitment_ids=None):
        table = Commitment._meta.db_table
        only = "" if commitment_ids is None else "AND id = ANY(%(ids)s)"
        params = {
            "today": today,
            "open": list(OPEN_STATUSES),
            "final": list(FINAL_STATUSES),
            "ids": list(commitment_ids or []),
        }
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                UPDATE {table}
                   SET is_overdue = TRUE, overdue_since = deadline_last_day + 1,
                       version = version + 1
                 WHERE status = ANY(%(open)s)
                   AND deadline_last_day < %(today)s
                   AND overdue_since IS DISTINCT FROM deadline_last_day + 1
                   {only}
                RETURNING id, deadline_last_day
                """,
                params,
            )
            became_overdue = [(row[0], row[1]) for row in cursor.fetchall()]
            cursor.execute(
                f"""
                UPDATE {table}
                   SET is_overdue = FALSE, overdue_since = NULL, version = version + 1
                 WHERE is_overdue
                   AND (status IN ('completed', 'partially_completed', 'abandoned')
                        OR deadline_last_day IS NULL OR deadline_last_day >= overdue_since)
                   AND (status = ANY(%(final)s)
                        OR deadline_last_day IS NULL
                        OR deadline_last_day >= %(today)s)
                   {only}
                RETURNING id
                """,
                params,
            )
            cleared = [row[0] for row in cursor.fetchall()]
        return services.OverdueFlagChanges(became_overdue=became_overdue, cleared=cleared)

    services.commitments_refresh_overdue_flags = refresh
    tracker.services.commitments_refresh_overdue_flags = refresh


EXPERIMENTS = {
    "scan_only_what_changed": scan_only_what_changed,
    "no_health_check": no_health_check,
    "throttle_one_rtt": throttle_one_rtt,
    "serializer_fast": serializer_fast,
    "csv_values": csv_values,
}


def apply(names: list[str]) -> None:
    for name in names:
        EXPERIMENTS[name]()


_app = None


def application(environ, start_response):
    """The app's WSGI application with BENCH_EXPERIMENTS applied (gunicorn's entry point)."""
    global _app
    if _app is None:
        from django.core.wsgi import get_wsgi_application

        _app = get_wsgi_application()  # django.setup(), then the patches
        apply([n for n in os.environ.get("BENCH_EXPERIMENTS", "").split(",") if n])
    return _app(environ, start_response)
