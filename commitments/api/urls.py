from django.urls import path
from rest_framework.routers import SimpleRouter

from commitments.api.views import (
    ActorViewSet,
    CommitmentViewSet,
    DeadlinesCalendarView,
    ReasonVocabularyView,
    StatusVocabularyView,
)

router = SimpleRouter()
router.register("commitments", CommitmentViewSet, basename="commitment")
router.register("actors", ActorViewSet, basename="actor")

urlpatterns = [
    *router.urls,
    path("statuses/", StatusVocabularyView.as_view(), name="status-list"),
    path("reasons/", ReasonVocabularyView.as_view(), name="reason-list"),
    path("deadlines.ics", DeadlinesCalendarView.as_view(), name="deadline-calendar"),
]
