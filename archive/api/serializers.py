from django.urls import reverse
from rest_framework import serializers

from archive.models import Capture, LinkCheck, SourceLink
from common.links import absolute_url
from config.api.serializers import StrictSerializer


class LinkStateSerializer(serializers.ModelSerializer):
    """The live link's state: `pending` (not archived yet), `ok`, `failing` (the last check
    failed), `changed` (a quoted passage gone from the page for several checks in a row),
    `gone` (no answer, an error status or a name that does not resolve, as many times)."""

    class Meta:
        model = SourceLink
        fields = ["url", "state", "state_since", "last_checked_at", "next_check_at"]


class CaptureSerializer(serializers.ModelSerializer):
    """One archived copy: the response as fetched (final URL after redirects, status, type,
    SHA-256 of the body) and its WARC file, which anyone may download."""

    warc_url = serializers.SerializerMethodField()
    quotes_checked = serializers.IntegerField(read_only=True)
    quotes_not_found = serializers.IntegerField(
        read_only=True, help_text="Citations whose quote is not in this capture's text."
    )

    class Meta:
        model = Capture
        fields = [
            "id",
            "fetched_at",
            "requested_url",
            "final_url",
            "http_status",
            "content_type",
            "body_sha256",
            "body_bytes",
            "text_note",
            "warc_sha256",
            "warc_url",
            "quotes_checked",
            "quotes_not_found",
        ]

    def get_warc_url(self, capture: Capture) -> str:
        return absolute_url(reverse("source-capture-warc", args=[capture.source_id, capture.pk]))


class LinkCheckSerializer(serializers.ModelSerializer):
    """One fetch of the URL, whatever came of it (`captured`, `unchanged`, `failed`)."""

    class Meta:
        model = LinkCheck
        # Every column of the log (the source is the URL's).
        fields = [field.name for field in LinkCheck._meta.fields if field.name != "source"]


class SourceArchiveSerializer(serializers.Serializer):
    """What the archive holds of a source: its link's state (null for a source without a
    URL), every capture (newest first) and the latest checks."""

    link = LinkStateSerializer(allow_null=True)
    captures = CaptureSerializer(many=True)
    checks = LinkCheckSerializer(many=True)


class CaptureRequestSerializer(StrictSerializer):
    """Asking for a capture takes no field: an empty body, or `{}`."""
