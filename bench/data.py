"""The bench's data: generated in PostgreSQL itself (INSERT ... SELECT FROM generate_series).

Two databases of the bench's own, both migrated with `manage.py migrate`:

- the API dataset (`tracker_bench`): 5,000 actors, 20,000 sources, 100,000 commitments with
  two parties and two citations each (200,000 citations), every quote a sentence of its
  source's text;
- the scan dataset (`tracker_bench_scan`): 1,000,000 commitments, 12% of them open and past
  their deadline, most with a newest-evidence day (`last_evidence_on`), for the deadline
  scan's overdue and stale-evidence flags.

Rows obey the models' constraints: deadlines are whole (EDTF, words and both days, or none of
them), first day <= last day, search vectors are computed as the services compute them, and
statuses, kinds and roles come from the choices. Secondary indexes are dropped during the load
and rebuilt after (one sort per index instead of a million incremental inserts), and foreign
key triggers are off for the load session only (the rows are consistent by construction).

A marker table (`bench_dataset`) records what was generated, with which parameters; a run
that finds the same parameters reuses the data, so a re-run starts in seconds.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date

import psycopg

# Bump when the generated rows change shape: a marker with another version is regenerated.
GENERATOR_VERSION = 4
# The scan dataset's newest-evidence days (`last_evidence_on`, EVIDENCE_SQL): bump when they
# change, so that only that dataset is regenerated.
SCAN_EVIDENCE_VERSION = 1
# Reused data is regenerated when "today" has moved this far from the day it was made for,
# so that the share of past-due deadlines stays what the bench says it is.
MAX_DRIFT_DAYS = 14

OPEN_STATUSES = ("proposed", "adopted", "in_progress", "stalled")
FINAL_STATUSES = ("completed", "partially_completed", "abandoned")
KINDS = ("proposal", "programme", "event", "legislation", "agreement", "initiative")
SOURCE_KINDS = ("news_report", "official_statement", "legal_act", "ngo_report", "other")
ACTOR_KINDS = ("person", "government_body", "country", "international_organisation", "company")
TAGS = (
    "agriculture",
    "climate",
    "cyber-security",
    "digital",
    "education",
    "energy",
    "finance",
    "health",
    "trade",
    "transport",
    "water",
    "youth",
)
WORDS = (
    "national",
    "digital",
    "strategy",
    "regional",
    "cooperation",
    "broadband",
    "network",
    "cyber",
    "security",
    "training",
    "programme",
    "ministry",
    "foreign",
    "affairs",
    "economy",
    "renewable",
    "energy",
    "water",
    "management",
    "public",
    "health",
    "education",
    "reform",
    "customs",
    "transit",
    "corridor",
    "railway",
    "highway",
    "pipeline",
    "agreement",
    "memorandum",
    "partnership",
    "investment",
    "fund",
    "development",
    "bank",
    "summit",
    "forum",
    "dialogue",
    "capacity",
    "building",
    "data",
    "protection",
    "open",
    "government",
    "transparency",
    "anti",
    "corruption",
    "procurement",
    "budget",
    "audit",
    "parliament",
    "council",
    "commission",
    "agency",
    "initiative",
    "platform",
    "satellite",
    "connectivity",
    "logistics",
    "hub",
    "trade",
    "facilitation",
    "climate",
    "adaptation",
    "drought",
    "irrigation",
    "textile",
    "cotton",
    "gas",
    "export",
    "import",
    "tariff",
    "visa",
    "tourism",
    "youth",
    "employment",
)
SENTENCE_VERBS = (
    "agreed to",
    "pledged to",
    "announced plans to",
    "committed to",
    "proposed to",
    "undertook to",
)
SENTENCE_OBJECTS = (
    "complete",
    "launch",
    "fund",
    "review",
    "expand",
    "modernise",
)


@dataclass(frozen=True)
class Counts:
    actors: int
    sources: int
    commitments: int
    citations_per_commitment: int
    parties_per_commitment: int
    scan_commitments: int

    @classmethod
    def at_scale(cls, scale: float) -> Counts:
        def n(full: int) -> int:
            return max(10, round(full * scale))

        return cls(
            actors=n(5_000),
            sources=n(20_000),
            commitments=n(100_000),
            citations_per_commitment=2,
            parties_per_commitment=2,
            scan_commitments=n(1_000_000),
        )


# --- databases --------------------------------------------------------------------------------


def dsn(*, host: str, port: int, user: str, dbname: str) -> str:
    return f"postgresql://{user}@{host}:{port}/{dbname}"


def database_ensure(*, server_dsn: str, dbname: str) -> bool:
    """Create the database when missing; True when it was created."""
    with psycopg.connect(server_dsn, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone()
        if exists:
            return False
        conn.execute(f'CREATE DATABASE "{dbname}"')
        return True


def _marker_table(conn: psycopg.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE IF NOT EXISTS bench_dataset (
            name text PRIMARY KEY,
            params jsonb NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            seconds double precision NOT NULL
        )
        """
    )


def marker_get(conn: psycopg.Connection, name: str) -> dict | None:
    _marker_table(conn)
    row = conn.execute("SELECT params FROM bench_dataset WHERE name = %s", [name]).fetchone()
    return row[0] if row else None


def marker_set(conn: psycopg.Connection, name: str, params: dict, seconds: float) -> None:
    _marker_table(conn)
    conn.execute(
        """
        INSERT INTO bench_dataset (name, params, seconds) VALUES (%s, %s, %s)
        ON CONFLICT (name) DO UPDATE SET params = EXCLUDED.params, seconds = EXCLUDED.seconds,
                                         created_at = now()
        """,
        [name, json.dumps(params), seconds],
    )


def marker_clear(conn: psycopg.Connection, name: str) -> None:
    _marker_table(conn)
    conn.execute("DELETE FROM bench_dataset WHERE name = %s", [name])


def marker_is_reusable(found: dict | None, wanted: dict, today: date) -> bool:
    if not found:
        return False
    same = {k: v for k, v in found.items() if k != "today"} == {
        k: v for k, v in wanted.items() if k != "today"
    }
    made_for = date.fromisoformat(found.get("today", "1970-01-01"))
    return same and abs((today - made_for).days) <= MAX_DRIFT_DAYS


# --- SQL building blocks ------------------------------------------------------------------------


def _array(values: tuple[str, ...]) -> str:
    quoted = ", ".join("'" + v.replace("'", "''") + "'" for v in values)
    return f"ARRAY[{quoted}]::text[]"


def _functions(conn: psycopg.Connection) -> None:
    """Session-local helpers (pg_temp): a word, and the sentence j of source i's text.

    The sentence is a pure function of (i, j), so that a citation's quote is rebuilt exactly
    as it occurs in the source's text.
    """
    conn.execute(
        f"""
        CREATE OR REPLACE FUNCTION pg_temp.bench_word(k bigint) RETURNS text
        LANGUAGE sql IMMUTABLE AS $$
            SELECT ({_array(tuple(WORDS))})[1 + (k % {len(WORDS)})]
        $$
        """
    )
    conn.execute(
        f"""
        CREATE OR REPLACE FUNCTION pg_temp.bench_sentence(i bigint, j int) RETURNS text
        LANGUAGE sql IMMUTABLE AS $$
            SELECT format(
                'Section %s of document %s: the %s %s %s %s the %s %s %s by %s.',
                j, i,
                pg_temp.bench_word(i * 7 + j * 3), pg_temp.bench_word(i * 11 + j * 5),
                ({_array(SENTENCE_VERBS)})[1 + ((i + j) % {len(SENTENCE_VERBS)})],
                ({_array(SENTENCE_OBJECTS)})[1 + ((i * 3 + j) % {len(SENTENCE_OBJECTS)})],
                pg_temp.bench_word(i * 13 + j * 7), pg_temp.bench_word(i * 17 + j),
                pg_temp.bench_word(i + j * 19), 2020 + ((i + j) % 10))
        $$
        """
    )


def _secondary_indexes(conn: psycopg.Connection, tables: list[str]) -> list[tuple[str, str]]:
    """(name, definition) of the indexes not behind the primary key or a constraint."""
    return conn.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
          FROM pg_index i
          JOIN pg_class t ON t.oid = i.indrelid
         WHERE t.relname = ANY(%s)
           AND NOT i.indisprimary
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
         ORDER BY 1
        """,
        [tables],
    ).fetchall()


def _bulk_load(conn: psycopg.Connection, tables: list[str], load: Callable[[], None], log) -> None:
    """Empty the tables, run `load` with their secondary indexes and FK triggers off, rebuild."""
    # One transaction: DDL is transactional in PostgreSQL, so a load that fails half-way
    # leaves the tables, and their indexes, as they were.
    with conn.transaction():
        indexes = _secondary_indexes(conn, tables)
        conn.execute("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE")
        for name, _ in indexes:
            conn.execute(f"DROP INDEX {name}")
        # The rows are consistent by construction; checking 400,000 foreign keys one trigger
        # at a time would take longer than writing them.
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute("SET LOCAL synchronous_commit = off")
        load()
        conn.execute("SET LOCAL session_replication_role = DEFAULT")
        started = time.perf_counter()
        conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in indexes:
            conn.execute(definition)
        log(f"rebuilt {len(indexes)} secondary indexes in {time.perf_counter() - started:.1f}s")
        for table in tables:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"GREATEST((SELECT max(id) FROM {table}), 1))"
            )


# The newest evidence's day, from random columns no other value reads whole (the fractional
# parts of r_gran * 4 and r_status * 84, independent of the granularity and of the status
# picked from 4, 3 or 7): none for 8 rows in 100; of the others, 80% within the last year and
# 20% one to three years old. About one open row in five is stale: evidence over a year old,
# or none (or none newer than the deadline) a month after the deadline.
EVIDENCE_SQL = """
CASE WHEN r_gran * 4 - floor(r_gran * 4) < 0.08 THEN NULL
     WHEN r_status * 84 - floor(r_status * 84) < 0.8
     THEN %(today)s::date - floor((r_status * 84 - floor(r_status * 84)) / 0.8 * 365)::int
     ELSE %(today)s::date - 365
          - floor((r_status * 84 - floor(r_status * 84) - 0.8) / 0.2 * 730)::int END
"""


def _commitments_sql(*, short: bool, evidence: bool = False) -> str:
    """INSERT n commitments: %(n)s rows, `today` = %(today)s (the tracker's time zone).

    Of every 100 rows: 12 open and past due (what the scan flags), 3 final and past due,
    15 without a deadline, 70 due later (80% of them open). Deadlines are a day, a month, a
    year or a span of three years, stated in words as a source would state them. With
    `evidence`, a newest-evidence day (EVIDENCE_SQL); without, none (as before any citation).
    """
    # The scan's million rows have no description: to_tsvector's stemming is most of the cost
    # of a row, and the scan never reads text.
    kinds, tags = f"({_array(KINDS)})", f"({_array(TAGS)})"
    open_, final = f"({_array(OPEN_STATUSES)})", f"({_array(FINAL_STATUSES)})"
    every = f"({_array(OPEN_STATUSES + FINAL_STATUSES)})"
    last_evidence = EVIDENCE_SQL.strip() if evidence else "NULL::date"
    description = (
        "''"
        if short
        else "title || '. ' || initcap(pg_temp.bench_sentence(i, 1)) || ' ' || "
        "pg_temp.bench_sentence(i + 7, 2) || ' ' || pg_temp.bench_sentence(i + 13, 3)"
    )
    return f"""
    INSERT INTO commitments_commitment (
        id, reference, title, description, kind, status,
        deadline_text, deadline_edtf, deadline_first_day, deadline_last_day,
        recurring, tags, announced_on, is_published, is_overdue, overdue_since, version,
        search_vector, created_at, updated_at, parent_id, last_evidence_on)
    SELECT i, reference, title, description, kind, status,
           dl_text, dl_edtf, dl_first, dl_last,
           recurring, tags, announced_on, TRUE, FALSE, NULL, 1,
           -- as commitments.services._search_vector computes it
           setweight(to_tsvector('simple'::regconfig, reference), 'A')
             || setweight(to_tsvector('english'::regconfig, title), 'A')
             || setweight(to_tsvector('english'::regconfig, description), 'B')
             || setweight(to_tsvector('english'::regconfig, dl_text), 'C'),
           created_at, created_at, parent_id, last_evidence_on
      FROM (
        SELECT i, reference, title, {description} AS description, kind, status, recurring, tags,
               announced_on, created_at, parent_id, last_evidence_on,
               CASE WHEN g IS NULL THEN '' WHEN g = 0 THEN 'on ' || to_char(d, 'FMMonth FMDD, YYYY')
                    WHEN g = 1 THEN 'in ' || to_char(d, 'FMMonth YYYY')
                    WHEN g = 2 THEN 'by the end of ' || y
                    ELSE 'for ' || y3a || '-' || y3b END AS dl_text,
               CASE WHEN g IS NULL THEN '' WHEN g = 0 THEN to_char(d, 'YYYY-MM-DD')
                    WHEN g = 1 THEN to_char(d, 'YYYY-MM')
                    WHEN g = 2 THEN y::text
                    ELSE y3a || '/' || y3b END AS dl_edtf,
               CASE WHEN g IS NULL THEN NULL WHEN g = 0 THEN d
                    WHEN g = 1 THEN date_trunc('month', d)::date
                    WHEN g = 2 THEN make_date(y, 1, 1)
                    ELSE make_date(y3a, 1, 1) END AS dl_first,
               CASE WHEN g IS NULL THEN NULL WHEN g = 0 THEN d
                    WHEN g = 1 THEN (date_trunc('month', d) + interval '1 month - 1 day')::date
                    WHEN g = 2 THEN make_date(y, 12, 31)
                    ELSE make_date(y3b, 12, 31) END AS dl_last
          FROM (
            SELECT *, extract(year FROM d)::int AS y,
                   CASE WHEN past THEN extract(year FROM d)::int - 2
                        ELSE extract(year FROM d)::int END AS y3a,
                   CASE WHEN past THEN extract(year FROM d)::int
                        ELSE extract(year FROM d)::int + 2 END AS y3b,
                   -- A past deadline's whole period must be over: a month or a year that
                   -- has not ended yet becomes its day.
                   CASE WHEN d IS NULL THEN NULL
                        WHEN NOT past THEN g0
                        WHEN g0 = 1 AND d >= date_trunc('month', %(today)s::date) THEN 0
                        WHEN g0 >= 2 AND extract(year FROM d) >= extract(year FROM %(today)s::date)
                             THEN 0
                        ELSE g0 END AS g
              FROM (
                SELECT i,
                       'BENCH-' || lpad(i::text, 7, '0') AS reference,
                       initcap(pg_temp.bench_word(i * 31 + 1) || ' '
                               || pg_temp.bench_word(i * 7 + 3) || ' '
                               || pg_temp.bench_word(i * 13 + 5)) || ' '
                         || {kinds}[1 + (i %% {len(KINDS)})] || ' ' || i AS title,
                       {kinds}[1 + (i %% {len(KINDS)})] AS kind,
                       CASE WHEN b < 12 OR (b >= 30 AND r_open < 0.8)
                            THEN {open_}[1 + floor(r_status * {len(OPEN_STATUSES)})::int]
                            WHEN b < 15 OR b >= 30
                            THEN {final}[1 + floor(r_status * {len(FINAL_STATUSES)})::int]
                            ELSE {every}[1 + floor(r_status * 7)::int] END AS status,
                       b < 15 AS past,
                       CASE WHEN b < 15 THEN %(today)s::date - 1 - floor(r_day * 3000)::int
                            WHEN b < 30 THEN NULL
                            ELSE %(today)s::date + floor(r_day * 3000)::int END AS d,
                       floor(r_gran * 4)::int AS g0,
                       i %% 17 = 0 AS recurring,
                       CASE WHEN t1 = t2 THEN ARRAY[{tags}[t1]]
                            WHEN {tags}[t1] < {tags}[t2] THEN ARRAY[{tags}[t1], {tags}[t2]]
                            ELSE ARRAY[{tags}[t2], {tags}[t1]] END AS tags,
                       %(today)s::date - floor(r_day * 2000)::int - 30 AS announced_on,
                       now() - make_interval(secs => r_day * 86400 * 900) AS created_at,
                       CASE WHEN i %% 10 = 0 THEN i - 5 END AS parent_id,
                       {last_evidence} AS last_evidence_on
                  FROM (
                    SELECT i, floor(random() * 100)::int AS b, random() AS r_open,
                           random() AS r_status, random() AS r_day, random() AS r_gran,
                           1 + floor(random() * {len(TAGS)})::int AS t1,
                           1 + floor(random() * {len(TAGS)})::int AS t2
                      FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS i
                  ) AS randoms
              ) AS picked
          ) AS granular
        -- A fence: without it the planner inlines the description into both of its uses.
        OFFSET 0
      ) AS deadlines
    """


def _actors_sql() -> str:
    return f"""
    INSERT INTO commitments_actor (id, slug, name, short_name, kind, country, created_at,
                                   updated_at, parent_id)
    SELECT i, 'bench-actor-' || i,
           initcap(pg_temp.bench_word(i * 5) || ' ' || pg_temp.bench_word(i * 3 + 1))
             || ' ' || ({_array(("Ministry", "Agency", "Council", "Bank", "Forum"))})[1 + i %% 5]
             || ' ' || i,
           CASE WHEN i %% 3 = 0 THEN upper(left(pg_temp.bench_word(i), 3)) || i ELSE '' END,
           ({_array(ACTOR_KINDS)})[1 + i %% {len(ACTOR_KINDS)}],
           CASE WHEN i %% 7 = 0 THEN ''
                ELSE chr((65 + i %% 26)::int) || chr((65 + (i / 26) %% 26)::int) END,
           now(), now(),
           CASE WHEN i > 100 AND i %% 4 = 0 THEN 1 + i %% 100 END
      FROM generate_series(1, %(n)s::bigint) AS i
    """


PUBLISHERS = ("Neutral Times", "State News Agency", "OSCE", "UNDP", "Ministry of Foreign Affairs")


def _sources_sql(sentences: int) -> str:
    return f"""
    INSERT INTO sources_source (id, title, publisher, author, url, published, published_on,
                                kind, language, text, text_sha256, search_vector, created_at,
                                updated_at)
    SELECT i, title, publisher, '', url, to_char(published_on, 'YYYY-MM-DD'), published_on,
           kind, 'en', text, encode(sha256(convert_to(text, 'UTF8')), 'hex'),
           setweight(to_tsvector('english'::regconfig, title), 'A')
             || setweight(to_tsvector('english'::regconfig, text), 'B'),
           now(), now()
      FROM (
        SELECT i,
               initcap(pg_temp.bench_word(i * 3) || ' ' || pg_temp.bench_word(i * 7 + 2)
                       || ' ' || pg_temp.bench_word(i * 11 + 5)) || ' report ' || i AS title,
               ({_array(PUBLISHERS)})[1 + i %% {len(PUBLISHERS)}] AS publisher,
               CASE WHEN i %% 4 = 0 THEN NULL ELSE 'https://example.org/source/' || i END AS url,
               DATE '2024-12-31' - (i %% 1500)::int AS published_on,
               ({_array(SOURCE_KINDS)})[1 + i %% {len(SOURCE_KINDS)}] AS kind,
               (SELECT string_agg(pg_temp.bench_sentence(i, j), ' ' ORDER BY j)
                  FROM generate_series(1, {sentences}) AS j) AS text
          FROM generate_series(1, %(n)s::bigint) AS i
      ) AS s
    """


def _citations_sql(sentences: int) -> str:
    # Citation k of commitment c quotes sentence j of source s: two different sources (or,
    # when they coincide, two different sentences), so the unique constraint holds.
    return f"""
    INSERT INTO commitments_citation (id, commitment_id, source_id, quote, note, created_at,
                                      created_by_id)
    SELECT (c - 1) * %(per)s + k, c, s, pg_temp.bench_sentence(s, j), '', now(), NULL
      FROM (
        SELECT c, k, 1 + ((c * 7919 + k * 104729) %% %(sources)s) AS s,
               1 + ((c + k) %% {sentences})::int AS j
          FROM generate_series(1, %(commitments)s::bigint) AS c,
               generate_series(1, %(per)s::int) AS k
      ) AS picked
    """


PARTY_ROLES = ("responsible", "proposer", "approver", "partner")


def _parties_sql() -> str:
    return f"""
    INSERT INTO commitments_party (id, commitment_id, actor_id, role)
    SELECT (c - 1) * %(per)s + k, c, 1 + ((c * 31 + k * 977) %% %(actors)s),
           ({_array(PARTY_ROLES)})[k]
      FROM generate_series(1, %(commitments)s::bigint) AS c,
           generate_series(1, %(per)s::int) AS k
    """


SENTENCES_PER_SOURCE = 20
API_TABLES = [
    "commitments_actor",
    "sources_source",
    "commitments_commitment",
    "commitments_citation",
    "commitments_party",
]
COMMITMENT_BATCH = 250_000


def _insert_commitments(
    conn: psycopg.Connection, *, n: int, today: date, short: bool, evidence: bool = False
) -> None:
    sql = _commitments_sql(short=short, evidence=evidence)
    for first in range(1, n + 1, COMMITMENT_BATCH):
        last = min(n, first + COMMITMENT_BATCH - 1)
        conn.execute(sql, {"first": first, "last": last, "today": today})


def api_dataset_generate(conn: psycopg.Connection, counts: Counts, today: date, log) -> None:
    """The API dataset, replacing whatever the tables held. `conn` is autocommit."""

    def load() -> None:
        conn.execute("SELECT setseed(0.42)")
        _functions(conn)
        steps = [
            ("actors", _actors_sql(), {"n": counts.actors}),
            ("sources", _sources_sql(SENTENCES_PER_SOURCE), {"n": counts.sources}),
        ]
        for label, sql, params in steps:
            started = time.perf_counter()
            conn.execute(sql, params)
            log(f"{label}: {params['n']:,} in {time.perf_counter() - started:.1f}s")
        started = time.perf_counter()
        _insert_commitments(conn, n=counts.commitments, today=today, short=False)
        log(f"commitments: {counts.commitments:,} in {time.perf_counter() - started:.1f}s")
        started = time.perf_counter()
        conn.execute(
            _citations_sql(SENTENCES_PER_SOURCE),
            {
                "commitments": counts.commitments,
                "per": counts.citations_per_commitment,
                "sources": counts.sources,
            },
        )
        log(
            f"citations: {counts.commitments * counts.citations_per_commitment:,} "
            f"in {time.perf_counter() - started:.1f}s"
        )
        started = time.perf_counter()
        conn.execute(
            _parties_sql(),
            {
                "commitments": counts.commitments,
                "per": counts.parties_per_commitment,
                "actors": counts.actors,
            },
        )
        log(
            f"parties: {counts.commitments * counts.parties_per_commitment:,} "
            f"in {time.perf_counter() - started:.1f}s"
        )

    _bulk_load(conn, API_TABLES, load, log)
    for table in API_TABLES:
        conn.execute(f"VACUUM (ANALYZE) {table}")


def scan_dataset_generate(conn: psycopg.Connection, counts: Counts, today: date, log) -> None:
    """The scan dataset: commitments only, short texts, newest-evidence days. `conn` is
    autocommit."""

    def load() -> None:
        conn.execute("SELECT setseed(0.42)")
        _functions(conn)
        started = time.perf_counter()
        _insert_commitments(conn, n=counts.scan_commitments, today=today, short=True, evidence=True)
        log(f"commitments: {counts.scan_commitments:,} in {time.perf_counter() - started:.1f}s")

    _bulk_load(conn, ["commitments_commitment"], load, log)
    conn.execute("VACUUM (ANALYZE) commitments_commitment")


def params_for(kind: str, counts: Counts, today: date) -> dict:
    params = {"generator": GENERATOR_VERSION, "kind": kind, "today": today.isoformat()} | {
        k: v for k, v in asdict(counts).items() if (k == "scan_commitments") == (kind == "scan")
    }
    if kind == "scan":
        params["evidence"] = SCAN_EVIDENCE_VERSION
    return params


def dataset_summary(conn: psycopg.Connection, today: date) -> dict:
    row = conn.execute(
        """
        SELECT count(*),
               count(*) FILTER (WHERE status = ANY(%(open)s) AND deadline_last_day < %(today)s),
               count(*) FILTER (WHERE deadline_last_day IS NULL),
               count(*) FILTER (WHERE is_overdue),
               count(*) FILTER (WHERE last_evidence_on IS NULL)
          FROM commitments_commitment
        """,
        {"open": list(OPEN_STATUSES), "today": today},
    ).fetchone()
    return {
        "commitments": row[0],
        "open_past_due": row[1],
        "no_deadline": row[2],
        "overdue": row[3],
        "no_evidence": row[4],
    }
