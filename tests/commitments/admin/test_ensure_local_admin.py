"""`ensure_local_admin`: the first `make run` prints how to log in; later runs never reset."""

import stat
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command

from tests.factories import make_user


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    directory = tmp_path / "data"
    monkeypatch.setenv("TRACKER_DATA_DIR", str(directory))
    monkeypatch.delenv("TRACKER_PORT", raising=False)
    return directory


def run() -> str:
    out = StringIO()
    call_command("ensure_local_admin", stdout=out)
    return out.getvalue()


def test_with_no_superuser_it_creates_admin_with_a_generated_password_and_says_how_to_log_in(
    db, data_dir
):
    output = run()

    password_file = data_dir / "admin-password.txt"
    password = password_file.read_text().strip()
    assert len(password) >= 20
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600
    assert output.splitlines() == [
        "Created a local admin user.",
        "  Log in at: http://127.0.0.1:8000/admin/",
        "  Username:  admin",
        f"  Password:  {password}",
        f"The password is kept in {password_file} (readable by you only).",
    ]
    user = authenticate(username="admin", password=password)
    assert user is not None and user.is_superuser and user.is_staff


def test_each_database_gets_its_own_password(db, data_dir):
    first = run()
    get_user_model().objects.all().delete()

    second = run()

    assert first != second


def test_a_second_run_never_resets_the_password_and_says_where_it_is(db, data_dir):
    run()
    password = (data_dir / "admin-password.txt").read_text().strip()

    output = run()

    assert output.strip() == (
        "Admin: log in at http://127.0.0.1:8000/admin/ as 'admin'; its generated password is "
        f"in {data_dir / 'admin-password.txt'} (unless it was changed since)."
    )
    assert password not in output
    assert authenticate(username="admin", password=password) is not None
    assert (data_dir / "admin-password.txt").read_text().strip() == password


def test_a_superuser_made_by_hand_is_left_alone(db, data_dir):
    get_user_model().objects.create_superuser("maya", password="her-own-password-123")

    output = run()

    assert "as 'maya'" in output
    assert "python manage.py changepassword maya" in output
    assert not (data_dir / "admin-password.txt").exists()
    assert get_user_model().objects.count() == 1


def test_a_plain_user_called_admin_is_not_promoted(db, data_dir):
    make_user(username="admin")

    with pytest.raises(CommandError, match="exists but is not a superuser"):
        run()

    assert not get_user_model().objects.get(username="admin").is_superuser


def test_the_login_address_follows_the_port_make_run_serves_on(db, data_dir, monkeypatch):
    monkeypatch.setenv("TRACKER_PORT", "8765")

    assert "  Log in at: http://127.0.0.1:8765/admin/" in run().splitlines()
