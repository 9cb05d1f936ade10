"""A source's archive: anyone reads it and downloads the WARC files; staff who may change
the source ask for a new capture (202: a worker fetches it)."""

from __future__ import annotations

from django.http import FileResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from archive.api.serializers import CaptureRequestSerializer, SourceArchiveSerializer
from archive.selectors import capture_of_source, source_archive
from archive.services import link_check_now
from archive.tasks import source_check_enqueue
from commitments.selectors import user_sees_drafts
from config.api.exceptions import Conflict
from config.api.filters import MAX_BIGINT
from config.api.viewsets import StrictQueryParamsMixin
from sources.models import Source

WARC_MEDIA_TYPE = "application/warc"


class Gone(APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "This resource is gone."
    default_code = "gone"


def _source(source_id: int) -> Source:
    if source_id > MAX_BIGINT:
        get_object_or_404(Source.objects.none())
    return get_object_or_404(Source.objects.only("id", "url"), pk=source_id)


class SourceCapturesView(StrictQueryParamsMixin, APIView):
    # Asking for a capture needs what changing the source needs (config.api.permissions).
    action = "capture"
    action_permissions = {"capture": ("sources.change_source",)}

    @extend_schema(
        summary="A source's archived copies and link checks",
        description="The state of the source's URL (`link`, null for a source without one), "
        "every capture of the page, newest first, each with its WARC file and how many "
        "quotes it holds, and the latest checks of the URL, failed ones included.",
        responses={200: SourceArchiveSerializer},
    )
    def get(self, request: Request, source_id: int) -> Response:
        source = _source(source_id)
        return Response(
            SourceArchiveSerializer(
                source_archive(source_id=source.pk, drafts=user_sees_drafts(request.user))
            ).data
        )

    @extend_schema(
        summary="Capture the source's page again (staff)",
        description="Queues a fetch of the source's URL; the capture (or the failure) appears "
        "in this list once a worker has made it. 409 for a source without a URL.",
        request=CaptureRequestSerializer,
        responses={202: SourceArchiveSerializer},
    )
    def post(self, request: Request, source_id: int) -> Response:
        # Read as every write's body is (a malformed one is a parse error, a field a 400).
        CaptureRequestSerializer(data=request.data).is_valid(raise_exception=True)
        source = _source(source_id)
        if not source.url:
            raise Conflict("This source has no URL: there is no page to archive.", code="no_url")
        link_check_now(source=source)
        source_check_enqueue(source_id=source.pk)
        return Response(
            SourceArchiveSerializer(
                source_archive(source_id=source.pk, drafts=user_sees_drafts(request.user))
            ).data,
            status=status.HTTP_202_ACCEPTED,
        )


class CaptureWarcView(StrictQueryParamsMixin, APIView):
    def perform_content_negotiation(self, request, force=False):
        # The file is not rendered, so an Accept of application/warc (what a WARC client
        # sends) must not be a 406; a refusal is JSON whatever was asked for.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="Download a capture's WARC file",
        description="The gzipped WARC/1.1 file (warcinfo, request and response records) as "
        "stored when the page was fetched; any WARC reader opens it.",
        responses={
            (200, WARC_MEDIA_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="WARC file")
        },
    )
    def get(self, request: Request, source_id: int, capture_id: int):
        capture = None
        if source_id <= MAX_BIGINT and capture_id <= MAX_BIGINT:
            capture = capture_of_source(source_id=source_id, capture_id=capture_id)
        if capture is None:
            get_object_or_404(Source.objects.none())
        try:
            warc = capture.warc.open("rb")
        except OSError:
            raise Gone(
                "This capture's WARC file is missing from the archive storage.",
                code="warc_missing",
            ) from None
        response = FileResponse(
            warc,
            as_attachment=True,
            filename=capture.warc.name.rsplit("/", 1)[-1],
            content_type=WARC_MEDIA_TYPE,
        )
        response["Cache-Control"] = "public, max-age=86400, immutable"
        return response
