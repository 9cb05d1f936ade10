"""Make sure a local admin can log in: `make run` calls this before it starts the server.

With no superuser yet, create `admin` with a random password, keep the password in a file
only its owner can read, and print how to log in. With one already there, never touch it:
only say where the generated password was kept. There is never a fixed password.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

USERNAME = "admin"
PASSWORD_FILE_NAME = "admin-password.txt"


def admin_url() -> str:
    # The port `make run` serves on (TRACKER_PORT, 8000 unless told otherwise).
    return f"http://127.0.0.1:{os.environ.get('TRACKER_PORT') or '8000'}/admin/"


def password_file_path() -> Path:
    data_dir = os.environ.get("TRACKER_DATA_DIR") or Path(settings.BASE_DIR) / ".data"
    return Path(data_dir) / PASSWORD_FILE_NAME


def _password_file_write(path: Path, password: str) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # an existing file keeps its mode through O_CREAT: set it
        os.write(fd, f"{password}\n".encode())
    finally:
        os.close(fd)


class Command(BaseCommand):
    help = "Create a local admin user with a generated password, unless a superuser exists."

    def handle(self, *args, **options):
        User = get_user_model()
        path = password_file_path()
        superusers = User.objects.filter(is_superuser=True)
        existing = superusers.filter(username=USERNAME).first() or superusers.order_by("pk").first()
        if existing is not None:
            self._print_existing(existing, path)
            return
        if User.objects.filter(username=USERNAME).exists():
            raise CommandError(
                f"A user named {USERNAME!r} exists but is not a superuser; it is left as it "
                "is. Create a superuser with `python manage.py createsuperuser`."
            )
        password = secrets.token_urlsafe(18)
        with transaction.atomic():  # no user without its password file, and the reverse
            User.objects.create_superuser(username=USERNAME, email="", password=password)
            _password_file_write(path, password)
        self.stdout.write(
            "Created a local admin user.\n"
            f"  Log in at: {admin_url()}\n"
            f"  Username:  {USERNAME}\n"
            f"  Password:  {password}\n"
            f"The password is kept in {path} (readable by you only)."
        )

    def _print_existing(self, user, path: Path) -> None:
        username = user.get_username()
        if username == USERNAME and path.exists():
            where = f"its generated password is in {path} (unless it was changed since)"
        else:
            where = (
                "its password was not generated here; set a new one with "
                f"`python manage.py changepassword {username}`"
            )
        self.stdout.write(f"Admin: log in at {admin_url()} as {username!r}; {where}.")
