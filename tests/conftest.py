import pytest
from django.conf import settings
from django.core.cache import cache

from tests.factories import make_commitment, make_editor, make_source, make_user


def _cache_keys_delete() -> None:
    """Delete this run's cache keys only. `cache.clear()` is a FLUSHDB, which would also
    delete Celery's queues when the cache and the broker share a Redis database."""
    client = cache._cache.get_client(write=True)
    pattern = f"{settings.CACHES['default']['KEY_PREFIX']}:*"
    keys = list(client.scan_iter(match=pattern, count=1000))
    if keys:
        client.delete(*keys)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Throttle counters and feed markers live in the real Redis: start each test clean."""
    _cache_keys_delete()
    yield
    _cache_keys_delete()


@pytest.fixture
def staff_user(db):
    return make_user(username="staff", is_staff=True)


@pytest.fixture
def editor(db):
    """A staff member in the "Editors" group (created by a commitments data migration)."""
    return make_editor(username="editor")


# The data migrations that make the "Editors" group, in order. A test that commits
# (transaction=True) flushes the database afterwards, group included, so a later test
# makes it again the same way.
EDITORS_MIGRATIONS = (
    ("commitments.migrations.0003_editors_group", "editors_group_create"),
    ("commitments.migrations.0008_editors_record_claims", "editors_may_record_claims"),
    ("intake.migrations.0003_editors_intake_permissions", "editors_intake_permissions_add"),
)


def editors_group_ensure() -> None:
    from importlib import import_module

    from django.apps import apps

    for module, function in EDITORS_MIGRATIONS:
        getattr(import_module(module), function)(apps, None)


@pytest.fixture
def reader_user(db):
    return make_user(username="reader")


@pytest.fixture
def source(db):
    return make_source()


@pytest.fixture
def commitment(db, source):
    return make_commitment(source=source)


@pytest.fixture
def seeded(db):
    """The seed dataset of the five articles, loaded through the real command."""
    from django.core.management import call_command

    call_command("load_seed_data", verbosity=0)
