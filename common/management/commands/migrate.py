"""`migrate`, under a PostgreSQL advisory lock.

Django takes no lock of its own: two `migrate` runs at once (a rolling deploy, `make run`
twice, compose starting several containers) race on the same DDL and one fails ("relation
already exists"), or both insert the same content types. Here each run first waits for the
lock, so one applies the migrations and the next finds nothing left to do. This overrides
Django's command (an app's command wins over Django's), so every way of migrating takes it.
"""

import contextlib

from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import DatabaseError, connections

# An arbitrary 64-bit constant, unique among the project's advisory locks (tracker/services.py).
MIGRATE_LOCK_KEY = 0x74726B_6D696772  # "trk" "migr"


class Command(DjangoMigrateCommand):
    help = f"{DjangoMigrateCommand.help} Waits for other runs on the same database first."

    def handle(self, *args, **options):
        # A session lock on a connection of its own: nothing a migration does to the default
        # connection (closing it, a failed transaction) can release it early, and closing
        # this connection at the end releases it even when the migration failed.
        lock = connections.create_connection(options["database"])
        try:
            with lock.cursor() as cursor:
                # The app's statement_timeout would cut off the wait behind a long migration.
                cursor.execute("SET statement_timeout = 0")
                cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK_KEY])
            # Nor may it cut off a migration's own DDL or data migration on a large table; the
            # connection's own timeout is back afterwards (the test runner goes on using it).
            connection = connections[options["database"]]
            with connection.cursor() as cursor:
                cursor.execute("SET statement_timeout = 0")
            try:
                return super().handle(*args, **options)
            finally:
                with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                    cursor.execute("RESET statement_timeout")
        finally:
            lock.close()
