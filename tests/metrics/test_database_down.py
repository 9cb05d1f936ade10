"""A web process whose PostgreSQL does not answer still serves /metrics: the request and
process figures, and `tracker_figures_up 0` saying why the tracker's own are missing (the
alert rule `TrackerDatabaseFiguresMissing` reads it)."""

from __future__ import annotations

import os

from tests.hardening.servers import WebServer, app_environment, free_port

from .helpers import samples_of, value


def test_metrics_are_served_with_the_database_down(tmp_path):
    nowhere = f"postgres://postgres@127.0.0.1:{free_port()}/tracker"  # nothing listens there
    web = WebServer(
        env=app_environment(database_url=nowhere, broker_url=os.environ["CELERY_BROKER_URL"]),
        log=tmp_path / "web.log",
    ).start()
    try:
        web.get("/api/v1/statuses/")  # a request to count (it needs no database)
        reply = web.get("/metrics")
    finally:
        web.close()

    assert reply.status == 200, reply.body
    samples = samples_of(reply.body.decode())
    assert value(samples, "tracker_figures_up") == 0
    assert "tracker_commitments" not in samples
    assert value(samples, "django_http_requests_before_middlewares_total") >= 1
