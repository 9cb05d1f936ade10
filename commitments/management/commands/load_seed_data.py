from django.core.management.base import BaseCommand

from commitments.seed_data import seed_data_load


class Command(BaseCommand):
    help = "Load the seed dataset (five source articles and their commitments). Idempotent."

    def handle(self, *args, **options):
        result = seed_data_load()
        for kind in ("sources", "actors", "commitments"):
            self.stdout.write(
                f"{kind}: {result.created[kind]} created, {result.existing[kind]} already there"
            )
