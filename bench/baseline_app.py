"""The baseline: what this stack can do with no framework at all.

A bare WSGI application, psycopg 3 with a connection pool, and one SQL statement per answer
that builds the whole JSON body in PostgreSQL (json_build_object / json_agg) — the shape of a
PostgREST-style server. It answers the same URLs as the API, with the same fields, filters,
visibility rule (published only) and validators (ETag, 304), so that the ratio between the
two is the cost of everything Django, DRF and our code add.

What must be the app's exactly comes from the app, through the environment, because this
module imports no Django: the harness (bench/run.py) computes it in a Django child process and
sets

- BENCH_BASELINE_COMMITMENT_JSON_SQL: one commitment's JSON, the SQL that
  `commitments.selectors.commitment_json_sql("c")` generates from the API serializer (so the
  list and the detail write what the app's own query writes);
- BENCH_BASELINE_STATUSES_JSON: the status vocabulary's data, as the API serializes it,
  encoded once at import and sent as it is (`/api/v1/statuses/`, the floor: no query).

Run under gunicorn with the app's own settings, those two variables and the database's:

    BENCH_BASELINE_DSN=postgresql://... gunicorn bench.baseline_app:application
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from datetime import datetime
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from psycopg_pool import ConnectionPool

OPEN_STATUSES = ["proposed", "adopted", "in_progress", "stalled"]
MAX_PAGE_SIZE = 200
TIME_ZONE = os.environ.get("TRACKER_TIME_ZONE", "Asia/Ashgabat")

_pool: ConnectionPool | None = None


def pool() -> ConnectionPool:
    # Made on first use, in the worker process: a pool must not cross gunicorn's fork.
    global _pool
    if _pool is None:
        size = int(os.environ.get("BENCH_BASELINE_POOL", "4"))
        _pool = ConnectionPool(
            os.environ["BENCH_BASELINE_DSN"], min_size=1, max_size=size, open=True
        )
    return _pool


def fetch_one(sql: str, params: dict) -> tuple | None:
    with pool().connection() as conn:
        return conn.execute(sql, params, prepare=True).fetchone()


def _from_harness(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise RuntimeError(
            f"{name} is not set: the baseline takes it from the harness, which computes it "
            "with the app's code (python -m bench sets it; see this module's docstring)"
        )
    return value


# --- representations, in SQL --------------------------------------------------------------------

# One commitment as the API represents it, a `json` value for the commitments_commitment row
# aliased `c`: the app's generated SQL, so the two answers cannot drift apart.
COMMITMENT_JSON = _from_harness("BENCH_BASELINE_COMMITMENT_JSON_SQL")

# A page of the list: keyset on id, filters bound as NULL when absent.
LIST_SQL = f"""
WITH page AS (
    SELECT c.*
      FROM commitments_commitment c
     WHERE c.is_published
       AND c.id > %(after)s
       AND (%(status)s::text[] IS NULL OR c.status = ANY(%(status)s::text[]))
       AND (%(kind)s::text IS NULL OR c.kind = %(kind)s::text)
       AND (%(tag)s::text IS NULL OR c.tags @> ARRAY[%(tag)s::text]::varchar[])
       AND (%(overdue)s::boolean IS NULL OR c.is_overdue = %(overdue)s::boolean)
     ORDER BY c.id
     LIMIT %(limit)s + 1
), shown AS (
    SELECT * FROM page ORDER BY id LIMIT %(limit)s
)
SELECT json_build_object(
           'next', CASE WHEN (SELECT count(*) FROM page) > %(limit)s
                        THEN (SELECT max(id) FROM shown) END,
           'previous', NULL,
           'results', coalesce((SELECT json_agg(({COMMITMENT_JSON}) ORDER BY c.id)
                                  FROM shown c), '[]'))::text
"""

DETAIL_SQL = f"""
SELECT ({COMMITMENT_JSON})::text, c.version
  FROM commitments_commitment c
 WHERE c.id = %(id)s AND c.is_published
"""

# The alerts feed: the page after the cursor, its validator (md5 of "id:version" over the
# page, as the API computes it) and, on a 200, the body.
_FEED_PAGE = """
    SELECT al.id, al.kind, al.last_day, al.created_at, al.status_change_id,
           c.id AS c_id, c.reference, c.title, c.version
      FROM tracker_alert al JOIN commitments_commitment c ON c.id = al.commitment_id
     WHERE c.is_published AND al.id > %(after)s
     ORDER BY al.id
     LIMIT %(limit)s + 1
"""
FEED_DIGEST_SQL = f"""
SELECT md5(coalesce(string_agg(page.id || ':' || page.version, ',' ORDER BY page.id), ''))
  FROM ({_FEED_PAGE}) AS page
"""
FEED_SQL = f"""
WITH page AS ({_FEED_PAGE}), shown AS (SELECT * FROM page ORDER BY id LIMIT %(limit)s)
SELECT (SELECT md5(coalesce(string_agg(id || ':' || version, ',' ORDER BY id), '')) FROM page),
       json_build_object(
           'next', coalesce((SELECT max(id) FROM shown), %(after)s),
           'has_more', (SELECT count(*) FROM page) > %(limit)s,
           'results', coalesce((
               SELECT json_agg(json_build_object(
                          'id', a.id, 'kind', a.kind,
                          'commitment', json_build_object('id', a.c_id,
                                                          'reference', a.reference,
                                                          'title', a.title),
                          'last_day', a.last_day,
                          'status_change', CASE WHEN a.status_change_id IS NULL THEN NULL
                               ELSE (SELECT json_build_object('id', sc.id,
                                        'old_status', sc.old_status,
                                        'new_status', sc.new_status,
                                        'effective_on', sc.effective_on)
                                       FROM commitments_statuschange sc
                                      WHERE sc.id = a.status_change_id) END,
                          'created_at', a.created_at) ORDER BY a.id)
                 FROM shown a), '[]'))::text
"""

STATS_SQL = """
SELECT json_build_object(
    'today', %(today)s::date, 'time_zone', %(tz)s::text,
    'total', count(*),
    'by_status', json_build_object(
        'proposed', count(*) FILTER (WHERE status = 'proposed'),
        'adopted', count(*) FILTER (WHERE status = 'adopted'),
        'in_progress', count(*) FILTER (WHERE status = 'in_progress'),
        'stalled', count(*) FILTER (WHERE status = 'stalled'),
        'completed', count(*) FILTER (WHERE status = 'completed'),
        'partially_completed', count(*) FILTER (WHERE status = 'partially_completed'),
        'abandoned', count(*) FILTER (WHERE status = 'abandoned')),
    'overdue', count(*) FILTER (WHERE is_overdue),
    'due_within_30_days', count(*) FILTER (WHERE status = ANY(%(open)s)
        AND deadline_last_day BETWEEN %(today)s::date AND %(today)s::date + 30),
    'due_within_90_days', count(*) FILTER (WHERE status = ANY(%(open)s)
        AND deadline_last_day BETWEEN %(today)s::date AND %(today)s::date + 90),
    'by_tag', (SELECT coalesce(json_agg(json_build_object(
                          'tag', tag, 'total', total, 'overdue', overdue) ORDER BY tag), '[]')
                 FROM (SELECT tag, count(*) AS total, count(*) FILTER (WHERE c.is_overdue)
                                                   AS overdue
                         FROM commitments_commitment c, unnest(c.tags) AS tag
                        WHERE c.is_published GROUP BY tag) AS t))::text
  FROM commitments_commitment
 WHERE is_published
"""


# --- the status vocabulary: no query ----------------------------------------------------------

# Encoded once, as DRF's JSON renderer encodes it: the floor is the cost of answering, nothing
# else.
STATUSES_BODY = json.dumps(
    json.loads(_from_harness("BENCH_BASELINE_STATUSES_JSON")),
    ensure_ascii=False,
    separators=(",", ":"),
).encode()


# --- the WSGI application ---------------------------------------------------------------------

DETAIL = re.compile(r"^/api/v1/commitments/(\d+)/$")
JSON_TYPE = ("Content-Type", "application/json")


def _respond(start_response, status: str, body: bytes = b"", headers=()) -> list[bytes]:
    start_response(
        status, [*headers, ("Content-Length", str(len(body))), *([JSON_TYPE] if body else [])]
    )
    return [body]


def _problem(start_response, status: str, detail: str) -> list[bytes]:
    return _respond(start_response, status, json.dumps({"detail": detail}).encode())


def _int(params: dict, name: str, default: int) -> int:
    values = params.get(name)
    return int(values[0]) if values else default


def _etag(*parts: object) -> str:
    return '"' + hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32] + '"'


def commitment_list(params: dict, start_response) -> list[bytes]:
    limit = min(_int(params, "page_size", 50), MAX_PAGE_SIZE)
    statuses = [s for value in params.get("status", []) for s in value.split(",") if s]
    overdue = params.get("overdue", [None])[0]
    row = fetch_one(
        LIST_SQL,
        {
            "after": _int(params, "after", 0),
            "limit": limit,
            "status": statuses or None,
            "kind": params.get("kind", [None])[0],
            "tag": params.get("tag", [None])[0],
            "overdue": None if overdue is None else overdue.lower() in ("true", "1", "yes"),
        },
    )
    return _respond(start_response, "200 OK", row[0].encode())


def commitment_detail(commitment_id: int, environ, start_response) -> list[bytes]:
    row = fetch_one(DETAIL_SQL, {"id": commitment_id})
    if row is None:
        return _problem(start_response, "404 Not Found", "Not found.")
    etag = _etag("commitment/1", row[1], commitment_id)
    if environ.get("HTTP_IF_NONE_MATCH") == etag:
        return _respond(start_response, "304 Not Modified", headers=[("ETag", etag)])
    return _respond(start_response, "200 OK", row[0].encode(), [("ETag", etag)])


def alerts_feed(params: dict, environ, start_response) -> list[bytes]:
    query = {"after": _int(params, "after", 0), "limit": min(_int(params, "limit", 100), 500)}
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match:
        # The poll that brings nothing new: one statement for the validator, no body.
        digest = fetch_one(FEED_DIGEST_SQL, query)[0]
        etag = _etag("alerts/1", "json", digest)
        if if_none_match == etag:
            return _respond(start_response, "304 Not Modified", headers=[("ETag", etag)])
    digest, body = fetch_one(FEED_SQL, query)
    etag = _etag("alerts/1", "json", digest)
    return _respond(start_response, "200 OK", body.encode(), [("ETag", etag)])


def stats(start_response) -> list[bytes]:
    today = datetime.now(ZoneInfo(TIME_ZONE)).date()
    row = fetch_one(STATS_SQL, {"today": today, "tz": TIME_ZONE, "open": OPEN_STATUSES})
    return _respond(start_response, "200 OK", row[0].encode())


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    params = parse_qs(environ.get("QUERY_STRING", ""))
    params.pop("format", None)
    try:
        if path == "/api/v1/statuses/":
            return _respond(start_response, "200 OK", STATUSES_BODY)
        if path == "/api/v1/commitments/":
            return commitment_list(params, start_response)
        match = DETAIL.match(path)
        if match:
            return commitment_detail(int(match[1]), environ, start_response)
        if path == "/api/v1/alerts/":
            return alerts_feed(params, environ, start_response)
        if path == "/api/v1/stats/":
            return stats(start_response)
        if path == "/health/":
            return _respond(start_response, "200 OK", b'{"status": "ok"}')
    except ValueError as error:
        return _problem(start_response, "400 Bad Request", str(error))
    return _problem(start_response, "404 Not Found", "Not found.")
