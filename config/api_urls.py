"""The API v1 URL map: an index, each app's api/urls.py, the schema and its docs, and a
problem-details 404 for any other path."""

from django.http import HttpResponse
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.api.handlers import NOT_FOUND_URL_NAME, ApiRootView, api_not_found


class ApiDocsView(SpectacularSwaggerSplitView):
    def options(self, request, *args, **kwargs):
        # DRF answers OPTIONS with the view's metadata, which this HTML-only view has no
        # template to render (a 500): the methods it allows are the answer.
        return HttpResponse(status=204, headers={"Allow": ", ".join(self.allowed_methods)})


urlpatterns = [
    # The index: a link to each endpoint.
    path("", ApiRootView.as_view(), name="api-root"),
    path("", include("sources.api.urls")),
    path("", include("archive.api.urls")),
    path("", include("commitments.api.urls")),
    path("", include("tracker.api.urls")),
    path("", include("webhooks.api.urls")),
    path("", include("intake.api.urls")),
    # The OpenAPI 3 schema (YAML by default, ?format=json for JSON) and its human docs, whose
    # assets come from drf-spectacular-sidecar: no CDN. The split view serves Swagger UI's init
    # script as a file (docs/?script), so the Content-Security-Policy needs no inline script.
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path(
        "docs/",
        ApiDocsView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    # Last: any other path is a problem-details 404 (or a redirect to the same path with its
    # final slash, when that exists).
    re_path(r"^.*$", api_not_found, name=NOT_FOUND_URL_NAME),
]
