"""`/health/`: does this process reach its database and its broker?

Load balancers and `make run`'s smoke test poll it. It answers 200 when both answer, else 503
naming what is down (`"database": "down"`), so an operator reads what is down without opening
a log. Why it is down (the exception's text: host names, ports, driver versions) is said only
to an internal caller — loopback or HEALTH_INTERNAL_NETWORKS, by `config.addresses.client_ip`,
so a proxy in front does not make everyone internal — or to a staff session; it is always
logged.
"""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from config.addresses import client_ip, is_internal
from config.api.permissions import is_staff
from config.celery_app import app as celery_app

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2


def _reason(error: Exception) -> str:
    return f"{error.__class__.__name__}: {error}".strip()


def database_status() -> str | None:
    """None when the database answers, else why not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure to answer is "down"; the reason says which
        return _reason(error)
    return None


def broker_status() -> str | None:
    """None when the broker answers, else why not."""
    try:
        # The socket timeout too: a Redis that accepts connections and never answers would
        # otherwise hold this check for the transport's own (longer) read timeout, past a load
        # balancer's patience, which then sees a timeout instead of this 503 naming the broker.
        with celery_app.connection_for_write(
            transport_options={"socket_timeout": BROKER_TIMEOUT_SECONDS}
        ) as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as error:
        return _reason(error)
    return None


def _may_read_reasons(request) -> bool:
    if is_internal(client_ip(request)):
        return True
    try:
        return is_staff(request.user)  # the session: a database read, which may be the thing down
    except Exception:
        return False


@never_cache
@require_safe
def health(request):
    reasons = {"database": database_status(), "broker": broker_status()}
    down = {name: reason for name, reason in reasons.items() if reason is not None}
    for name, reason in down.items():
        logger.warning("health: %s down: %s", name, reason)
    detailed = bool(down) and _may_read_reasons(request)
    checks = {
        name: "ok" if reason is None else (f"down: {reason}" if detailed else "down")
        for name, reason in reasons.items()
    }
    return JsonResponse(
        {"status": "unavailable" if down else "ok", "checks": checks},
        status=503 if down else 200,
    )
