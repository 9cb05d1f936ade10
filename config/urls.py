from django.contrib import admin
from django.urls import include, path, re_path

from config.api.handlers import api_not_found
from config.health import health

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    # Any other version or path under /api/: a problem-details 404, not an HTML page.
    re_path(r"^api/", api_not_found),
]

# Problem details under /api/, Django's pages elsewhere; a body too large is a 413.
handler400 = "config.api.handlers.bad_request"
handler500 = "config.api.handlers.server_error"
