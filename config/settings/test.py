"""Settings for the test suite: the real PostgreSQL and Redis named by the environment."""

from .base import *  # noqa: F403
from .base import CACHES, env

SECRET_KEY = "test-only-not-a-secret"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
# Tests share a Redis with whatever else runs on the machine: keep their keys apart.
CACHES["default"]["KEY_PREFIX"] = env("CACHE_KEY_PREFIX", default="tracker-test")
