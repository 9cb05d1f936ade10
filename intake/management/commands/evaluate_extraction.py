"""Run the extraction assistant on the five seed articles and print recall and precision."""

from django.core.management.base import BaseCommand
from django.db import transaction

from commitments.seed_data import seed_data_load
from intake.evaluation import extraction_evaluate


class Command(BaseCommand):
    help = (
        "Run the extraction assistant on the five seed articles and compare with the seed "
        "dataset: recall and precision for commitments, deadlines and actors. Loads the seed "
        "in a transaction that is rolled back: the database is left as it was."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            seed_data_load()  # the actors to match against; idempotent
            result = extraction_evaluate()
            transaction.set_rollback(True)
        self.stdout.write(f"{'':<12}{'recall':>16}{'precision':>18}")
        for name in ("commitments", "deadlines", "actors"):
            score = getattr(result, name)
            self.stdout.write(
                f"{name:<12}{score.recall:>7.2f} ({score.found:>3}/{score.expected:<3})"
                f"{score.precision:>9.2f} ({score.right:>3}/{score.proposed:<3})"
            )
        self.stdout.write("missed commitments: " + (", ".join(result.missed_commitments) or "none"))
        self.stdout.write("missed deadlines: " + (", ".join(result.missed_deadlines) or "none"))
