from django.urls import reverse
from rest_framework import serializers

from archive.models import LinkCheck
from commitments.api.serializers import (
    ActorBriefSerializer,
    commitment_api_url_field,
    commitment_page_field,
)
from commitments.models import Commitment, Party, StatusChange
from common.json_sql import TranslationStateField
from common.links import absolute_url
from config.api.filters import MAX_BIGINT
from config.api.serializers import StrictIntegerField
from tracker.models import Alert


class AlertCommitmentSerializer(serializers.ModelSerializer):
    """The commitment an alert is about, in short."""

    translation = TranslationStateField()
    api_url = commitment_api_url_field()
    html_url = commitment_page_field()

    class Meta:
        model = Commitment
        fields = ["id", "reference", "title", "translation", "api_url", "html_url"]


class AlertStatusChangeSerializer(serializers.ModelSerializer):
    """The recorded status change a `status_changed` alert reports."""

    class Meta:
        model = StatusChange
        fields = ["id", "old_status", "new_status", "effective_on", "reason", "replaced_by"]


class AlertPartySerializer(serializers.ModelSerializer):
    """The party whose own part a `party_overdue` alert reports, and that part's status."""

    actor = ActorBriefSerializer(read_only=True)

    class Meta:
        model = Party
        fields = ["actor", "role", "status"]


class AlertSourceCheckSerializer(serializers.ModelSerializer):
    """The check of a cited page that found it changed or gone (`source_changed`,
    `source_gone`): the source, the URL checked, and what came of it."""

    source_api_url = serializers.SerializerMethodField()

    class Meta:
        model = LinkCheck
        fields = [
            "id",
            "source",
            "source_api_url",
            "url",
            "checked_at",
            "http_status",
            "reason",
            "error",
            "quotes_missing",
        ]

    def get_source_api_url(self, check: LinkCheck) -> str:
        return absolute_url(reverse("source-detail", args=[check.source_id]))


class AlertSerializer(serializers.ModelSerializer):
    """A commitment became overdue, entered the due-soon window, had a status change
    recorded, a page cited as its evidence changed or went away, a party's own part became
    overdue (`party_overdue`, `party` says whose), or its evidence went stale
    (`evidence_stale`, `last_day` is the newest evidence's day)."""

    commitment = AlertCommitmentSerializer()
    # Only for status_changed alerts; null for the others.
    status_change = AlertStatusChangeSerializer(allow_null=True)
    # Only for source_changed and source_gone alerts; null for the others.
    source_check = AlertSourceCheckSerializer(allow_null=True)
    # Only for party_overdue alerts; null for the others.
    party = AlertPartySerializer(allow_null=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "kind",
            "commitment",
            "last_day",
            "status_change",
            "source_check",
            "party",
            "created_at",
        ]


class AlertFeedSerializer(serializers.Serializer):
    """A page of the alerts feed: the alerts after the cursor, and where to poll next."""

    # Describes the page for the schema; the view builds the dict itself.

    next = serializers.URLField(
        help_text="The URL to poll next: this query with `after` set to the page's last alert."
    )
    has_more = serializers.BooleanField(
        help_text="More alerts are already waiting: fetch `next` at once rather than later."
    )
    results = AlertSerializer(many=True)


FEED_LIMIT_DEFAULT = 100
FEED_LIMIT_MAX = 500


class AlertFeedQuerySerializer(serializers.Serializer):
    after = StrictIntegerField(
        min_value=0,
        # Beyond the id column's range the query itself would fail (a 500, not a 400).
        max_value=MAX_BIGINT,
        default=0,
        help_text="Only alerts with a greater id (the cursor).",
    )
    limit = StrictIntegerField(
        min_value=1,
        max_value=FEED_LIMIT_MAX,
        default=FEED_LIMIT_DEFAULT,
        help_text=f"The most alerts in one answer (at most {FEED_LIMIT_MAX}).",
    )


class TagCountSerializer(serializers.Serializer):
    """The commitments of one tag, and how many of them are overdue."""

    tag = serializers.CharField()
    total = serializers.IntegerField()
    overdue = serializers.IntegerField()


class StatsSerializer(serializers.Serializer):
    """Counts of commitments for dashboards: by status, overdue, disputed, due soon, and per
    tag."""

    # Describes the counts for the schema; the view returns the selector's dict.

    today = serializers.DateField(help_text="Today in the tracker's time zone.")
    time_zone = serializers.CharField()
    total = serializers.IntegerField()
    by_status = serializers.DictField(child=serializers.IntegerField())
    overdue = serializers.IntegerField()
    disputed = serializers.IntegerField(
        help_text="Commitments whose sources disagree on some fact (`?disputed=true`)."
    )
    evidence_stale = serializers.IntegerField(
        help_text="Commitments nobody has checked for a while (`?evidence_stale=true`)."
    )
    by_reason = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Stalled or abandoned commitments, per reason (`?reason=`).",
    )
    due_within_30_days = serializers.IntegerField()
    due_within_90_days = serializers.IntegerField()
    by_tag = TagCountSerializer(many=True)
