"""/metrics: who may read it, and the tracker's own figures moving with the data — a
commitment turning overdue, the scan running, a webhook failing — read by prometheus-client's
parser. The clock is stopped where deadlines are involved."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import pytest
import redis
from django.conf import settings
from django.test import override_settings

from commitments.choices import PartyRole, Status
from tests.factories import make_actor, make_commitment, make_user
from tests.hardening.servers import free_port
from tests.tracker.helpers import due
from tracker.services import deadlines_scan
from webhooks.services import webhook_deliver_due, webhook_subscription_create

from .helpers import label_values, scrape, value

pytestmark = pytest.mark.django_db

DEC_2 = dt.date(2024, 12, 2)
PUBLIC = {"REMOTE_ADDR": "203.0.113.9"}
TOKEN = secrets.token_urlsafe()  # made here: no secret is committed
TOKEN_SHA256 = hashlib.sha256(TOKEN.encode()).hexdigest()


def test_loopback_reads_the_metrics_and_the_public_is_refused_with_a_reason(client):
    make_commitment()
    samples = scrape(client)
    assert value(samples, "tracker_commitments", status=Status.PROPOSED, deadline="none") == 1
    # django-prometheus's request and database figures are there too.
    assert value(samples, "django_http_requests_before_middlewares_total") >= 1
    assert value(samples, "django_db_execute_total", alias="default") >= 1
    assert value(samples, "tracker_figures_up") == 1
    # Every status and deadline state is a series, zeros included: a panel reads 0.
    statuses = label_values(samples, "tracker_commitments", "status")
    assert statuses == set(Status.values)
    assert value(samples, "tracker_commitments", deadline="due_soon") == 0
    assert "overdue" in label_values(samples, "tracker_alerts_raised_total", "kind")

    refused = client.get("/metrics", **PUBLIC)
    assert refused.status_code == 403
    assert refused["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"internal addresses" in refused.content
    assert refused["Cache-Control"].startswith("max-age=0")


def test_a_staff_session_is_not_enough_but_the_metrics_token_is(client):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    assert client.get("/metrics", **PUBLIC).status_code == 403

    with override_settings(METRICS_TOKEN_SHA256=TOKEN_SHA256):
        wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer not-it", **PUBLIC)
        right = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **PUBLIC)
        basic = client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}", **PUBLIC)
    assert (wrong.status_code, right.status_code, basic.status_code) == (403, 200, 403)
    # No token configured: no token is right, an empty one included.
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ", **PUBLIC).status_code == 403


def test_prometheus_inside_the_configured_networks_reads_them():
    from django.test import Client

    inside = {"REMOTE_ADDR": "172.31.240.7"}
    assert Client().get("/metrics", **inside).status_code == 403
    with override_settings(METRICS_INTERNAL_NETWORKS=["172.31.240.0/20"]):
        assert Client().get("/metrics", **inside).status_code == 200
        assert Client().get("/metrics", **PUBLIC).status_code == 403


def test_only_get_and_head(client):
    assert client.post("/metrics").status_code == 405
    assert client.head("/metrics").status_code == 200


def test_a_commitment_turning_overdue_moves_the_counts_by_status_country_and_actor(client, clock):
    ministry = make_actor(slug="tm-ministry", name="Ministry", country="TM")
    partner = make_actor(slug="kz-partner", name="Partner", country="KZ")
    commitment = due("2024-11", parties=[(ministry, PartyRole.RESPONSIBLE), (partner, "partner")])
    clock(DEC_2)

    before = scrape(client)
    assert value(before, "tracker_commitments", deadline="overdue") == 0
    assert value(before, "tracker_commitments", status=Status.PROPOSED) == 1

    deadlines_scan()
    after = scrape(client)

    assert value(after, "tracker_commitments", status=Status.PROPOSED, deadline="overdue") == 1
    assert value(after, "tracker_commitments_by_country", country="TM", deadline="overdue") == 1
    # A partner is not responsible: its country is not counted.
    assert value(after, "tracker_commitments_by_country", country="KZ") == 0
    assert (
        value(after, "tracker_commitments_by_actor", actor="tm-ministry", deadline="overdue") == 1
    )
    assert value(after, "tracker_alerts_raised_total", kind="overdue") == 1
    commitment.refresh_from_db()
    assert commitment.is_overdue


def test_the_scan_notes_when_it_finished_and_how_long_it_took(client, time_machine):
    time_machine.move_to(dt.datetime(2024, 12, 2, 4, 0, tzinfo=dt.UTC), tick=False)
    assert "tracker_deadlines_scan_last_success_timestamp_seconds" not in scrape(client)

    deadlines_scan()
    samples = scrape(client)

    finished = value(samples, "tracker_deadlines_scan_last_success_timestamp_seconds")
    assert finished == dt.datetime(2024, 12, 2, 4, 0, tzinfo=dt.UTC).timestamp()
    assert value(samples, "tracker_deadlines_scan_last_duration_seconds") >= 0
    # A scan of one commitment (after its change) is not the whole scan the alert rule waits for.
    time_machine.move_to(dt.datetime(2024, 12, 2, 5, 0, tzinfo=dt.UTC), tick=False)
    deadlines_scan(commitment_ids=[make_commitment().pk])
    assert (
        value(scrape(client), "tracker_deadlines_scan_last_success_timestamp_seconds") == finished
    )


def test_a_failing_webhook_moves_the_delivery_outcomes_and_the_lag(client, clock):
    closed = f"http://127.0.0.1:{free_port()}/hook"  # nothing listens there
    subscription = webhook_subscription_create(
        owner=make_user(), url=closed, alert_kinds=["overdue"]
    ).subscription
    due("2024-11")
    clock(DEC_2)
    deadlines_scan()
    clock(dt.datetime(2024, 12, 2, 10, 0, tzinfo=dt.UTC))

    before = scrape(client)
    assert value(before, "tracker_webhook_deliveries_total", outcome="failed") == 0
    assert value(before, "tracker_webhook_delivery_lag_seconds") > 0

    webhook_deliver_due(subscription_id=subscription.pk)
    after = scrape(client)

    assert value(after, "tracker_webhook_deliveries_total", outcome="failed") == 1
    assert value(after, "tracker_webhook_deliveries_total", outcome="succeeded") == 0
    assert value(after, "tracker_webhook_subscriptions", state="failing") == 1
    # Still owed: the lag keeps growing until a delivery succeeds.
    assert value(after, "tracker_webhook_delivery_lag_seconds") > 0


def test_the_actor_label_names_the_busiest_actors_and_sums_the_rest(client):
    actors = [make_actor(slug=f"actor-{letter}") for letter in "abcd"]
    for count, actor in zip((3, 2, 1, 1), actors, strict=True):
        for _ in range(count):
            make_commitment(parties=[(actor, PartyRole.RESPONSIBLE)])

    with override_settings(METRICS_ACTOR_LABELS=2):
        samples = scrape(client)

    assert label_values(samples, "tracker_commitments_by_actor", "actor") == {
        "actor-a",
        "actor-b",
        "other",
    }
    assert value(samples, "tracker_commitments_by_actor", actor="other") == 2
    assert value(samples, "tracker_commitments_by_actor") == 7


def test_the_figures_are_counted_once_per_interval_for_every_process(client):
    with override_settings(METRICS_FIGURES_CACHE_SECONDS=60):
        first = scrape(client)
        make_commitment()
        cached = scrape(client)
    fresh = scrape(client)

    assert value(cached, "tracker_commitments") == value(first, "tracker_commitments")
    assert value(fresh, "tracker_commitments") == value(first, "tracker_commitments") + 1


def test_the_queue_length_is_the_brokers(client):
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    broker.delete("celery")
    broker.lpush("celery", b"{}", b"{}")
    try:
        samples = scrape(client)
    finally:
        broker.delete("celery")
    assert value(samples, "tracker_celery_queue_length", queue="celery") == 2


def test_a_broker_that_does_not_answer_leaves_out_the_queue_length_only(client):
    make_commitment()
    from config.celery_app import app

    working = app.conf.broker_read_url
    app.conf.broker_read_url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    try:
        samples = scrape(client)
    finally:
        app.conf.broker_read_url = working
    assert "tracker_celery_queue_length" not in samples
    assert value(samples, "tracker_commitments") == 1
