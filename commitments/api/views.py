"""Commitments, actors, the status vocabulary and the deadline calendar.

Reads start from the selectors (drafts only for staff); writes go through
commitments/services.py, whose refusals the exception handler turns into 400/412 problems.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from commitments.api.calendar import CALENDAR_FIELDS, deadline_calendar_lines
from commitments.api.serializers import (
    ActorDetailSerializer,
    ActorSerializer,
    CitationCreateSerializer,
    CitationSerializer,
    ClaimCreateSerializer,
    ClaimResolutionSerializer,
    ClaimSerializer,
    CommitmentCreateSerializer,
    CommitmentSerializer,
    CommitmentUpdateSerializer,
    DeadlineChangeCreateSerializer,
    DisputeResolutionCreateSerializer,
    HistoryEntrySerializer,
    StatusChangeCreateSerializer,
    StatusSerializer,
    commitment_page_field,
)
from commitments.fields import ACTOR_FIELDS
from commitments.filters import ActorFilterSet, CommitmentFilterSet
from commitments.models import Actor, Commitment
from commitments.selectors import (
    COMMITMENT_CSV_FIELDS,
    HistoryEntry,
    actor_detail_for_api,
    actors_for_api,
    commitment_csv_value,
    commitment_history,
    commitments_csv_rows,
    commitments_visible_to,
    commitments_with_api_json,
)
from commitments.services import (
    CitationSpec,
    PartySpec,
    citation_add,
    claim_add,
    commitment_change_deadline,
    commitment_create,
    commitment_record_status_change,
    commitment_update,
    dispute_resolve,
)
from config.api.conditional import etag_for, if_none_match_hits, locked_for_write, not_modified
from config.api.export import CHUNK_SIZE, csv_columns
from config.api.filters import MAX_BIGINT, SLUG, is_id_text
from config.api.renderers import ICalendarRenderer, JSONText
from config.api.schema import (
    ETAG_HEADER,
    IF_MATCH_HEADER,
    IF_NONE_MATCH_HEADER,
    NOT_MODIFIED,
)
from config.api.viewsets import (
    ApiGenericViewSet,
    ApiReadOnlyViewSet,
    StrictQueryParamsMixin,
)

ORDERING_FIELDS = {"deadline": "deadline_last_day", "updated": "updated_at", "title": "title"}
ORDER_COLUMNS = ("id", *ORDERING_FIELDS.values())  # what a page's cursor may be made of


def commitment_etag(api_json: str) -> str:
    """Of the representation itself: it changes exactly when what a client sees changes,
    a renamed actor or source included."""
    return etag_for("commitment", api_json)


def _etag_of(commitment: Commitment) -> str:
    return commitment_etag(commitment.api_json)


COMMITMENT_CSV_COLUMNS = {
    name: partial(commitment_csv_value, name=name) for name in COMMITMENT_CSV_FIELDS
}

WRITE_RESPONSES = {200: CommitmentSerializer}


@extend_schema_view(
    list=extend_schema(
        summary="List commitments",
        description="Filter, search and order; `?format=csv` streams every matching row.",
    ),
    retrieve=extend_schema(
        summary="One commitment",
        parameters=[IF_NONE_MATCH_HEADER, ETAG_HEADER],
        responses={200: CommitmentSerializer, 304: NOT_MODIFIED},
    ),
    create=extend_schema(
        summary="Create a commitment (staff)",
        request=CommitmentCreateSerializer,
        responses={201: CommitmentSerializer},
        parameters=[ETAG_HEADER],
    ),
    update=extend_schema(
        summary="Replace a commitment's fields (staff)",
        request=CommitmentUpdateSerializer,
        responses=WRITE_RESPONSES,
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
    ),
    partial_update=extend_schema(
        summary="Change some of a commitment's fields (staff)",
        request=CommitmentUpdateSerializer,
        responses=WRITE_RESPONSES,
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
    ),
)
class CommitmentViewSet(ApiGenericViewSet):
    """Commitments: what was proposed or promised, by whom, by when, and the evidence."""

    queryset = Commitment.objects.none()  # the real one depends on the caller: get_queryset
    serializer_class = CommitmentSerializer
    filterset_class = CommitmentFilterSet
    ordering_fields = ORDERING_FIELDS
    ordering = ["id"]
    csv_columns = COMMITMENT_CSV_COLUMNS
    csv_filename = "commitments.csv"

    def csv_queryset(self, queryset):
        return commitments_csv_rows(queryset=queryset)

    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        visible = commitments_visible_to(self.request.user)
        if self.action == "history":
            return visible.defer("search_vector")
        return commitments_with_api_json(visible)

    def _respond(self, pk: int, *, status_code: int = status.HTTP_200_OK) -> Response:
        commitment = self.get_queryset().get(pk=pk)
        headers = {"ETag": _etag_of(commitment)}
        if status_code == status.HTTP_201_CREATED:
            headers["Location"] = reverse(
                "commitment-detail", kwargs={"pk": pk}, request=self.request
            )
        return Response(JSONText(commitment.api_json), status=status_code, headers=headers)

    def list(self, request: Request, *args, **kwargs) -> Response:
        if request.accepted_renderer.format == "csv":
            return super().list(request, *args, **kwargs)
        # Plain rows, not model instances: the JSON and what the cursor needs.
        rows = self.filter_queryset(self.get_queryset()).values("api_json", *ORDER_COLUMNS)
        page = self.paginate_queryset(rows)
        results = ",".join(row["api_json"] for row in page)
        return self.get_paginated_response(JSONText(f"[{results}]"))

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        commitment = self.get_object()
        etag = _etag_of(commitment)
        if if_none_match_hits(request, etag):
            return not_modified(etag)
        return Response(JSONText(commitment.api_json), headers={"ETag": etag})

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = CommitmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        parties, citations = data.pop("parties"), data.pop("citations")
        commitment = commitment_create(
            **data,
            parties=[PartySpec(p["actor"], p["role"]) for p in parties],
            citations=[CitationSpec(c["source"], c["quote"], c["note"]) for c in citations],
            created_by=request.user,
        )
        return self._respond(commitment.pk, status_code=status.HTTP_201_CREATED)

    def update(self, request: Request, *args, partial: bool = False, **kwargs) -> Response:
        with transaction.atomic():
            commitment = locked_for_write(self, etag=_etag_of)
            serializer = CommitmentUpdateSerializer(commitment, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            parties = data.pop("parties", None)
            data.update(serializer.refused_changes())  # the service says why they need evidence
            commitment_update(
                commitment=commitment,
                data=data,
                parties=None
                if parties is None
                else [PartySpec(p["actor"], p["role"]) for p in parties],
                updated_by=request.user,
            )
        return self._respond(commitment.pk)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(
        summary="Status and deadline changes, oldest first, each with its evidence",
        responses={200: HistoryEntrySerializer(many=True)},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def history(self, request: Request, pk=None) -> Response:
        commitment = self.get_object()
        entries = commitment_history(commitment=commitment)
        return Response(HistoryEntrySerializer(entries, many=True).data)

    @extend_schema(
        summary="Record a status change with its evidence (staff)",
        request=StatusChangeCreateSerializer,
        responses={201: HistoryEntrySerializer},
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
    )
    @action(detail=True, methods=["post"], url_path="status-changes")
    def status_changes(self, request: Request, pk=None) -> Response:
        return self._record_change(
            StatusChangeCreateSerializer, commitment_record_status_change, kind="status"
        )

    @extend_schema(
        summary="Move, set or remove the deadline, with a reason and evidence (staff)",
        request=DeadlineChangeCreateSerializer,
        responses={201: HistoryEntrySerializer},
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
    )
    @action(detail=True, methods=["post"], url_path="deadline-changes")
    def deadline_changes(self, request: Request, pk=None) -> Response:
        return self._record_change(
            DeadlineChangeCreateSerializer, commitment_change_deadline, kind="deadline"
        )

    def _record_change(self, serializer_class, service, *, kind: str) -> Response:
        """A status or deadline change: validate the body, honour If-Match, call the service
        (whose refusals become 400 problems), answer with the new history entry."""
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            commitment = locked_for_write(self, etag=_etag_of)
            change = service(
                commitment=commitment, **serializer.validated_data, recorded_by=self.request.user
            )
        entry = HistoryEntry(kind, change.recorded_at, change)
        return self._created(HistoryEntrySerializer(entry).data, commitment.pk)

    @extend_schema(
        summary="Add a citation: a quote from a source (staff)",
        request=CitationCreateSerializer,
        responses={201: CitationSerializer},
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
    )
    @action(detail=True, methods=["post"])
    def citations(self, request: Request, pk=None) -> Response:
        serializer = CitationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            commitment = locked_for_write(self, etag=_etag_of)
            citation = citation_add(
                commitment=commitment, **serializer.validated_data, created_by=request.user
            )
        return self._created(CitationSerializer(citation).data, commitment.pk)

    @extend_schema(
        summary="Record a claim: a fact a quote states about the commitment (staff)",
        description="The commitment's `disputed_facts` are derived again from its claims.",
        request=ClaimCreateSerializer,
        responses={201: ClaimSerializer},
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
    )
    @action(detail=True, methods=["post"])
    def claims(self, request: Request, pk=None) -> Response:
        serializer = ClaimCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            commitment = locked_for_write(self, etag=_etag_of)
            claim = claim_add(
                commitment=commitment, **serializer.validated_data, created_by=request.user
            )
        return self._created(ClaimSerializer(claim).data, commitment.pk)

    @extend_schema(
        summary="Resolve a dispute: which claim the project follows, with evidence (staff)",
        description="Both claims stay, and the fact stays disputed: the sources still disagree.",
        request=DisputeResolutionCreateSerializer,
        responses={201: ClaimResolutionSerializer},
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
    )
    @action(detail=True, methods=["post"])
    def resolutions(self, request: Request, pk=None) -> Response:
        serializer = DisputeResolutionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        claim = data.pop("followed_claim")
        with transaction.atomic():
            commitment = locked_for_write(self, etag=_etag_of)
            resolution = dispute_resolve(
                commitment=commitment,
                fact=claim.fact,
                followed_claim=claim,
                **data,
                recorded_by=request.user,
            )
        return self._created(ClaimResolutionSerializer(resolution).data, commitment.pk)

    def _created(self, body, pk: int) -> Response:
        """A 201 for a record added to a commitment, with the commitment's new ETag."""
        etag = _etag_of(self.get_queryset().get(pk=pk))
        return Response(body, status=status.HTTP_201_CREATED, headers={"ETag": etag})


ACTOR_LOOKUP = OpenApiParameter(
    "id",
    str,
    location=OpenApiParameter.PATH,
    description="The actor's id or slug (e.g. `osce`).",
)

ACTOR_CSV_COLUMNS = csv_columns(ACTOR_FIELDS.flat_columns())


@extend_schema_view(
    list=extend_schema(summary="List actors"),
    retrieve=extend_schema(
        summary="One actor, with the commitments it is a party to", parameters=[ACTOR_LOOKUP]
    ),
)
class ActorViewSet(ApiReadOnlyViewSet):
    """People, government bodies, countries, international organisations and companies."""

    queryset = Actor.objects.none()
    serializer_class = ActorSerializer
    filterset_class = ActorFilterSet
    lookup_url_kwarg = "id"
    lookup_value_regex = "[^/]+"
    csv_columns = ACTOR_CSV_COLUMNS
    csv_filename = "actors.csv"

    def get_queryset(self):
        if self.action == "retrieve":
            return actor_detail_for_api(user=self.request.user)
        return actors_for_api()

    def get_serializer_class(self):
        return ActorDetailSerializer if self.action == "retrieve" else ActorSerializer

    def get_object(self) -> Actor:
        value = self.kwargs["id"]
        if is_id_text(value) and int(value) <= MAX_BIGINT:
            lookup = {"pk": int(value)}
        elif SLUG.match(value):
            lookup = {"slug": value}
        else:
            raise NotFound()
        return get_object_or_404(self.get_queryset(), **lookup)


class StatusVocabularyView(StrictQueryParamsMixin, APIView):
    """The status vocabulary and how each status reads in others' vocabularies: PolitiFact's
    meter, OGP/IRM completion, iCalendar VTODO STATUS."""

    @extend_schema(summary="The status vocabulary", responses=StatusSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(StatusSerializer(StatusSerializer.vocabulary(), many=True).data)


class DeadlinesCalendarView(StrictQueryParamsMixin, GenericAPIView):
    """iCalendar (RFC 5545) feed of deadlines: one VTODO per commitment with a deadline, due on
    its last day, STATUS mapped from the commitment's status. Takes the commitment filters."""

    renderer_classes = [ICalendarRenderer]
    filterset_class = CommitmentFilterSet
    queryset = Commitment.objects.none()
    pagination_class = None
    schema_lists_filters = True

    def applies_list_params(self) -> bool:
        return True

    def get_queryset(self):
        return commitments_visible_to(self.request.user)

    @extend_schema(
        summary="Deadline calendar (iCalendar)",
        responses={
            (200, "text/calendar"): OpenApiResponse(
                {"type": "string"}, description="An iCalendar (RFC 5545) document."
            )
        },
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        commitments = (
            self.filter_queryset(self.get_queryset())
            .filter(deadline_last_day__isnull=False)
            .only(*CALENDAR_FIELDS)
            .order_by("deadline_last_day", "id")
        )
        host = request.get_host().split(":")[0]

        page = commitment_page_field()

        def url_for(commitment: Commitment) -> str:
            # The public page: a calendar is read by people.
            return request.build_absolute_uri(page.to_representation(commitment.reference))

        response = StreamingHttpResponse(
            deadline_calendar_lines(
                commitments.iterator(chunk_size=CHUNK_SIZE),
                name="Commitment deadlines",
                url_for=url_for,
                host=host,
            ),
            content_type="text/calendar; charset=utf-8",
        )
        response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
        return response
