"""Settings for the test suite: the real PostgreSQL and Redis named by the environment."""

from .base import *  # noqa: F403
from .base import BASE_DIR, CACHES, STORAGES, env

SECRET_KEY = "test-only-not-a-secret"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
# Tests share a Redis with whatever else runs on the machine: keep their keys apart.
CACHES["default"]["KEY_PREFIX"] = env("CACHE_KEY_PREFIX", default="tracker-test")
# Child processes started by tests use Django's test client, whose host is "testserver".
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# Serve app static files (admin, API docs) straight from the apps: no collectstatic in tests.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# Webhook tests deliver to receivers they start on 127.0.0.1.
WEBHOOK_ALLOW_PRIVATE_TARGETS = True
# The archive fetches only what a test serves on 127.0.0.1, and never on a save (the seed's
# sources name real sites); its files go to a directory of the tests' own.
ARCHIVE_CAPTURE_ON_SAVE = False
ARCHIVE_ALLOWED_INTERNAL_NETWORKS = ["127.0.0.0/8"]
STORAGES["archive"] = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(BASE_DIR / ".data" / "test-archive")},
}
# Every scrape counts afresh: tests read the figures right after changing them.
METRICS_FIGURES_CACHE_SECONDS = 0
# Stale evidence is off unless a test turns it on (tests/commitments/api/test_stale_evidence.py
# and the others that read it set the defaults of base.py): most tests cite a source of 2024
# and read with today's clock, so every commitment they make would be stale, with its alert.
TRACKER_EVIDENCE_STALE_DAYS = 100 * 365
TRACKER_EVIDENCE_GRACE_DAYS = 100 * 365
