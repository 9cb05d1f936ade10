import pytest

from tests.api_fixtures import anon, reader, staff  # noqa: F401
from tests.archive.site import Site


@pytest.fixture
def site():
    started = Site()
    yield started
    started.close()
