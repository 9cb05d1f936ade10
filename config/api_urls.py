"""The API v1 URL map: each app's api/urls.py, plus the schema and its docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("sources.api.urls")),
    path("", include("commitments.api.urls")),
    path("", include("tracker.api.urls")),
    # The OpenAPI 3 schema (YAML by default, ?format=json for JSON) and its human docs, whose
    # assets come from drf-spectacular-sidecar: no CDN.
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]
