import pytest


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client
