"""The overdue flag's UPDATEs are served by the partial indexes declared with their conditions."""

from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from commitments.choices import FINAL_STATUSES, OPEN_STATUSES, CommitmentKind
from commitments.models import Commitment
from commitments.services import commitments_refresh_overdue_flags

pytestmark = pytest.mark.django_db

TODAY = date(2025, 1, 10)
# The index each UPDATE of commitments_refresh_overdue_flags reads, in the order they run.
UPDATE_INDEXES = [
    "commitment_not_overdue_idx",
    "commitment_overdue_stale_idx",
    "commitment_overdue_day_idx",
]


def _updates_run(**kwargs) -> list[str]:
    """The SQL of the scan's UPDATEs, as the function executed them."""
    with CaptureQueriesContext(connection) as queries:
        commitments_refresh_overdue_flags(today=TODAY, **kwargs)
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().startswith("UPDATE")]


def _plan(sql: str) -> str:
    # The planner's choice rests on the table's statistics, which whatever ran before left
    # behind: a table of thousands of rows, all due later, analyzed here, is the
    # shape each partial index exists for (and with sequential scans allowed, a small table is
    # cheapest to read whole).
    Commitment.objects.bulk_create(
        Commitment(
            reference=f"PLAN-{n}",
            title="Due later",
            kind=CommitmentKind.PROGRAMME,
            deadline_text="2031",
            deadline_edtf="2031",
            deadline_first_day=date(2031, 1, 1),
            deadline_last_day=date(2031, 12, 31),
        )
        for n in range(3000)
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Commitment._meta.db_table}")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


# Only the whole-table form: restricted to a few ids, probing the primary key once per id is
# as cheap as the partial index, and which of the two the planner picks is not a property.
@pytest.mark.parametrize("position, index", list(enumerate(UPDATE_INDEXES)))
def test_each_update_of_the_overdue_scan_reads_its_partial_index(position, index):
    updates = _updates_run()

    assert len(updates) == len(UPDATE_INDEXES)
    plan = _plan(updates[position])
    assert index in plan, plan


def test_the_may_become_overdue_index_selects_every_open_status_and_no_final_one():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_expr(indpred, indrelid) FROM pg_index"
            " WHERE indexrelid = 'commitment_not_overdue_idx'::regclass"
        )
        condition = cursor.fetchone()[0]

    assert [s for s in OPEN_STATUSES if f"'{s}'" not in condition] == []
    assert [s for s in FINAL_STATUSES if f"'{s}'" in condition] == []
