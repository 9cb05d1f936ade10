"""`/health/`: does this process reach its database and its broker?

Load balancers and `make run`'s smoke test poll it. It answers 200 when both answer, else
503 with the reason, so an operator reads what is down without opening a log.
"""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from config.celery_app import app as celery_app

BROKER_TIMEOUT_SECONDS = 2


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure to answer is "down"; the reason says which
        return f"down: {error.__class__.__name__}: {error}".strip()
    return "ok"


def broker_status() -> str:
    try:
        # The socket timeout too: a Redis that accepts connections and never answers would
        # otherwise hold this check for the transport's own (longer) read timeout, past a load
        # balancer's patience, which then sees a timeout instead of this 503 naming the broker.
        with celery_app.connection_for_write(
            transport_options={"socket_timeout": BROKER_TIMEOUT_SECONDS}
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as error:
        return f"down: {error.__class__.__name__}: {error}".strip()
    return "ok"


@never_cache
@require_safe
def health(request):
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks},
        status=200 if healthy else 503,
    )
