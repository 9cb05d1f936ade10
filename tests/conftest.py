import pytest
from django.core.cache import cache

from tests.factories import make_commitment, make_source, make_user


@pytest.fixture(autouse=True)
def _empty_cache():
    """Throttle counters and feed markers live in the real Redis: start each test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_user(db):
    return make_user(username="staff", is_staff=True)


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
