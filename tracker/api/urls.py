from django.urls import path

from tracker.api.views import AlertFeedView, StatsView

urlpatterns = [
    path("alerts/", AlertFeedView.as_view(), name="alert-feed"),
    path("stats/", StatsView.as_view(), name="stats"),
]
