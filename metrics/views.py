"""`/metrics`: Prometheus's scrape, for internal addresses and the metrics token only.

Internal: loopback or METRICS_INTERNAL_NETWORKS, by `config.addresses.client_ip` (behind the
front door, the address the proxy saw, never one a client wrote). The token: a bearer token
whose SHA-256 is METRICS_TOKEN_SHA256, for a Prometheus outside those networks. The front
door answers /metrics itself with a 404 (deploy/nginx/), so the public never reaches this.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from config.addresses import client_ip, is_internal
from metrics.collectors import scrape_registry


def _has_metrics_token(request) -> bool:
    expected = settings.METRICS_TOKEN_SHA256.lower()
    scheme, _space, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if not expected or scheme.lower() != "bearer" or not token:
        return False
    presented = hashlib.sha256(token.strip().encode()).hexdigest()
    return hmac.compare_digest(presented, expected)


def metrics_caller_allowed(request) -> bool:
    internal = is_internal(client_ip(request), networks=settings.METRICS_INTERNAL_NETWORKS)
    return internal or _has_metrics_token(request)


@never_cache
@require_safe
def metrics(request):
    if not metrics_caller_allowed(request):
        response = HttpResponse(
            _("Metrics are served to internal addresses and to the metrics token only.") + "\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
