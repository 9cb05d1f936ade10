"""Reads past one database: PostgreSQL streaming replicas behind a Django database router.

With `DATABASE_REPLICA_URLS` empty (the default) nothing here runs: there is no replica
alias, the middleware is not installed and the router answers "default" for everything.

With replicas, only the reads of a safe request (GET, HEAD, OPTIONS) go to one, chosen by
`ReplicaReadsMiddleware` when the request starts. Everything else reads the primary: writes,
`select_for_update` (Django routes it as a write), reads inside a transaction on the
primary, Celery tasks (the deadline scan included), management commands and migrations
(`allow_migrate` allows only the primary), and a streamed body (a CSV export), which runs
after the middleware has returned.

Read-your-writes: after an unsafe request, the client that made it (its token, its session)
reads the primary for DATABASE_READ_YOUR_WRITES_SECONDS, remembered in the shared cache so
that every web process knows. A replica is skipped while it lags more than
DATABASE_REPLICA_MAX_LAG_SECONDS or does not answer, checked at most every
DATABASE_REPLICA_CHECK_SECONDS per process; a replica that fails during a request has the
request's view run again on the primary (a safe request changes nothing). docs/operations.md
says how to run them.
"""

from __future__ import annotations

import contextvars
import hashlib
import itertools
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, connections

logger = logging.getLogger(__name__)

REPLICA_ALIAS_PREFIX = "replica"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PRIMARY_PIN_KEY = "replicas:primary-for:{}"

# The replica this request reads from; None: the primary.
_read_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "replica_read_alias", default=None
)

# How far behind a replica is, in seconds: 0 when it has replayed all it received (an idle
# primary sends nothing, and that is not lag), else the age of the last transaction it
# replayed.
LAG_SQL = """
    SELECT CASE
        WHEN NOT pg_is_in_recovery() THEN 0
        WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
        ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
    END
"""


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith(REPLICA_ALIAS_PREFIX)]


class _ReplicaHealth:
    """Per process: each replica's last check (when, and whether it may be read)."""

    def __init__(self) -> None:
        self._checked: dict[str, tuple[float, bool]] = {}
        self._turn = itertools.count()

    def usable(self, alias: str) -> bool:
        checked_at, usable = self._checked.get(alias, (float("-inf"), False))
        if time.monotonic() - checked_at < settings.DATABASE_REPLICA_CHECK_SECONDS:
            return usable
        usable = self._check(alias)
        self._checked[alias] = (time.monotonic(), usable)
        return usable

    def mark_down(self, alias: str) -> None:
        self._checked[alias] = (time.monotonic(), False)
        connections[alias].close()

    def _check(self, alias: str) -> bool:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute(LAG_SQL)
                lag = float(cursor.fetchone()[0])
        except Exception as error:  # down, refused, timed out: read the primary meanwhile
            logger.warning("replica %s skipped: %s", alias, error)
            connections[alias].close()
            return False
        if lag > settings.DATABASE_REPLICA_MAX_LAG_SECONDS:
            logger.warning("replica %s skipped: %.1f s behind", alias, lag)
            return False
        return True

    def choose(self) -> str | None:
        """A replica that may be read, taking turns; None when none may."""
        aliases = replica_aliases()
        if not aliases:
            return None
        start = next(self._turn)
        for offset in range(len(aliases)):
            alias = aliases[(start + offset) % len(aliases)]
            if self.usable(alias):
                return alias
        return None


replica_health = _ReplicaHealth()


class ReplicaRouter:
    """Reads go where the request's middleware said; everything else to the primary."""

    def db_for_read(self, model, **hints):
        alias = _read_alias.get()
        if alias is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        return alias

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data, whichever server an object was read from

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def _client_keys(request, response=None) -> list[str]:
    """Who the client is, for read-your-writes: its token and its session cookie (the one it
    came with and one the answer sets, as a login does), as digests."""
    values = [request.META.get("HTTP_AUTHORIZATION", "")]
    cookie = settings.SESSION_COOKIE_NAME
    values.append(request.COOKIES.get(cookie, ""))
    if response is not None and cookie in response.cookies:
        values.append(response.cookies[cookie].value)
    return [
        PRIMARY_PIN_KEY.format(hashlib.sha256(value.encode()).hexdigest())
        for value in values
        if value
    ]


def _pinned_to_primary(request) -> bool:
    keys = _client_keys(request)
    return bool(keys) and bool(cache.get_many(keys))


class ReplicaReadsMiddleware:
    """Chooses where a request reads (settings install it only with replicas)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        alias = None
        if request.method in SAFE_METHODS and not _pinned_to_primary(request):
            alias = replica_health.choose()
        reset = _read_alias.set(alias)
        try:
            response = self.get_response(request)
        finally:
            _read_alias.reset(reset)
        if request.method not in SAFE_METHODS:
            seconds = settings.DATABASE_READ_YOUR_WRITES_SECONDS
            cache.set_many(dict.fromkeys(_client_keys(request, response), 1), seconds)
        return response

    def process_exception(self, request, exception):
        """A replica that failed mid-request: mark it down, run the view on the primary."""
        alias = _read_alias.get()
        if alias is None or not isinstance(exception, DatabaseError | InterfaceError):
            return None
        logger.warning("replica %s failed during a request, read again on the primary", alias)
        replica_health.mark_down(alias)
        _read_alias.set(None)
        match = request.resolver_match
        return match.func(request, *match.args, **match.kwargs)
