# The production image: the web server (gunicorn), the Celery worker and beat all run from it.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

WORKDIR /app
RUN useradd --create-home --uid 1000 tracker

COPY pyproject.toml README.md ./
COPY config ./config
COPY common ./common
COPY accounts ./accounts
COPY sources ./sources
COPY commitments ./commitments
COPY tracker ./tracker
COPY webhooks ./webhooks
COPY archive ./archive
COPY pages ./pages
COPY intake ./intake
COPY metrics ./metrics
COPY manage.py ./
RUN pip install .

# Static files are collected at build time; the settings need their variables to import,
# so build-only placeholders are given here (never used at run time).
RUN DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=build \
    DATABASE_URL=postgres://build@localhost/build CELERY_BROKER_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput

# The archive's WARC files (a named volume in docker-compose.yml, shared by web and worker),
# owned by the user that writes them: a new volume takes this directory's owner.
RUN mkdir -p /var/lib/tracker/archive && chown tracker /var/lib/tracker/archive

# prometheus-client's multiprocess mode: gunicorn's workers (and a Celery worker's pool) count
# in files here, and /metrics adds them up (config/gunicorn.py, metrics/worker.py).
ENV PROMETHEUS_MULTIPROC_DIR=/tmp/tracker-metrics

USER tracker
EXPOSE 8000
# A CSV export of every row streams for a while: give a worker longer than the default 30 s.
CMD ["gunicorn", "config.wsgi:application", "--config", "python:config.gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", "--access-logfile", "-"]
