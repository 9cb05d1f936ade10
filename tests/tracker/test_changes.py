"""What the tracker does when a status or deadline change is recorded: the status_changed alert
in the same transaction, and a scan of the commitment enqueued on the real broker once the
change commits."""

import datetime as dt
import logging
import time

import pytest
from django.db import IntegrityError, transaction

from config.celery_app import app as celery_app
from tracker.choices import AlertKind
from tracker.models import Alert

from .helpers import due, move_deadline, record_status

pytestmark = pytest.mark.django_db

TODAY = dt.date(2024, 12, 1)
SCAN_ONE = "tracker.tasks.commitment_scan_task"


@pytest.fixture(autouse=True)
def _today(clock):
    clock(TODAY)


def test_a_recorded_status_change_is_a_status_changed_alert(commitment):
    change = record_status(commitment, "adopted", on=TODAY)

    alert = Alert.objects.get(commitment=commitment)
    assert alert.kind == AlertKind.STATUS_CHANGED
    assert alert.status_change == change
    assert alert.last_day is None


def test_a_status_change_that_rolls_back_leaves_no_alert(commitment):
    with pytest.raises(RuntimeError), transaction.atomic():
        record_status(commitment, "adopted", on=TODAY)
        raise RuntimeError("the request failed after the change")

    assert not Alert.objects.exists()


def test_the_database_refuses_a_second_alert_for_the_same_status_change(commitment):
    change = record_status(commitment, "adopted", on=TODAY)

    with pytest.raises(IntegrityError, match="alert_once_per_status_change"), transaction.atomic():
        Alert.objects.create(
            kind=AlertKind.STATUS_CHANGED, commitment=commitment, status_change=change
        )


def test_a_status_change_enqueues_a_scan_of_the_commitment_once_it_commits(
    commitment, broker_messages, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        record_status(commitment, "adopted", on=TODAY)
        assert broker_messages() == []  # not before the commit: the worker would not see it

    for callback in callbacks:
        callback()  # the commit
    assert broker_messages() == [(SCAN_ONE, [commitment.pk])]


def test_a_deadline_change_enqueues_a_scan_of_the_commitment(
    commitment, broker_messages, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        move_deadline(commitment, "2024-11", on=TODAY)

    assert broker_messages() == [(SCAN_ONE, [commitment.pk])]


def test_a_change_that_rolls_back_enqueues_nothing(
    commitment, broker_messages, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        move_deadline(commitment, "2024-11", on=TODAY)
        raise RuntimeError("the request failed after the change")

    assert broker_messages() == []


def test_a_broker_that_is_down_does_not_fail_the_change_nor_hold_it_up(
    commitment, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    # A real connection attempt to a port where no Redis listens.
    monkeypatch.setattr(celery_app.conf, "broker_write_url", "redis://127.0.0.1:1/0")
    started = time.monotonic()

    with (
        caplog.at_level(logging.WARNING, logger="tracker.tasks"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        change = record_status(commitment, "adopted", on=TODAY)

    assert time.monotonic() - started < 1.5
    assert change.pk is not None
    commitment.refresh_from_db()
    assert commitment.status == "adopted"
    assert "could not enqueue a deadline scan of commitment" in caplog.text


def test_a_new_commitment_with_a_deadline_is_scanned_at_once(
    broker_messages, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        commitment = due("2024-11")

    assert broker_messages() == [(SCAN_ONE, [commitment.pk])]
