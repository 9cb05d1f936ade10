"""The public pages, at the site's root: read-only, published records only."""

from django.urls import path

from pages import views

app_name = "pages"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("commitments/", views.commitment_list, name="commitment-list"),
    # `path`, not `str`: a reference may hold any character, "/" included (percent-encoded).
    path("commitments/<path:reference>/", views.commitment_detail, name="commitment"),
    path("sources/<int:source_id>/", views.source_detail, name="source"),
    path("timeline/", views.timeline, name="timeline"),
]
