"""Partial indexes for the overdue flag's three UPDATEs (commitments_refresh_overdue_flags).

Written in SQL because PostgreSQL uses a partial index only when it can prove the query
implies the predicate, and the UPDATEs repeat these predicates word for word.

The two range indexes are keyed on the expression `deadline_last_day + 1` (the first day a
commitment is overdue), and the UPDATEs compare that expression with today. Keyed on the
plain column, the planner preferred the column's ordinary index: it assumes the flag and the
last day are independent, so it expected ~86,000 of 1,000,000 rows where there were none, and
an idle scan cost a second. Only these indexes can serve the expression, and ANALYZE keeps
statistics on an expression index's own rows, so the estimate is right as well.
"""

from django.db import migrations

OPEN = "('proposed', 'adopted', 'in_progress', 'stalled')"
FINAL = "('completed', 'partially_completed', 'abandoned')"

INDEXES = {
    # Open, not yet flagged: the rows that may become overdue.
    "commitment_not_overdue_idx": f"""
        ((deadline_last_day + 1))
        WHERE status IN {OPEN} AND NOT is_overdue AND deadline_last_day IS NOT NULL""",
    # Flagged: the rows whose deadline may have moved to today or later.
    "commitment_overdue_day_idx": """
        ((deadline_last_day + 1))
        WHERE is_overdue AND deadline_last_day IS NOT NULL""",
    # Flagged but stale: final status, no deadline, or a deadline moved to another past day.
    "commitment_overdue_stale_idx": f"""
        (id)
        WHERE is_overdue
          AND (status IN {FINAL} OR deadline_last_day IS NULL
               OR overdue_since <> deadline_last_day + 1)""",
}


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0003_editors_group"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX {name} ON commitments_commitment {definition}",
            reverse_sql=f"DROP INDEX {name}",
        )
        for name, definition in INDEXES.items()
    ]
