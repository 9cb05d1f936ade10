"""The overdue flag's three partial indexes, now declared in Commitment.Meta.indexes.

Migration 0004 wrote them in SQL with the status lists spelled out. Declared on the model,
their conditions come from OPEN_STATUSES / FINAL_STATUSES, so a change of the vocabulary
shows up in `makemigrations`. The same names are dropped and recreated; going back
recreates 0004's SQL, so that reversing 0004 still finds the indexes it drops.
"""

from importlib import import_module

import django.db.models.expressions
from django.db import migrations, models

INDEXES_0004 = import_module("commitments.migrations.0004_overdue_flag_indexes").INDEXES


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0004_overdue_flag_indexes"),
    ]

    operations = [
        *(
            migrations.RunSQL(
                sql=f"DROP INDEX IF EXISTS {name}",
                reverse_sql=f"CREATE INDEX {name} ON commitments_commitment {definition}",
            )
            for name, definition in INDEXES_0004.items()
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                models.ExpressionWrapper(
                    django.db.models.expressions.CombinedExpression(
                        models.F("deadline_last_day"), "+", models.Value(1)
                    ),
                    output_field=models.DateField(),
                ),
                condition=models.Q(
                    ("deadline_last_day__isnull", False),
                    ("is_overdue", False),
                    ("status__in", ("proposed", "adopted", "in_progress", "stalled")),
                ),
                name="commitment_not_overdue_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                models.ExpressionWrapper(
                    django.db.models.expressions.CombinedExpression(
                        models.F("deadline_last_day"), "+", models.Value(1)
                    ),
                    output_field=models.DateField(),
                ),
                condition=models.Q(("deadline_last_day__isnull", False), ("is_overdue", True)),
                name="commitment_overdue_day_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(
                condition=models.Q(
                    ("is_overdue", True),
                    models.Q(
                        ("status__in", ("completed", "partially_completed", "abandoned")),
                        ("deadline_last_day__isnull", True),
                        models.Q(
                            (
                                "overdue_since",
                                models.ExpressionWrapper(
                                    django.db.models.expressions.CombinedExpression(
                                        models.F("deadline_last_day"), "+", models.Value(1)
                                    ),
                                    output_field=models.DateField(),
                                ),
                            ),
                            _negated=True,
                        ),
                        _connector="OR",
                    ),
                ),
                fields=["id"],
                name="commitment_overdue_stale_idx",
            ),
        ),
    ]
