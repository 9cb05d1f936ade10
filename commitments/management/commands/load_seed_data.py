from django.core.management.base import BaseCommand

from commitments.seed_data import seed_data_load


class Command(BaseCommand):
    help = (
        "Load the seed dataset (five source articles and their commitments). Idempotent; "
        "brings what an earlier version loaded up to date where staff have not edited it."
    )

    def handle(self, *args, **options):
        result = seed_data_load()
        for kind in ("sources", "actors", "commitments"):
            self.stdout.write(
                f"{kind}: {result.created[kind]} created, {result.existing[kind]} already there"
            )
        # Records an earlier version of the dataset loaded, where staff had not edited them.
        self.stdout.write(f"brought up to date: {len(result.upgraded)}")
        for line in result.upgraded:
            self.stdout.write(f"  {line}")
