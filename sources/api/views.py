"""Sources: anyone reads; staff create, change and delete (a cited source is never deleted)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.conditional import etag_for, if_none_match_hits, locked_for_write, not_modified
from config.api.exceptions import Conflict
from config.api.export import csv_columns
from config.api.links import created as created_response
from config.api.schema import ETAG_HEADER, IF_MATCH_HEADER, IF_NONE_MATCH_HEADER, NOT_MODIFIED
from config.api.viewsets import ApiGenericViewSet
from sources.api.serializers import SourceDetailSerializer, SourceSerializer, SourceWriteSerializer
from sources.filters import SourceFilterSet
from sources.models import Source
from sources.selectors import source_detail_for_api, sources_for_api
from sources.services import source_create, source_delete, source_update


def source_etag(source: Source) -> str:
    return etag_for("source", source.pk, source.updated_at.isoformat())


SOURCE_CSV_COLUMNS = csv_columns(SourceSerializer.Meta.fields)


@extend_schema_view(
    list=extend_schema(summary="List sources"),
    retrieve=extend_schema(
        summary="One source, with its full text",
        parameters=[IF_NONE_MATCH_HEADER, ETAG_HEADER],
        responses={200: SourceDetailSerializer, 304: NOT_MODIFIED},
    ),
    create=extend_schema(
        summary="Add a source (staff)",
        request=SourceWriteSerializer,
        responses={201: SourceDetailSerializer},
        parameters=[ETAG_HEADER],
    ),
    update=extend_schema(
        summary="Replace a source's fields (staff)",
        request=SourceWriteSerializer,
        responses={200: SourceDetailSerializer},
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
    ),
    partial_update=extend_schema(
        summary="Change some of a source's fields (staff)",
        request=SourceWriteSerializer,
        responses={200: SourceDetailSerializer},
        parameters=[IF_MATCH_HEADER, ETAG_HEADER],
    ),
    destroy=extend_schema(
        summary="Delete a source that no citation relies on (staff)",
        parameters=[IF_MATCH_HEADER],
    ),
)
class SourceViewSet(ApiGenericViewSet):
    """Sources: the documents evidence is quoted from, with a SHA-256 of their text."""

    queryset = Source.objects.none()
    serializer_class = SourceSerializer
    filterset_class = SourceFilterSet
    csv_columns = SOURCE_CSV_COLUMNS
    csv_filename = "sources.csv"

    def get_queryset(self):
        if self.action == "list":
            return sources_for_api()
        return source_detail_for_api()

    def get_serializer_class(self):
        return SourceSerializer if self.action == "list" else SourceDetailSerializer

    def _respond(self, source: Source, *, created: bool = False) -> Response:
        source = source_detail_for_api().get(pk=source.pk)
        headers = {"ETag": source_etag(source)}
        body = SourceDetailSerializer(source).data
        if created:
            return created_response(body, url_name="source-detail", pk=source.pk, headers=headers)
        return Response(body, headers=headers)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        source = self.get_object()
        etag = source_etag(source)
        if if_none_match_hits(request, etag):
            return not_modified(etag)
        return Response(SourceDetailSerializer(source).data, headers={"ETag": etag})

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = SourceWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        source = source_create(**serializer.validated_data, created_by=request.user)
        return self._respond(source, created=True)

    def update(self, request: Request, *args, partial: bool = False, **kwargs) -> Response:
        with transaction.atomic():
            source = locked_for_write(self, etag=source_etag)
            serializer = SourceWriteSerializer(source, data=request.data, partial=partial)
            serializer.is_valid(raise_exception=True)
            source = source_update(
                source=source, data=dict(serializer.validated_data), updated_by=request.user
            )
        return self._respond(source)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        with transaction.atomic():
            source = locked_for_write(self, etag=source_etag, for_delete=True)
            try:
                source_delete(source=source)
            except DjangoValidationError as error:
                raise Conflict(" ".join(error.messages), code="source_is_cited") from None
        return Response(status=status.HTTP_204_NO_CONTENT)
