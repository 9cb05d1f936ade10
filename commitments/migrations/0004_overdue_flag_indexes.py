# The third index compares two columns (overdue_since <> deadline_last_day + 1), which a
# Django Index condition cannot say word for word the way the UPDATE in
# commitments_refresh_overdue_flags says it; PostgreSQL uses a partial index only when it can
# prove the query implies the predicate, so it is written here in SQL, once.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0003_editors_group"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                condition=models.Q(
                    ("deadline_last_day__isnull", False),
                    ("is_overdue", False),
                    ("status__in", ("proposed", "adopted", "in_progress", "stalled")),
                ),
                fields=["deadline_last_day"],
                name="commitment_not_overdue_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                condition=models.Q(("deadline_last_day__isnull", False), ("is_overdue", True)),
                fields=["deadline_last_day"],
                name="commitment_overdue_day_idx",
            ),
        ),
        migrations.RunSQL(
            sql="""
            CREATE INDEX commitment_overdue_stale_idx ON commitments_commitment (id)
             WHERE is_overdue
               AND (status IN ('completed', 'partially_completed', 'abandoned')
                    OR deadline_last_day IS NULL
                    OR overdue_since <> deadline_last_day + 1)
            """,
            reverse_sql="DROP INDEX commitment_overdue_stale_idx",
        ),
    ]
