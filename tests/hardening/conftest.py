import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from tests.api_fixtures import anon, reader, staff  # noqa: F401


@pytest.fixture
def no_connection_closing(db):
    """Django closes "obsolete" connections around each request; inside the test's transaction
    that would close it. Django's test client switches this off too; a test that drives the
    WSGI or ASGI application itself needs this."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
