"""The webhook fan-out's steps that need the project's code, each in a fresh child process.

    python -m bench.webhooks_child setup   N commitments past due, M subscriptions
    python -m bench.webhooks_child scan    the real deadline scan (it raises N alerts)
    python -m bench.webhooks_child check   what the deliveries left in the database

Arguments come from the environment (BENCH_WEBHOOK_*); each command prints one JSON object
as its last line.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import timedelta


def _setup_django() -> None:
    import django

    django.setup()


def setup() -> dict:
    """Replace the database's commitments with N open ones whose deadline (a day) has just
    passed, tagged `wh-<i mod M/K>`, and M subscriptions to the receiver, K per tag: each
    alert goes to K subscriptions."""
    _setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from bench import data
    from commitments.selectors import tracker_today
    from webhooks.models import WebhookSubscription
    from webhooks.signing import secret_generate

    alerts = int(os.environ["BENCH_WEBHOOK_ALERTS"])
    subscriptions = int(os.environ["BENCH_WEBHOOK_SUBSCRIPTIONS"])
    per_alert = int(os.environ["BENCH_WEBHOOK_PER_ALERT"])
    receiver = os.environ["BENCH_WEBHOOK_RECEIVER"]
    tags = max(1, subscriptions // per_alert)
    today = tracker_today()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE commitments_commitment, webhooks_webhooksubscription CASCADE")
    connection.ensure_connection()
    raw = connection.connection  # psycopg, in autocommit
    data._functions(raw)
    data._insert_commitments(raw, n=alerts, today=today, short=True)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE commitments_commitment
               SET status = 'adopted', is_overdue = FALSE, overdue_since = NULL,
                   deadline_text = 'on ' || to_char(%(day)s::date, 'FMMonth FMDD, YYYY'),
                   deadline_edtf = to_char(%(day)s::date, 'YYYY-MM-DD'),
                   deadline_first_day = %(day)s, deadline_last_day = %(day)s,
                   tags = ARRAY['wh-' || (id %% %(tags)s)]
            """,
            {"day": today - timedelta(days=2), "tags": tags},
        )
    owner, _ = get_user_model().objects.get_or_create(username="bench-subscriber")
    WebhookSubscription.objects.bulk_create(
        WebhookSubscription(
            owner=owner,
            url=f"{receiver}/{i}",
            alert_kinds=["overdue"],
            filters={"tag": [f"wh-{i % tags}"]},
            secret=secret_generate(),
        )
        for i in range(subscriptions)
    )
    return {"commitments": alerts, "subscriptions": subscriptions, "tags": tags}


def scan() -> dict:
    _setup_django()
    from tracker.services import deadlines_scan

    started = time.time()
    summary = deadlines_scan()
    return {"started": started, "committed": time.time(), **summary.counts()}


def check() -> dict:
    _setup_django()
    from django.db.models import Count, Max, Min, Q

    from tracker.models import Alert
    from webhooks.models import WebhookAttempt, WebhookSubscription

    newest = Alert.objects.aggregate(newest=Max("id"))["newest"]
    cursors = WebhookSubscription.objects.aggregate(
        behind=Count("id", filter=~Q(last_alert_id=newest)),
        lowest=Min("last_alert_id"),
    )
    attempts = WebhookAttempt.objects.aggregate(
        total=Count("id"),
        failed=Count("id", filter=Q(succeeded=False)),
        distinct_ids=Count("webhook_id", distinct=True),
    )
    return {"newest_alert": newest, **cursors, **attempts}


if __name__ == "__main__":
    command = sys.argv[1]
    result = {"setup": setup, "scan": scan, "check": check}[command]()
    print(json.dumps(result, default=str))
