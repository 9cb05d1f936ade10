"""What a webhook carries: the Standard Webhooks envelope (`type`, `timestamp`, `data`) around
the alert as the alerts feed shows it, with links to follow."""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import urlencode

from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse

from common.links import absolute_url
from tracker.api.serializers import AlertSerializer
from tracker.models import Alert

TEST_EVENT_TYPE = "webhook.test"


def alert_event_type(kind: str) -> str:
    return f"alert.{kind}"


def alert_event(alert: Alert) -> dict:
    commitment_id = alert.commitment_id
    data = AlertSerializer(alert).data
    urls = {
        "commitment": absolute_url(reverse("commitment-detail", args=[commitment_id])),
        "commitment_alerts": absolute_url(reverse("alert-feed"))
        + "?"
        + urlencode({"commitment_id": commitment_id}),
    }
    page = data["commitment"].get("html_url")  # the public page, where the API names one
    if page:
        urls["commitment_page"] = absolute_url(page)
    return {
        "type": alert_event_type(alert.kind),
        "timestamp": alert.created_at,
        "data": {**data, "urls": urls},
    }


def test_event(*, subscription_id: int, timestamp: datetime) -> dict:
    return {
        "type": TEST_EVENT_TYPE,
        "timestamp": timestamp,
        "data": {
            "subscription": subscription_id,
            "message": "A test event: the signature verifies with this subscription's secret.",
        },
    }


def encode(event: dict) -> str:
    """The body, as signed and sent: compact JSON, UTF-8 left as it is."""
    return json.dumps(event, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))
