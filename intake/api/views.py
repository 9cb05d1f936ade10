"""The assistant's suggestions for a text a script sends: what the admin's suggestion page
shows, as JSON, worked out in the request and never written. Bounded: the text is at most
INTAKE_API_MAX_TEXT_CHARS, and the reading stops after INTAKE_API_TIME_LIMIT seconds, which
the answer says (`timed_out`)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.viewsets import StrictQueryParamsMixin
from intake.api.serializers import SuggestionsRequestSerializer, SuggestionsSerializer
from intake.selectors import suggestions_answer


class SuggestionsView(StrictQueryParamsMixin, APIView):
    # What the admin's suggestion page needs (config.api.permissions reads these two).
    action = "suggest"
    action_permissions = {"suggest": ("commitments.add_commitment",)}

    @extend_schema(
        summary="Suggest commitments in a text (staff)",
        description="The candidates the extraction assistant finds in an article (English and "
        "Russian; another language is named in `message`), each with the existing "
        "commitments it may concern and the status change it supports. Nothing is written: "
        "record a change through `POST /commitments/{id}/status-changes/` (a match's `id`), "
        "with the candidate's quote as its evidence.",
        request=SuggestionsRequestSerializer,
        responses={200: SuggestionsSerializer},
    )
    def post(self, request: Request) -> Response:
        query = SuggestionsRequestSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        answer = suggestions_answer(**query.reading, seconds=settings.INTAKE_API_TIME_LIMIT)
        return Response(SuggestionsSerializer(answer).data)
