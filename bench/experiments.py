"""Candidate fixes, measured before anyone changes the code they would change.

`python -m bench --experiments NAME[,NAME]` starts a third server, the app with these patches
applied in each worker, and measures it beside the app and the baseline. Each patch is the
smallest change that shows the effect of one recommendation in bench/README.md; none of them
is meant to be copied as it is.

    no_health_check    CONN_HEALTH_CHECKS off: no `SELECT 1` before each request's first query
    throttle_one_rtt   the throttle's counter in one Redis round trip (INCR + EXPIRE NX in a
                       pipeline) instead of three (SET NX, EXISTS, INCRBY)
    serializer_fast    CommitmentSerializer.to_representation written by hand, same output
    json_in_sql        list and detail bodies built by PostgreSQL (the baseline's SQL) inside the
                       app's views, after DRF's authentication, throttling, filters, pagination
    csv_values         the CSV export from one query of plain values (parties and source ids
                       aggregated by PostgreSQL), no model instances and no prefetch
    scan_expression_keys   (scan) migration 0004's partial indexes keyed on
                       `deadline_last_day + 1`, and the scan's range conditions written on
                       that expression, so that the planner cannot pick another index
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


def json_in_sql() -> None:
    """The commitment list and detail built as JSON by PostgreSQL (the baseline's SQL) inside
    the app's own views: DRF still authenticates, throttles, filters and paginates (the page
    is read as ids only), then one statement returns the page's JSON. Same fields, values and
    ETag; whitespace differs, which no JSON client sees."""
    import json

    from django.db import connection
    from django.http import HttpResponse

    from bench.baseline_app import COMMITMENT_JSON
    from commitments.api import views
    from config.api.pagination import order_keys

    # DRF's datetime format (UTC as "Z") rather than PostgreSQL's "+00:00".
    def utc(column: str) -> str:
        return f"""to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""

    representation = (
        COMMITMENT_JSON.replace(
            "'created_at', ci.created_at", f"'created_at', {utc('ci.created_at')}"
        )
        .replace("'created_at', c.created_at", f"'created_at', {utc('c.created_at')}")
        .replace("'updated_at', c.updated_at", f"'updated_at', {utc('c.updated_at')}")
    )
    page_sql = f"""
        SELECT coalesce(json_agg({representation} ORDER BY array_position(%s, c.id)), '[]')::text
          FROM commitments_commitment c WHERE c.id = ANY(%s)
    """
    detail_sql = f"""
        SELECT {representation}::text, c.version,
               (SELECT max(t) FROM (
                    SELECT a.updated_at AS t FROM commitments_party p
                      JOIN commitments_actor a ON a.id = p.actor_id WHERE p.commitment_id = c.id
                    UNION ALL
                    SELECT s.updated_at FROM commitments_citation ci
                      JOIN sources_source s ON s.id = ci.source_id
                     WHERE ci.commitment_id = c.id) AS nested)
          FROM commitments_commitment c WHERE c.id = %s AND c.id IN ({{visible}})
    """
    original_list = views.CommitmentViewSet.list

    def list_(self, request, *args, **kwargs):
        if getattr(request.accepted_renderer, "format", None) != "json":
            return original_list(self, request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        keys = {key.field for key in order_keys(queryset)}
        rows = self.paginate_queryset(queryset.prefetch_related(None).only(*keys))
        ids = [row.id for row in rows]
        with connection.cursor() as cursor:
            cursor.execute(page_sql, [ids, ids])
            results = cursor.fetchone()[0]
        body = (
            f'{{"next":{json.dumps(self.paginator.next_link)},'
            f'"previous":{json.dumps(self.paginator.previous_link)},"results":{results}}}'
        )
        return HttpResponse(body, content_type="application/json")

    def retrieve(self, request, *args, **kwargs):
        if getattr(request.accepted_renderer, "format", None) != "json":
            return views.CommitmentViewSet._bench_original_retrieve(self, request, *args, **kwargs)
        from django.http import Http404

        try:
            pk = int(self.kwargs["pk"])
        except ValueError:
            raise Http404 from None
        visible, params = (
            self.get_queryset().prefetch_related(None).values("id").query.sql_with_params()
        )
        with connection.cursor() as cursor:
            cursor.execute(detail_sql.format(visible=visible), [pk, *params])
            row = cursor.fetchone()
        if row is None:
            raise Http404
        body, version, latest = row
        etag = views.etag_for("commitment", pk, version, latest.isoformat() if latest else "")
        if views.if_none_match_hits(request, etag):
            return views.not_modified(etag)
        response = HttpResponse(body, content_type="application/json")
        response["ETag"] = etag
        return response

    views.CommitmentViewSet._bench_original_retrieve = views.CommitmentViewSet.retrieve
    views.CommitmentViewSet.list = list_
    views.CommitmentViewSet.retrieve = retrieve


# The indexes `scan_expression_keys` needs. Migration 0004's partial indexes hold the right
# rows, but they are keyed on deadline_last_day like two other indexes whose estimates look
# as cheap, and PostgreSQL picks one of those (it cannot know the partial index's range is
# empty). Keyed on an expression only the scan writes, they are the one index that can
# serve the scan's range, so the planner always takes them.
SCAN_EXPRESSION_INDEXES = {
    "bench_not_overdue_day1_idx": """
        CREATE INDEX IF NOT EXISTS bench_not_overdue_day1_idx
            ON commitments_commitment ((deadline_last_day + 1))
         WHERE deadline_last_day IS NOT NULL AND NOT is_overdue
           AND status IN ('proposed', 'adopted', 'in_progress', 'stalled')
    """,
    "bench_overdue_day1_idx": """
        CREATE INDEX IF NOT EXISTS bench_overdue_day1_idx
            ON commitments_commitment ((deadline_last_day + 1))
         WHERE deadline_last_day IS NOT NULL AND is_overdue
    """,
}


def scan_expression_keys() -> None:
    """commitments_refresh_overdue_flags as it is (three UPDATEs), with the first and the third
    comparing `deadline_last_day + 1` with today (the same rows: a day's successor is at most
    today exactly when the day is before today), so that SCAN_EXPRESSION_INDEXES serve them."""
    import inspect
    import textwrap

    import tracker.services
    from commitments import services

    source = textwrap.dedent(inspect.getsource(services.commitments_refresh_overdue_flags))
    restated = source.replace(
        "AND deadline_last_day < %(today)s\n", "AND deadline_last_day + 1 <= %(today)s\n"
    ).replace("AND deadline_last_day >= %(today)s\n", "AND deadline_last_day + 1 > %(today)s\n")
    if (
        restated.count("deadline_last_day + 1 <= %(today)s") != 1
        or restated.count("deadline_last_day + 1 > %(today)s") != 1
    ):
        raise RuntimeError("commitments_refresh_overdue_flags changed: update this experiment")
    namespace = dict(vars(services))
    exec(compile(restated, services.__file__, "exec"), namespace)
    refresh = namespace["commitments_refresh_overdue_flags"]
    services.commitments_refresh_overdue_flags = refresh
    tracker.services.commitments_refresh_overdue_flags = refresh


EXPERIMENTS = {
    "json_in_sql": json_in_sql,
    "scan_expression_keys": scan_expression_keys,
    "no_health_check": no_health_check,
    "throttle_one_rtt": throttle_one_rtt,
    "serializer_fast": serializer_fast,
    "csv_values": csv_values,
}


# Scan experiments: the indexes each needs, made in the bench's scan database for its round.
SCAN_EXPERIMENTS = {
    "scan_expression_keys": SCAN_EXPRESSION_INDEXES,
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
