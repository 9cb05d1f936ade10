"""`make run` (config/launcher.py): by the time the web server starts, the seed dataset has
been scanned once, so the first `?overdue=true` already lists every overdue seed commitment.

The launcher's set-up commands run for real, as subprocesses against the test database (the
data must be committed for them to see each other's work); only honcho's process manager is
replaced, by one that, at the moment it would start the web server, asks the API what it would
answer then. No worker and no beat run: the scans that writes enqueue wait on the broker, as
they do in the first seconds of a real `make run`.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from rest_framework.test import APIClient

from commitments.choices import OPEN_STATUSES
from commitments.models import Commitment
from commitments.selectors import tracker_today
from config import launcher
from tests.hardening.servers import database_url_for

pytestmark = pytest.mark.django_db(transaction=True)


def _overdue_by(day) -> set[str]:
    """What a reader expects overdue on `day`: published, open, the last day passed."""
    return set(
        Commitment.objects.filter(
            is_published=True, status__in=OPEN_STATUSES, deadline_last_day__lt=day
        ).values_list("reference", flat=True)
    )


class ManagerAtStart:
    """Stands in for honcho's Manager. `loop()` is where the web server, the worker and beat
    would start: it records what the API answers at that moment, and returns."""

    def __init__(self, events: list):
        self.events = events
        self.processes: dict[str, str] = {}
        self.returncode = 0

    def add_process(self, name: str, command: str, **kwargs) -> None:
        self.processes[name] = command

    def loop(self) -> None:
        self.events.append(("serve", sorted(self.processes)))
        response = APIClient().get("/api/v1/commitments/", {"overdue": "true", "page_size": 200})
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["next"] is None
        self.answered = {row["reference"] for row in body["results"]}
        today = tracker_today()
        # The scan's day and ours are one day apart only if midnight fell in between.
        self.expected = [_overdue_by(today), _overdue_by(today - timedelta(days=1))]


@pytest.fixture
def broker_queue():
    """The seed enqueues scans on the real broker: no worker takes them here; delete them."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete("celery")
    yield
    client.delete("celery")
    client.close()


@pytest.fixture
def launcher_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", database_url_for())
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "config.settings.test")
    monkeypatch.setenv("TRACKER_DATA_DIR", str(tmp_path))  # the admin's password file
    monkeypatch.setenv("TRACKER_PORT", "0")


def test_the_seed_is_scanned_before_the_web_server_starts(
    launcher_environment, broker_queue, monkeypatch
):
    events: list = []
    managers: list[ManagerAtStart] = []
    real_manage = launcher._manage

    def manage(env, *args):
        events.append(("manage", args[0]))
        real_manage(env, *args)

    def manager() -> ManagerAtStart:
        managers.append(ManagerAtStart(events))
        return managers[-1]

    monkeypatch.setattr(launcher, "_manage", manage)
    monkeypatch.setattr(launcher, "Manager", manager)
    # A database an earlier `make run` loaded before these deadlines passed: nothing flagged.
    call_command("load_seed_data", verbosity=0)
    Commitment.objects.update(is_overdue=False, overdue_since=None)

    assert launcher.main() == 0

    assert events == [
        ("manage", "migrate"),
        ("manage", "load_seed_data"),
        ("manage", "scan_deadlines"),
        ("manage", "ensure_local_admin"),
        ("serve", ["beat", "web", "worker"]),
    ]
    (started,) = managers
    assert started.expected[0], "the control: the seed has overdue commitments"
    # Every overdue seed commitment, in the first answer.
    assert started.answered in started.expected
