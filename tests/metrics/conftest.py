from tests.tracker.conftest import clock  # noqa: F401
from tests.webhooks.conftest import receivers  # noqa: F401
