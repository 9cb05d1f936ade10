"""Commitments, actors, the status vocabulary and the deadline calendar.

Reads start from the selectors (drafts only for staff); writes go through
commitments/services.py, whose refusals the exception handler turns into 400/412 problems.
"""

from __future__ import annotations

from functools import partial

from django.conf import settings
from django.db import transaction
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.http import http_date
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from commitments.api.calendar import (
    CALENDAR_FIELDS,
    COMPONENTS,
    EVENT,
    FEED_FORMAT,
    deadline_calendar_lines,
)
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
    CommitmentStaffSerializer,
    CommitmentUpdateSerializer,
    DeadlineChangeCreateSerializer,
    DisputeResolutionCreateSerializer,
    HistoryEntrySerializer,
    PartyStatusChangeCreateSerializer,
    ReasonSerializer,
    StatusChangeCreateSerializer,
    StatusSerializer,
    StatusSourceSerializer,
    commitment_page_field,
)
from commitments.fields import ACTOR_FIELDS
from commitments.filters import ActorFilterSet, CommitmentFilterSet
from commitments.history import HistoryEntry
from commitments.models import Actor, Commitment
from commitments.selectors import (
    COMMITMENT_CSV_FIELDS,
    actor_detail_for_api,
    actors_for_api,
    commitment_api_json_variants,
    commitment_csv_value,
    commitment_history,
    commitments_csv_rows,
    commitments_visible_to,
    commitments_with_api_json,
    deadline_calendar_rows,
    deadline_calendar_state,
    party_of,
)
from commitments.services import (
    CitationSpec,
    PartySpec,
    citation_add,
    claim_add,
    commitment_change_deadline,
    commitment_create,
    commitment_record_status_change,
    commitment_set_status_source,
    commitment_update,
    dispute_resolve,
    party_record_status_change,
)
from common.links import absolute_url, public_origin, url_for
from common.search import SEARCH_RANK
from common.translations import BASE_LANGUAGE, localized
from config.api.conditional import etag_for, if_none_match_hits, locked_for_write, not_modified
from config.api.export import CHUNK_SIZE, csv_columns
from config.api.filters import MAX_BIGINT, SLUG, is_id_text
from config.api.languages import in_active_language
from config.api.links import created as created_response
from config.api.renderers import ICalendarRenderer, JSONText
from config.api.schema import (
    ETAG_HEADER,
    IF_MATCH_HEADER,
    IF_NONE_MATCH_HEADER,
    NOT_MODIFIED,
)
from config.api.throttling import ScopedRateThrottle
from config.api.viewsets import (
    ApiGenericViewSet,
    ApiReadOnlyViewSet,
    StrictQueryParamsMixin,
)

# `title` orders by the English title in every language: one order, whatever the reader's
# language, so that a cursor means the same position for all.
ORDERING_FIELDS = {
    "deadline": "deadline_last_day",
    "updated": "updated_at",
    "title": localized("title", BASE_LANGUAGE),
}
ORDER_COLUMNS = ("id", *ORDERING_FIELDS.values())  # what a page's cursor may be made of


def _is_id(value: str) -> bool:
    return is_id_text(value) and int(value) <= MAX_BIGINT


def commitment_etag(api_json: str) -> str:
    """Of the representation itself: it changes exactly when what a client sees changes,
    a renamed actor or source included."""
    return etag_for("commitment", api_json)


def _etag_of(commitment: Commitment) -> str:
    return commitment_etag(commitment.api_json)


def _etags_of_every_representation(commitment: Commitment) -> list[str]:
    """The commitment's ETag in each language, for staff and for others: an If-Match from a
    read in another language, or without the token, names the same state."""
    etags = []
    for (language, _staff), api_json in commitment_api_json_variants(pk=commitment.pk).items():
        with translation.override(language):
            etags.append(commitment_etag(api_json))
    return etags


COMMITMENT_CSV_COLUMNS = {
    name: partial(commitment_csv_value, name=name) for name in COMMITMENT_CSV_FIELDS
}

WRITE_RESPONSES = {200: CommitmentStaffSerializer}
ADDED_TO_A_COMMITMENT = (
    "status_changes",
    "party_status_changes",
    "status_source",
    "deadline_changes",
    "citations",
    "claims",
    "resolutions",
)

# What a reference in the URL may be: a reference that is only digits reads as an id.
REFERENCE_MAX_LENGTH = Commitment._meta.get_field("reference").max_length
READ_BY_REFERENCE = (
    "By id (canonical) or by reference (`TM-2024-04`): read-only, the same body and ETag, "
    'with `Link: <…/commitments/{id}/>; rel="canonical"`. A write by reference is a 405 '
    "naming the URL by id."
)
COMMITMENT_LOOKUP = OpenApiParameter(
    "id",
    str,
    location=OpenApiParameter.PATH,
    description="The commitment's id, or its reference (e.g. `TM-2024-04`; a reference made "
    "only of digits is read as an id).",
)
COMMITMENT_ID = OpenApiParameter(
    "id",
    int,
    location=OpenApiParameter.PATH,
    description="The commitment's id (a write takes no reference).",
)
ALIAS_HEADERS = [
    OpenApiParameter(
        "Link",
        str,
        location=OpenApiParameter.HEADER,
        response=[200, 304],
        description='Read by reference: `<URL by id>; rel="canonical"`.',
    ),
    OpenApiParameter(
        "Content-Location",
        str,
        location=OpenApiParameter.HEADER,
        response=[200, 304],
        description="Read by reference: the URL by id, which this representation is of.",
    ),
]
# The routes of one commitment that answer by reference too (the others only by id).
CANONICAL_ROUTES = {"retrieve": "commitment-detail", "history": "commitment-history"}
SAFE = ("GET", "HEAD", "OPTIONS")


class ReadOnlyByReference(MethodNotAllowed):
    default_code = "read_only_by_reference"


@extend_schema_view(
    list=extend_schema(
        summary="List commitments",
        description="Filter, search and order; `?format=csv` streams every matching row.",
    ),
    retrieve=extend_schema(
        summary="One commitment",
        description=READ_BY_REFERENCE,
        parameters=[COMMITMENT_LOOKUP, IF_NONE_MATCH_HEADER, ETAG_HEADER, *ALIAS_HEADERS],
        responses={200: CommitmentStaffSerializer, 304: NOT_MODIFIED},
    ),
    create=extend_schema(
        summary="Create a commitment (staff)",
        request=CommitmentCreateSerializer,
        responses={201: CommitmentStaffSerializer},
        parameters=[ETAG_HEADER],
    ),
    update=extend_schema(
        summary="Replace a commitment's fields (staff)",
        request=CommitmentUpdateSerializer,
        responses=WRITE_RESPONSES,
        parameters=[COMMITMENT_ID, IF_MATCH_HEADER, ETAG_HEADER],
    ),
    partial_update=extend_schema(
        summary="Change some of a commitment's fields (staff)",
        request=CommitmentUpdateSerializer,
        responses=WRITE_RESPONSES,
        parameters=[COMMITMENT_ID, IF_MATCH_HEADER, ETAG_HEADER],
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
    # Writes of its own actions need what the admin's pages for them need
    # (config.api.permissions); create and update need add/change_commitment.
    action_permissions = {
        "status_changes": ["commitments.record_status_change"],
        "party_status_changes": ["commitments.record_status_change"],
        "status_source": ["commitments.record_status_change"],
        "deadline_changes": ["commitments.record_deadline_change"],
        "citations": ["commitments.add_citation"],
        "claims": ["commitments.add_claim"],
        "resolutions": ["commitments.add_claimresolution"],
    }

    def csv_queryset(self, queryset):
        return commitments_csv_rows(queryset=queryset)

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    lookup_value_regex = "[^/]+"  # an id or a reference
    canonical_pk: int | None = None  # set when the URL names the commitment by reference

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)  # who asks, throttles, query parameters
        if self.action is None:
            return  # a method this route does not offer: DRF answers 405
        value = kwargs.get("pk")
        # A record added to a commitment that does not exist (or is a draft the caller may not
        # see) is a 404 before its body is judged: "no source with id 300" would mislead.
        adds_to_one = value is not None and _is_id(value) and self.action in ADDED_TO_A_COMMITMENT
        if adds_to_one and not commitments_visible_to(request.user).filter(pk=int(value)).exists():
            raise NotFound()
        if value is None or _is_id(value) or request.method in SAFE:
            return
        # A write by reference: 404 as a read would be, else 405 naming the URL by id.
        pk = self._by_reference(commitments_visible_to(request.user), value)
        pk = pk.values_list("pk", flat=True).first()
        if pk is None:
            raise NotFound()
        # The same route by id: the detail's, or an extra action's own (status-changes, …).
        url_name = getattr(getattr(self, self.action, None), "url_name", None)
        route = f"commitment-{url_name}" if url_name else "commitment-detail"
        self.canonical_pk = pk
        raise ReadOnlyByReference(
            request.method,
            detail=f"A reference is a read-only alias: send {request.method} to "
            f"{url_for(route, pk=pk)}.",
        )

    @staticmethod
    def _by_reference(queryset, value: str):
        # No reference holds a NUL (PostgreSQL refuses one in text) or is longer than its column.
        if "\x00" in value or len(value) > REFERENCE_MAX_LENGTH:
            raise NotFound()
        return queryset.filter(reference=value)

    def get_object(self) -> Commitment:
        value = self.kwargs["pk"]
        if _is_id(value):
            commitment = get_object_or_404(self.get_queryset(), pk=int(value))
        else:
            commitment = get_object_or_404(self._by_reference(self.get_queryset(), value))
            self.canonical_pk = commitment.pk
        self.check_object_permissions(self.request, commitment)
        return commitment

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.canonical_pk is not None:
            # Only reads answer here: say so, and where the record lives.
            response["Allow"] = ", ".join(m for m in self.allowed_methods if m in SAFE)
            route = CANONICAL_ROUTES.get(self.action)
            if route and (200 <= response.status_code < 300 or response.status_code == 304):
                canonical = url_for(route, pk=self.canonical_pk)
                response["Link"] = f'<{canonical}>; rel="canonical"'
                response["Content-Location"] = canonical
        return response

    def get_queryset(self):
        visible = commitments_visible_to(self.request.user)
        if self.action == "history":
            return visible.defer("search_vector")
        return commitments_with_api_json(visible, staff=self.request.user.is_staff)

    def _respond(self, pk: int, *, created: bool = False) -> Response:
        commitment = self.get_queryset().get(pk=pk)
        headers = {"ETag": _etag_of(commitment)}
        body = JSONText(commitment.api_json)
        if created:
            return created_response(body, url_name="commitment-detail", pk=pk, headers=headers)
        return Response(body, headers=headers)

    def list(self, request: Request, *args, **kwargs) -> Response:
        if request.accepted_renderer.format == "csv":
            return super().list(request, *args, **kwargs)
        # Plain rows, not model instances: the JSON and what the cursor needs.
        found = self.filter_queryset(self.get_queryset())
        ranked = [SEARCH_RANK] if SEARCH_RANK in found.query.annotations else []
        rows = found.values("api_json", *ORDER_COLUMNS, *ranked)
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
        translations = data.pop("translations", None)
        commitment = commitment_create(
            **data,
            translations=translations,
            parties=[PartySpec(p["actor"], p["role"]) for p in parties],
            citations=[CitationSpec(c["source"], c["quote"], c["note"]) for c in citations],
            created_by=request.user,
        )
        return self._respond(commitment.pk, created=True)

    def update(self, request: Request, *args, partial: bool = False, **kwargs) -> Response:
        with transaction.atomic():
            commitment = locked_for_write(
                self, etag=_etag_of, representations=_etags_of_every_representation
            )
            serializer = CommitmentUpdateSerializer(commitment, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
            parties = data.pop("parties", None)
            translations = data.pop("translations", None)
            data.update(serializer.refused_changes())  # the service says why they need evidence
            commitment_update(
                commitment=commitment,
                data=data,
                parties=None
                if parties is None
                else [PartySpec(p["actor"], p["role"]) for p in parties],
                translations=translations,
                updated_by=request.user,
            )
        return self._respond(commitment.pk)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(
        summary="Status and deadline changes, oldest first, each with its evidence",
        description=READ_BY_REFERENCE,
        parameters=[COMMITMENT_LOOKUP, *ALIAS_HEADERS],
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
        parameters=[COMMITMENT_ID, IF_MATCH_HEADER, ETAG_HEADER],
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
        parameters=[COMMITMENT_ID, IF_MATCH_HEADER, ETAG_HEADER],
    )
    @action(detail=True, methods=["post"], url_path="deadline-changes")
    def deadline_changes(self, request: Request, pk=None) -> Response:
        return self._record_change(
            DeadlineChangeCreateSerializer, commitment_change_deadline, kind="deadline"
        )

    @extend_schema(
        summary="Record a party's own status with its evidence (staff)",
        description="The commitment's `parties_status` is derived again from its acting "
        "parties; its `status` follows when `status_source` is `parties`.",
        request=PartyStatusChangeCreateSerializer,
        responses={201: HistoryEntrySerializer},
        parameters=[COMMITMENT_ID, IF_MATCH_HEADER, ETAG_HEADER],
    )
    @action(detail=True, methods=["post"], url_path="party-status-changes")
    def party_status_changes(self, request: Request, pk=None) -> Response:
        serializer = PartyStatusChangeCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        actor, role = data.pop("actor"), data.pop("role")
        with transaction.atomic():
            commitment = locked_for_write(
                self, etag=_etag_of, representations=_etags_of_every_representation
            )
            party = party_of(commitment=commitment, actor=actor, role=role)
            change = party_record_status_change(party=party, **data, recorded_by=request.user)
        entry = HistoryEntry("party_status", change.recorded_at, change)
        return self._created(HistoryEntrySerializer(entry).data, commitment.pk)

    @extend_schema(
        summary="Let the status follow the parties, or keep the recorded one (staff)",
        request=StatusSourceSerializer,
        responses={200: CommitmentSerializer},
        parameters=[COMMITMENT_ID, IF_MATCH_HEADER, ETAG_HEADER],
    )
    @action(detail=True, methods=["post"], url_path="status-source")
    def status_source(self, request: Request, pk=None) -> Response:
        serializer = StatusSourceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            commitment = locked_for_write(
                self, etag=_etag_of, representations=_etags_of_every_representation
            )
            commitment_set_status_source(
                commitment=commitment, **serializer.validated_data, recorded_by=request.user
            )
        return self._respond(commitment.pk)

    def _record_change(self, serializer_class, service, *, kind: str) -> Response:
        """A status or deadline change: validate the body, honour If-Match, call the service
        (whose refusals become 400 problems), answer with the new history entry."""
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            commitment = locked_for_write(
                self, etag=_etag_of, representations=_etags_of_every_representation
            )
            change = service(
                commitment=commitment, **serializer.validated_data, recorded_by=self.request.user
            )
        entry = HistoryEntry(kind, change.recorded_at, change)
        return self._created(HistoryEntrySerializer(entry).data, commitment.pk)

    @extend_schema(
        summary="Add a citation: a quote from a source (staff)",
        request=CitationCreateSerializer,
        responses={201: CitationSerializer},
        parameters=[COMMITMENT_ID, IF_MATCH_HEADER, ETAG_HEADER],
    )
    @action(detail=True, methods=["post"])
    def citations(self, request: Request, pk=None) -> Response:
        serializer = CitationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            commitment = locked_for_write(
                self, etag=_etag_of, representations=_etags_of_every_representation
            )
            citation = citation_add(
                commitment=commitment, **serializer.validated_data, created_by=request.user
            )
        return self._created(CitationSerializer(citation).data, commitment.pk)

    @extend_schema(
        summary="Record a claim: a fact a quote states about the commitment (staff)",
        description="The commitment's `disputed_facts` are derived again from its claims.",
        request=ClaimCreateSerializer,
        responses={201: ClaimSerializer},
        parameters=[COMMITMENT_ID, IF_MATCH_HEADER, ETAG_HEADER],
    )
    @action(detail=True, methods=["post"])
    def claims(self, request: Request, pk=None) -> Response:
        serializer = ClaimCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            commitment = locked_for_write(
                self, etag=_etag_of, representations=_etags_of_every_representation
            )
            claim = claim_add(
                commitment=commitment, **serializer.validated_data, created_by=request.user
            )
        return self._created(ClaimSerializer(claim).data, commitment.pk)

    @extend_schema(
        summary="Resolve a dispute: which claim the project follows, with evidence (staff)",
        description="Both claims stay, and the fact stays disputed: the sources still disagree.",
        request=DisputeResolutionCreateSerializer,
        responses={201: ClaimResolutionSerializer},
        parameters=[COMMITMENT_ID, IF_MATCH_HEADER, ETAG_HEADER],
    )
    @action(detail=True, methods=["post"])
    def resolutions(self, request: Request, pk=None) -> Response:
        serializer = DisputeResolutionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        claim = data.pop("followed_claim")
        with transaction.atomic():
            commitment = locked_for_write(
                self, etag=_etag_of, representations=_etags_of_every_representation
            )
            resolution = dispute_resolve(
                commitment=commitment,
                fact=claim.fact,
                followed_claim=claim,
                **data,
                recorded_by=request.user,
            )
        return self._created(ClaimResolutionSerializer(resolution).data, commitment.pk)

    def _created(self, body, pk: int) -> Response:
        """A 201 for a record added to a commitment: it has no URL of its own, so Location and
        ETag are the commitment's (whose representation now shows it)."""
        etag = _etag_of(self.get_queryset().get(pk=pk))
        return created_response(body, url_name="commitment-detail", pk=pk, headers={"ETag": etag})


ACTOR_LOOKUP = OpenApiParameter(
    "id",
    str,
    location=OpenApiParameter.PATH,
    description="The actor's id or slug (e.g. `osce`).",
)

ACTOR_CSV_COLUMNS = csv_columns([*ACTOR_FIELDS.flat_columns(), "translation"])


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


class ReasonVocabularyView(StrictQueryParamsMixin, APIView):
    """Why a commitment stalled or was abandoned: the reasons a status change may carry."""

    @extend_schema(summary="The reasons vocabulary", responses=ReasonSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(ReasonSerializer(ReasonSerializer.vocabulary(), many=True).data)


class StatusVocabularyView(StrictQueryParamsMixin, APIView):
    """The status vocabulary and how each status reads in others' vocabularies: PolitiFact's
    meter, OGP/IRM completion, iCalendar VTODO STATUS."""

    @extend_schema(summary="The status vocabulary", responses=StatusSerializer(many=True))
    def get(self, request: Request) -> Response:
        return Response(StatusSerializer(StatusSerializer.vocabulary(), many=True).data)


CALENDAR_COMPONENT = OpenApiParameter(
    "component",
    str,
    enum=COMPONENTS,
    default=EVENT,
    description=(
        "`event` (default): all-day events, which Google Calendar, Outlook and Apple Calendar "
        "show. `todo`: VTODOs due on the last day, STATUS from the status vocabulary, for "
        "task lists."
    ),
)


class DeadlinesCalendarView(StrictQueryParamsMixin, GenericAPIView):
    """iCalendar (RFC 5545) feed of deadlines to subscribe to: one all-day event per
    commitment with a deadline, on its last day (`?component=todo`: to-dos instead). Takes
    the commitment filters. See commitments/api/calendar.py for the choices."""

    renderer_classes = [ICalendarRenderer]
    filterset_class = CommitmentFilterSet
    queryset = Commitment.objects.none()
    pagination_class = None
    schema_lists_filters = True
    extra_query_params = ("component",)
    # Calendar services fetch many subscriptions from a few shared addresses.
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "calendar"

    def applies_list_params(self) -> bool:
        return True

    def get_queryset(self):
        return commitments_visible_to(self.request.user)

    @extend_schema(
        summary="Deadline calendar (iCalendar) to subscribe to",
        description=(
            "One all-day event per commitment with a deadline, on the deadline's last day "
            "(the period as stated is in the description), with the commitment's public page "
            "as `URL`. UIDs (`commitment-<id>@<domain>`) do not depend on the host name the "
            "feed is fetched under, so entries update rather than duplicate. Clients are asked "
            "to refresh hourly (`REFRESH-INTERVAL`, `X-PUBLISHED-TTL`). Send the ETag back in "
            "If-None-Match for a 304. Takes the commitment list's filters, e.g. "
            "`?tag=cybersecurity&overdue=false`. Counted against a rate limit of its own."
        ),
        parameters=[CALENDAR_COMPONENT, IF_NONE_MATCH_HEADER, ETAG_HEADER],
        responses={
            (200, "text/calendar"): OpenApiResponse(
                {"type": "string"}, description="An iCalendar (RFC 5545) document."
            ),
            304: NOT_MODIFIED,
        },
    )
    def get(self, request: Request) -> StreamingHttpResponse | Response:
        component = request.query_params.get("component", EVENT)
        if component not in COMPONENTS:
            raise ValidationError(
                {"component": [f"Must be one of: {', '.join(COMPONENTS)} (not {component!r})."]},
                code="invalid_choice",
            )
        queryset = self.filter_queryset(self.get_queryset())
        digest, last_modified = deadline_calendar_state(queryset=queryset)
        # The body's URLs are on the public address (whatever the Host header), which is in
        # the ETag: a new TRACKER_PUBLIC_URL is a new body.
        etag = etag_for(
            "deadlines.ics",
            FEED_FORMAT,
            settings.TRACKER_CALENDAR_UID_DOMAIN,
            component,
            public_origin(),
            digest,
        )
        dated = {}
        if last_modified is not None:
            dated["Last-Modified"] = http_date(last_modified.timestamp())
        # If-None-Match only: a commitment leaving the calendar does not move Last-Modified.
        if if_none_match_hits(request, etag):
            return not_modified(etag, **dated)
        page = commitment_page_field()

        def page_url(commitment: Commitment) -> str:
            # The public page: a calendar is read by people.
            return absolute_url(page.to_representation(commitment.reference))

        rows = deadline_calendar_rows(queryset=queryset).only(*CALENDAR_FIELDS)
        response = StreamingHttpResponse(
            in_active_language(
                deadline_calendar_lines(
                    rows.iterator(chunk_size=CHUNK_SIZE), page_url=page_url, component=component
                )
            ),
            content_type="text/calendar; charset=utf-8",
            headers={"ETag": etag, **dated},
        )
        response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
        return response
