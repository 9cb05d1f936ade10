"""The subscriptions API: any token holder manages their own, the secret is shown once, bad
input is a problem naming the field, the log and the test event are the owner's."""

from __future__ import annotations

import pytest
from standardwebhooks.webhooks import Webhook

from accounts.services import api_token_create
from tests.api_fixtures import client_with_token, problem_fields
from tests.factories import make_user
from tests.hardening.helpers import changed_tables, database_fingerprint
from webhooks.models import WebhookSubscription
from webhooks.tasks import webhook_test_task

pytestmark = pytest.mark.django_db

BODY = {"url": "http://127.0.0.1:9/hooks", "alert_kinds": ["overdue", "status_changed"]}


def other_reader():
    return client_with_token(api_token_create(user=make_user(), name="other").key)


def test_a_reader_token_subscribes_and_sees_the_secret_once(reader):
    response = reader.post(
        "/api/v1/webhooks/",
        {**BODY, "description": "Newsroom", "filters": {"country": ["tm"], "tag": ["cyber"]}},
        format="json",
    )

    assert response.status_code == 201, response.content
    created = response.json()
    assert created["secret"].startswith("whsec_")
    Webhook(created["secret"])  # the package reads it
    assert created["alert_kinds"] == ["overdue", "status_changed"]
    assert created["filters"] == {"country": ["tm"], "tag": ["cyber"]}
    assert created["is_active"] is True and created["disabled_reason"] == ""
    assert response["Location"].endswith(f"/api/v1/webhooks/{created['id']}/")
    shown = reader.get(f"/api/v1/webhooks/{created['id']}/").json()
    listed = reader.get("/api/v1/webhooks/").json()["results"]
    assert "secret" not in shown and all("secret" not in row for row in listed)
    assert shown["deliveries_url"].endswith(f"/api/v1/webhooks/{created['id']}/deliveries/")


def test_each_token_holder_sees_and_manages_only_their_own(reader, staff):
    mine = reader.post("/api/v1/webhooks/", BODY, format="json").json()["id"]
    theirs = staff.post("/api/v1/webhooks/", BODY, format="json").json()["id"]
    stranger = other_reader()

    assert [row["id"] for row in reader.get("/api/v1/webhooks/").json()["results"]] == [mine]
    assert [row["id"] for row in staff.get("/api/v1/webhooks/").json()["results"]] == [theirs]
    assert stranger.get("/api/v1/webhooks/").json()["results"] == []
    before = database_fingerprint()
    for response in (
        stranger.get(f"/api/v1/webhooks/{mine}/"),
        stranger.patch(f"/api/v1/webhooks/{mine}/", {"url": "http://127.0.0.1:1/"}, format="json"),
        stranger.delete(f"/api/v1/webhooks/{mine}/"),
        stranger.get(f"/api/v1/webhooks/{mine}/deliveries/"),
        stranger.post(f"/api/v1/webhooks/{mine}/test/"),
        reader.delete(f"/api/v1/webhooks/{theirs}/"),
    ):
        assert response.status_code == 404
    assert changed_tables(before, database_fingerprint()) == []
    assert reader.delete(f"/api/v1/webhooks/{mine}/").status_code == 204
    assert not WebhookSubscription.objects.filter(pk=mine).exists()


def test_anonymous_callers_are_asked_for_a_token(anon):
    assert anon.get("/api/v1/webhooks/").status_code == 401
    response = anon.post("/api/v1/webhooks/", BODY, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert WebhookSubscription.objects.count() == 0


@pytest.mark.parametrize(
    "change, field",
    [
        ({"alert_kinds": ["overdue", "nope"]}, "alert_kinds.1"),
        ({"alert_kinds": []}, "alert_kinds"),
        ({"url": "not a url"}, "url"),
        ({"filters": {"country": ["Turkmenistan"]}}, "filters.country"),
        ({"filters": {"kind": ["overdue"]}}, "filters.kind"),
        ({"filters": {"commitment_id": ["x"]}}, "filters.commitment_id"),
        ({"filters": {"tag": "cyber"}}, "filters.tag"),
        ({"secret": "whsec_mine"}, "secret"),
        ({"last_alert_id": 0, "is_active": "yes"}, "is_active"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field_and_writes_nothing(change, field, reader):
    before = database_fingerprint()
    response = reader.post("/api/v1/webhooks/", {**BODY, **change}, format="json")
    assert response.status_code == 400, response.content
    assert field in problem_fields(response), problem_fields(response)
    assert changed_tables(before, database_fingerprint()) == []


def test_the_owner_changes_pauses_and_re_enables_a_subscription(reader):
    created = reader.post("/api/v1/webhooks/", BODY, format="json").json()
    url = f"/api/v1/webhooks/{created['id']}/"

    paused = reader.patch(url, {"is_active": False}, format="json").json()
    assert paused["is_active"] is False and paused["disabled_reason"] == "Disabled by its owner."
    changed = reader.patch(
        url, {"alert_kinds": ["due_soon"], "filters": {"tag": ["health"]}}, format="json"
    ).json()
    assert changed["alert_kinds"] == ["due_soon"] and changed["filters"] == {"tag": ["health"]}
    enabled = reader.patch(url, {"is_active": True}, format="json").json()
    assert enabled["is_active"] is True and enabled["disabled_at"] is None
    # What GET returned may be PUT back as it was.
    assert reader.put(url, enabled, format="json").status_code == 200


def test_send_a_test_event_queues_it_and_the_log_shows_the_attempt(reader, receivers, queue):
    receiver = receivers()
    created = reader.post("/api/v1/webhooks/", {**BODY, "url": receiver.url}, format="json")
    subscription_id = created.json()["id"]

    response = reader.post(f"/api/v1/webhooks/{subscription_id}/test/")

    assert response.status_code == 202, response.content
    assert queue() == [("webhooks.tasks.webhook_test_task", [subscription_id])]
    webhook_test_task.apply(args=[subscription_id], throw=True)  # as the worker runs it
    [request] = receiver.received
    event = Webhook(created.json()["secret"]).verify(request.body, request.headers)
    assert event["type"] == "webhook.test"
    log = reader.get(response.json()["deliveries_url"]).json()
    [attempt] = log["results"]
    assert attempt["event_type"] == "webhook.test"
    assert attempt["succeeded"] is True and attempt["status_code"] == 200
    assert attempt["webhook_id"] == request.headers["webhook-id"]
    assert attempt["latency_ms"] >= 0 and attempt["response_excerpt"] == '{"ok": true}'


def test_the_list_costs_the_same_queries_for_one_or_many(
    reader, reader_user, django_assert_num_queries
):
    for _ in range(3):
        reader.post("/api/v1/webhooks/", BODY, format="json")
    reader.get("/api/v1/webhooks/")  # the token's last use is written once a minute at most
    with django_assert_num_queries(2):  # the token, the page
        assert len(reader.get("/api/v1/webhooks/").json()["results"]) == 3
