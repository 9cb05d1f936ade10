"""Partial indexes for the overdue flag's three UPDATEs (commitments_refresh_overdue_flags).

Superseded by 0005, which declares them in Commitment.Meta.indexes (models.py says why
they are keyed on `deadline_last_day + 1`). Kept as history; 0005 recreates these
definitions when it is reversed.
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
