"""`python manage.py scan_deadlines`: the same scan, now, saying what changed."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tracker.models import Alert

from .helpers import due

pytestmark = pytest.mark.django_db


def scan(*args: str) -> str:
    out = StringIO()
    call_command("scan_deadlines", *args, stdout=out)
    return out.getvalue()


def test_the_command_scans_and_names_what_changed(clock):
    due("2024-11", reference="LATE")
    due("2024-12-15", reference="SOON")
    clock(dt.date(2024, 12, 1))

    out = scan()

    assert "Deadline scan as of 2024-12-01 (Asia/Ashgabat)" in out
    assert "became overdue (1): LATE" in out
    assert "due soon, within 30 days (1): SOON" in out
    assert "alerts recorded: 2" in out
    assert Alert.objects.count() == 2


def test_a_second_run_reports_nothing_new(clock):
    due("2024-11")
    clock(dt.date(2024, 12, 1))
    scan()

    out = scan()

    assert "became overdue (0): none" in out
    assert "alerts recorded: 0" in out


def test_the_command_scans_as_of_another_day_and_only_the_commitments_asked_for():
    late = due("2024-11", reference="LATE")
    due("2024-11", reference="ALSO-LATE")

    out = scan("--today", "2024-12-01", "--commitment", str(late.pk))

    assert "as of 2024-12-01" in out
    assert "became overdue (1): LATE" in out


def test_a_malformed_date_is_refused_with_the_form_to_use():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        scan("--today", "1 December")


def test_a_long_list_names_the_first_few_and_counts_the_rest(clock, monkeypatch):
    monkeypatch.setattr("tracker.management.commands.scan_deadlines.LISTED", 2)
    for reference in ("A", "B", "C"):
        due("2024-11", reference=reference)
    clock(dt.date(2024, 12, 1))

    assert "became overdue (3): A, B and 1 more" in scan()
