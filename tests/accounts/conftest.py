from tests.api_fixtures import anon, reader, staff  # noqa: F401
