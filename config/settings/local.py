"""Settings for `make run` on a developer's machine: debug on, a throwaway key."""

import os

from config.embedded import DATA_DIR, DATABASE_NAME

# `manage.py` without any environment (makemigrations, shell, ...) finds the embedded
# PostgreSQL that `make run` keeps under .data/, and a Redis on its usual port; base.py, which
# production shares, still requires both variables.
os.environ.setdefault(
    "DATABASE_URL", f"postgres://postgres@/{DATABASE_NAME}?host={DATA_DIR}/postgres"
)
os.environ.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Only for the local machine; production refuses to start without its own key.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-development-only-not-a-secret")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
# Serve app static files (admin, API docs) straight from the apps: no collectstatic needed.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
