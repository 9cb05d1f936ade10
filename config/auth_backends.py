"""The admin login's rate limit (django-axes), as configured in config/settings/base.py.

- `LoginRateLimitBackend`: axes' backend, first in AUTHENTICATION_BACKENDS, refuses every
  login attempt of a locked-out username and address. A call of `authenticate()` without a
  request is not a login over HTTP (a management command or the shell checking a password): it
  is passed on to the next backend instead of raising, as axes' own backend would.
- The client's address is `config.addresses.client_ip` (AXES_CLIENT_IP_CALLABLE), the
  one the API's throttles count.
- `lockout_response`: a locked-out attempt is a plain 429 that says why and for how long, with
  Retry-After; never a CORS header (axes' default adds some to XMLHttpRequest answers).
"""

from __future__ import annotations

import math

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off, get_lockout_message
from django.conf import settings
from django.http import HttpResponse


class LoginRateLimitBackend(AxesStandaloneBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    response = HttpResponse(
        get_lockout_message(),
        status=settings.AXES_HTTP_RESPONSE_CODE,
        content_type="text/plain; charset=utf-8",
    )
    cool_off = get_cool_off(request)
    if cool_off:
        response["Retry-After"] = str(math.ceil(cool_off.total_seconds()))
    return response
