"""`python manage.py scan_deadlines`: run the deadline scan now and say what changed.

The same service as the beat's Celery task, in this process: for an operator who wants the
flags right at once (after loading data, or to check a time-zone question with --today).
"""

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tracker.selectors import commitment_references
from tracker.services import deadlines_scan

LISTED = 20


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today takes a date as YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = "Flag overdue commitments, clear stale flags and record alerts, now. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            type=_day,
            help=f"Scan as of this date (default: today in {settings.TRACKER_TIME_ZONE}).",
        )
        parser.add_argument(
            "--commitment",
            dest="commitment_ids",
            type=int,
            action="append",
            metavar="ID",
            help="Scan only this commitment (repeatable).",
        )

    def handle(self, *args, today=None, commitment_ids=None, **options):
        summary = deadlines_scan(today=today, commitment_ids=commitment_ids)
        if summary.skipped:
            self.stdout.write(
                f"Skipped: another deadline scan is running. Nothing changed ({summary.today})."
            )
            return
        # Named by reference, the first few of each: the first scan after a large import
        # changes hundreds of thousands.
        names = commitment_references(
            ids=[
                *summary.became_overdue[:LISTED],
                *summary.no_longer_overdue[:LISTED],
                *summary.due_soon[:LISTED],
            ]
        )

        def listed(ids: list[int]) -> str:
            if not ids:
                return "none"
            text = ", ".join(names.get(i, f"#{i}") for i in ids[:LISTED])
            return text + (f" and {len(ids) - LISTED} more" if len(ids) > LISTED else "")

        self.stdout.write(f"Deadline scan as of {summary.today} ({settings.TRACKER_TIME_ZONE}):")
        self.stdout.write(
            f"  became overdue ({len(summary.became_overdue)}): {listed(summary.became_overdue)}"
        )
        self.stdout.write(
            f"  no longer overdue ({len(summary.no_longer_overdue)}): "
            f"{listed(summary.no_longer_overdue)}"
        )
        self.stdout.write(
            f"  due soon, within {settings.TRACKER_DUE_SOON_DAYS} days "
            f"({len(summary.due_soon)}): {listed(summary.due_soon)}"
        )
        self.stdout.write(f"  alerts recorded: {summary.alerts_created}")
