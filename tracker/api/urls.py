from django.urls import path

from tracker.api.atom import AlertAtomFeedView
from tracker.api.views import AlertFeedView, StatsView

urlpatterns = [
    path("alerts/", AlertFeedView.as_view(), name="alert-feed"),
    path("alerts.atom", AlertAtomFeedView.as_view(), name="alert-feed-atom"),
    path("stats/", StatsView.as_view(), name="stats"),
]
