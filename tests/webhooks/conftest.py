import base64
import json

import pytest
import redis
from django.conf import settings

from tests.api_fixtures import anon, reader, staff  # noqa: F401
from tests.webhooks.receiver import Receiver


@pytest.fixture
def receivers():
    """Start receivers with `receivers(answers)`; all are closed after the test."""
    started = []

    def start(answers=None, *, then=200) -> Receiver:
        receiver = Receiver(answers, then=then)
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.close()


@pytest.fixture
def queue():
    """The real broker's default queue, empty at the start; read as (task, args)."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete("celery")

    def read():
        return [
            (
                json.loads(raw)["headers"]["task"],
                json.loads(base64.b64decode(json.loads(raw)["body"]))[0],
            )
            for raw in reversed(client.lrange("celery", 0, -1))
        ]

    yield read
    client.delete("celery")
    client.close()
