from django.urls import path

from intake.api.views import SuggestionsView

urlpatterns = [
    path("intake/suggestions/", SuggestionsView.as_view(), name="intake-suggestions"),
]
