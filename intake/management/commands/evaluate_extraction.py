"""Run the extraction assistant on the five seed articles and on the follow-up articles, and
print recall and precision (and, for the follow-ups, matches and statuses) per language."""

from django.core.management.base import BaseCommand
from django.db import transaction

from commitments.seed_data import seed_data_load
from intake.evaluation import SPLITS, extraction_evaluate, followups_evaluate


class Command(BaseCommand):
    help = (
        "Run the extraction assistant on the five seed articles and compare with the seed "
        "dataset: recall and precision for commitments, deadlines and actors; then on the "
        "follow-up articles (intake/evaluation/followups), per split and language: recall and "
        "precision of events, the right commitment as the top match, the right status. Loads "
        "the seed in a transaction that is rolled back: the database is left as it was."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            seed_data_load()  # the actors to match against; idempotent
            result = extraction_evaluate()
            followups = {split: followups_evaluate(split=split) for split in SPLITS}
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
        self.stdout.write("")
        self.stdout.write(
            f"{'follow-ups':<20}{'recall':>14}{'precision':>16}{'top match':>16}{'status':>16}"
        )
        for split, scores in followups.items():
            for language, score in sorted(scores.items()):
                c = score.commitments
                self.stdout.write(
                    f"{split + ' ' + language:<20}"
                    f"{c.recall:>5.2f} ({c.found:>2}/{c.expected:<2})"
                    f"{c.precision:>7.2f} ({c.right:>2}/{c.proposed:<2})"
                    f"{score.top_match.value:>7.2f} ({score.top_match.right:>2}/"
                    f"{score.top_match.total:<2})"
                    f"{score.status.value:>7.2f} ({score.status.right:>2}/{score.status.total:<2})"
                )
                for missed in score.missed:
                    self.stdout.write(f"    missed {missed}")
