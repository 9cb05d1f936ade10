"""The API v1 URL map: each app's api/urls.py, plus the schema and its docs."""

from django.urls import include, path

urlpatterns = [
    path("", include("sources.api.urls")),
    path("", include("commitments.api.urls")),
    path("", include("tracker.api.urls")),
]
