"""Answers outside the API's views, in the API's own shape.

- `problem_json`: a problem-details response for plain Django code (middleware, handlers);
- `ApiRootView`: `/api/v1/` answers a small JSON index of the endpoints;
- `api_not_found`: the last pattern of the API's URL map, so that an unknown path under
  `/api/` is a problem-details 404, not Django's HTML page (a path missing only its final
  slash is redirected to it, as APPEND_SLASH did before the catch-all existed);
- `bad_request` / `server_error` (Django's handler400 / handler500): problem details under
  `/api/`, Django's own pages elsewhere. A body that Django found too large while reading it
  (RequestDataTooBig, e.g. one sent without Content-Length) is a 413, not a 400.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.links import absolute_url
from config.api.exceptions import PROBLEM_MEDIA_TYPE, payload_too_large_detail, problem_body
from config.api.links import is_api_path
from config.api.viewsets import StrictQueryParamsMixin

NOT_FOUND_URL_NAME = "api-not-found"

# The index's links: the name it is listed under → the URL name of the endpoint.
ENDPOINTS = {
    "commitments": "commitment-list",
    "actors": "actor-list",
    "sources": "source-list",
    "alerts": "alert-feed",
    "alerts.atom": "alert-feed-atom",
    "webhooks": "webhook-list",
    "stats": "stats",
    "statuses": "status-list",
    "reasons": "reason-list",
    "deadlines.ics": "deadline-calendar",
    "schema": "schema",
    "docs": "docs",
}


def problem_json(request, *, status: int, detail: str, code: str, **headers: str) -> JsonResponse:
    response = JsonResponse(
        problem_body(status_code=status, detail=detail, code=code, instance=request.path),
        status=status,
        content_type=PROBLEM_MEDIA_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )
    for name, value in headers.items():
        response[name] = value
    return response


def payload_too_large(request) -> HttpResponse:
    if is_api_path(request):
        return problem_json(
            request, status=413, detail=payload_too_large_detail(), code="request_too_large"
        )
    return HttpResponse(payload_too_large_detail(), status=413, content_type="text/plain")


class ApiIndexSerializer(serializers.Serializer):
    """The API's name, its version, and the URL of each endpoint."""

    title = serializers.CharField()
    version = serializers.CharField()
    links = serializers.DictField(
        child=serializers.URLField(), help_text="Each endpoint's URL, by name."
    )


class ApiRootView(StrictQueryParamsMixin, APIView):
    """The API's front door: what there is and where."""

    http_method_names = ["get", "head", "options"]

    @extend_schema(
        operation_id="api_root",
        summary="The endpoints of the API",
        responses=ApiIndexSerializer,
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                "title": settings.SPECTACULAR_SETTINGS["TITLE"],
                "version": settings.SPECTACULAR_SETTINGS["VERSION"],
                "links": {
                    name: absolute_url(reverse(url_name)) for name, url_name in ENDPOINTS.items()
                },
            }
        )


def _slash_redirect_target(request) -> str | None:
    """The same path with a final slash, when that is a real endpoint."""
    if request.path_info.endswith("/"):
        return None
    try:
        match = resolve(f"{request.path_info}/", getattr(request, "urlconf", None))
    except Resolver404:
        return None
    if match.func is api_not_found:
        return None
    return request.get_full_path(force_append_slash=True)


@csrf_exempt
def api_not_found(request, *args, **kwargs) -> HttpResponse:
    target = _slash_redirect_target(request)
    if target is not None:
        if request.method in ("GET", "HEAD"):
            return HttpResponsePermanentRedirect(target)
        # 308 keeps the method and the body (a 301 turns a POST into a GET in most clients).
        return HttpResponsePermanentRedirect(target, status=308)
    return problem_json(
        request,
        status=404,
        detail=f"There is no endpoint at {request.path}. The index of the API is at "
        f"{reverse('api-root')}.",
        code="not_found",
    )


def bad_request(request, exception=None, template_name="400.html") -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        return payload_too_large(request)
    if is_api_path(request):
        return problem_json(
            request, status=400, detail="The request could not be understood.", code="bad_request"
        )
    return defaults.bad_request(request, exception, template_name=template_name)


def server_error(request, template_name="500.html") -> HttpResponse:
    if is_api_path(request):
        return problem_json(
            request,
            status=500,
            detail="Something went wrong on our side and was logged. Try again later.",
            code="server_error",
        )
    return defaults.server_error(request, template_name=template_name)
