"""Candidate fixes, measured before anyone changes the code they would change.

`python -m bench --experiments NAME[,NAME]` starts a third server, the app with these patches
applied in each worker, and measures it beside the app and the baseline. Each patch is the
smallest change that shows the effect of one recommendation in bench/README.md; none of them
is meant to be copied as it is. An experiment whose fix has landed is deleted (git history
keeps them: json_in_sql, throttle_one_rtt, csv_values, scan_expression_keys and
serializer_fast were measured this way).

    no_health_check    no connection health check at all: what the socket poll of
                       config/db/base.py still costs (it replaced Django's `SELECT 1`; a health
                       check stays on: tests/hardening/test_faults.py shows why)

A scan experiment also names, in SCAN_EXPERIMENTS, the indexes its round needs in the bench's
scan database (made before the round, dropped after).
"""

from __future__ import annotations

import os


def no_health_check() -> None:
    from django.db.backends.postgresql.base import DatabaseWrapper

    DatabaseWrapper.close_if_health_check_failed = lambda self: None


EXPERIMENTS = {
    "no_health_check": no_health_check,
}

# Scan experiments: the indexes each needs, made in the bench's scan database for its round.
SCAN_EXPERIMENTS: dict[str, dict[str, str]] = {}


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
