from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable

import pytest
import redis
from django.conf import settings
from rest_framework.test import APIClient

from tests.tracker.helpers import ASHGABAT


@pytest.fixture
def clock(time_machine) -> Callable:
    """Stop the clock at a moment: an aware datetime, or a date (09:00 that day in Ashgabat)."""

    def stop_at(moment: dt.date | dt.datetime) -> None:
        if not isinstance(moment, dt.datetime):
            moment = dt.datetime.combine(moment, dt.time(9), ASHGABAT)
        time_machine.move_to(moment, tick=False)

    return stop_at


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def broker_messages():
    """What was enqueued on the real Redis broker's default queue, oldest first, as
    (task name, args). The queue starts empty."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete("celery")

    def read() -> list[tuple[str, list]]:
        messages = []
        for raw in reversed(client.lrange("celery", 0, -1)):  # kombu pushes on the left
            message = json.loads(raw)
            args = json.loads(base64.b64decode(message["body"]))[0]
            messages.append((message["headers"]["task"], args))
        return messages

    yield read
    client.delete("celery")
    client.close()
