from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from config.api.handlers import api_not_found
from config.health import health
from metrics.views import metrics

# The admin is where staff keep the record true: it says so, not "Django administration".
admin.site.site_header = _("Commitment tracker — staff")
admin.site.site_title = _("Commitment tracker staff")
admin.site.index_title = _("Keep the record true")
# At 1366 px the sidebar took 300 px from every list; the breadcrumbs and the index link to
# the same pages.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("health/", health, name="health"),
    # Prometheus's scrape, for internal callers only (metrics/views.py); the proxy hides it.
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    # Any other version or path under /api/: a problem-details 404, not an HTML page.
    re_path(r"^api/", api_not_found),
]
# The public pages (overview, commitments, sources, timeline) under their language: /en/,
# /ru/, /tk/, English included. `/` and an unprefixed page (an old /commitments/… link) are
# redirected to the reader's language by config.middleware.PageLocaleMiddleware.
urlpatterns += i18n_patterns(path("", include("pages.urls")), prefix_default_language=True)

# Problem details under /api/, Django's pages elsewhere; a body too large is a 413.
handler400 = "config.api.handlers.bad_request"
handler500 = "config.api.handlers.server_error"
