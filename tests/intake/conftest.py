import pytest


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def committed_editor(transactional_db):
    """An editor in a test that commits (see tests.conftest.editors_group_ensure)."""
    from tests.conftest import editors_group_ensure
    from tests.factories import make_user

    editors_group_ensure()
    from django.contrib.auth.models import Group

    user = make_user(username="editor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user
