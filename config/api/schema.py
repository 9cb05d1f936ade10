"""The OpenAPI schema tells the truth about errors, auth and formats.

`ApiAutoSchema` (DEFAULT_SCHEMA_CLASS) adds to every operation the problem-details responses
it can give (400 bad parameter, 401 bad token, 403 not staff, 404 unknown object, 406, 409,
412 stale If-Match, 413 body too large, 415, 429 throttled with Retry-After), marks reads as
open to anonymous callers, says which request bodies refuse unknown fields, and describes CSV
lists as text. Views add their own headers with the constants below; `add_response_links`
adds the OpenAPI links (where to go next with a created or fetched record's id).
"""

from __future__ import annotations

from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS

from config.api.serializers import StrictFieldsMixin

PROBLEM_MEDIA_TYPE = "application/problem+json"

DESCRIPTIONS = {
    "400": "A parameter, header or body field is invalid: `errors` names each and says why.",
    "401": "The token is missing (for a write), malformed, unknown or revoked.",
    "403": "The token's user is not staff: only staff may write.",
    "404": "No such record, or not one this caller may see (drafts are visible to staff only).",
    "406": "The Accept header asks for a format this endpoint does not offer.",
    "409": "The change conflicts with the current state (e.g. deleting a cited source).",
    "412": "If-Match does not name the current ETag: the record changed since it was fetched.",
    "413": "The request body is larger than the API accepts (DATA_UPLOAD_MAX_MEMORY_SIZE).",
    "415": "The request body is not JSON.",
    "429": "Too many requests: retry after the number of seconds in Retry-After.",
}


class ProblemFieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True,
        help_text="The query parameter, header or body field (dotted path, e.g. "
        "`parties.0.role`) that is wrong; null when the request as a whole is.",
    )
    message = serializers.CharField(help_text="Why it is wrong, in words.")
    code = serializers.CharField(help_text="A stable machine-readable reason.")


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details: the body of every error response."""

    type = serializers.CharField(help_text="`about:blank`: `code` names the problem.")
    title = serializers.CharField(help_text="The HTTP status phrase.")
    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="What went wrong, for a person.")
    code = serializers.CharField(help_text="A stable machine-readable name of the problem.")
    instance = serializers.CharField(required=False, help_text="The path of the request.")
    errors = ProblemFieldErrorSerializer(
        many=True, required=False, help_text="Each invalid field (400 only)."
    )
    current_version = serializers.IntegerField(
        required=False, help_text="On a version conflict (412): the record's current version."
    )

    class Meta:
        ref_name = "Problem"


RETRY_AFTER_HEADER = {
    "Retry-After": {
        "schema": {"type": "integer"},
        "description": "Seconds until the limit resets.",
    }
}

ETAG_HEADER = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    response=[200, 201, 304],
    description="The representation's version: send it back in If-None-Match or If-Match.",
)
IF_NONE_MATCH_HEADER = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="An ETag from an earlier response: 304 Not Modified (no body) if it is current.",
)
IF_MATCH_HEADER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="The ETag the change is based on: 412 if the record changed since.",
)
NOT_MODIFIED = OpenApiResponse(description="Not modified: the ETag in If-None-Match is current.")


class ApiAutoSchema(AutoSchema):
    def problem_statuses(self) -> list[str]:
        statuses = ["400", "401", "406", "429"]
        if self.method not in SAFE_METHODS:
            statuses += ["403", "409", "412"]
            if self.method in ("POST", "PUT", "PATCH"):
                statuses += ["413", "415"]
        if "{" in self.path:
            statuses.append("404")
        return statuses

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        problem = self.resolve_serializer(ProblemSerializer(), "response").ref
        for status_code in self.problem_statuses():
            if status_code in responses:
                continue
            responses[status_code] = {
                "content": {PROBLEM_MEDIA_TYPE: {"schema": problem}},
                "description": DESCRIPTIONS[status_code],
            }
            if status_code == "429":
                responses[status_code]["headers"] = RETRY_AFTER_HEADER
        # A CSV list is text, not the JSON page the serializer describes.
        for response in responses.values():
            content = response.get("content", {})
            if "text/csv" in content:
                content["text/csv"] = {
                    "schema": {
                        "type": "string",
                        "description": "Every matching row (not one page), UTF-8, with a "
                        "header line.",
                    }
                }
        return dict(sorted(responses.items()))

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        # A body field a strict serializer does not know is a 400 (StrictFieldsMixin): say so,
        # and list the fields it tolerates (what GET returned, sent back as it was).
        if direction == "request" and isinstance(serializer, StrictFieldsMixin):
            schema["additionalProperties"] = False
            for name in sorted(serializer.tolerated_fields):
                schema["properties"].setdefault(
                    name,
                    {
                        "description": "As the record's representation has it: accepted so "
                        "that a client may send back what it fetched; changed only where the "
                        "field's own endpoint says."
                    },
                )
        return schema

    def get_auth(self):
        auths = super().get_auth()
        # Reads are open to anyone (a token raises the limits); writes need a staff token.
        if self.method in SAFE_METHODS and {} not in auths:
            auths.append({})
        return auths

    def get_filter_backends(self):
        if getattr(self.view, "schema_lists_filters", False):
            return getattr(self.view, "filter_backends", [])
        # drf-spectacular takes any action answering a list (a commitment's history) for a
        # list view and documents the filters there, which the view refuses as unknown.
        applies_list_params = getattr(self.view, "applies_list_params", None)
        if applies_list_params is not None and not applies_list_params():
            return []
        return super().get_filter_backends()


class ApiDjangoFilterExtension(DjangoFilterExtension):
    """django-filter's parameters, keeping each filter's help text as its description even
    when the filter's schema is declared by hand (drf-spectacular drops it then)."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        help_text = filter_field.extra.get("help_text")
        for parameter in parameters:
            if help_text and not parameter.get("description"):
                parameter["description"] = str(help_text)
        return parameters


def _link(operation_id: str, description: str, **parameters: str) -> dict:
    return {"operationId": operation_id, "parameters": parameters, "description": description}


_FROM_BODY = "$response.body#/id"
_FROM_PATH = "$request.path.id"


def _commitment_links(id_expression: str) -> dict[str, dict]:
    return {
        "GetCommitment": _link("commitments_retrieve", "The commitment.", id=id_expression),
        "GetCommitmentHistory": _link(
            "commitments_history_list", "Its status and deadline changes.", id=id_expression
        ),
        "ChangeCommitment": _link(
            "commitments_partial_update", "Change some of its fields.", id=id_expression
        ),
        "ReplaceCommitment": _link("commitments_update", "Replace its fields.", id=id_expression),
        "RecordStatusChange": _link(
            "commitments_status_changes_create", "Record a status change.", id=id_expression
        ),
        "ChangeDeadline": _link(
            "commitments_deadline_changes_create", "Change its deadline.", id=id_expression
        ),
        "AddCitation": _link("commitments_citations_create", "Cite a source.", id=id_expression),
    }


def _source_links(id_expression: str) -> dict[str, dict]:
    return {
        "GetSource": _link("sources_retrieve", "The source.", id=id_expression),
        "ChangeSource": _link("sources_partial_update", "Change some fields.", id=id_expression),
        "ReplaceSource": _link("sources_update", "Replace its fields.", id=id_expression),
        "DeleteSource": _link(
            "sources_destroy", "Delete it (if nothing cites it).", id=id_expression
        ),
    }


# (operationId, status) → the OpenAPI links of that response: where a client (and
# Schemathesis' stateful tests) can go next with the id it got.
RESPONSE_LINKS: dict[tuple[str, str], dict[str, dict]] = {
    ("commitments_create", "201"): _commitment_links(_FROM_BODY),
    ("commitments_retrieve", "200"): _commitment_links(_FROM_BODY),
    ("commitments_partial_update", "200"): _commitment_links(_FROM_BODY),
    ("commitments_update", "200"): _commitment_links(_FROM_BODY),
    ("commitments_status_changes_create", "201"): _commitment_links(_FROM_PATH),
    ("commitments_deadline_changes_create", "201"): _commitment_links(_FROM_PATH),
    ("commitments_citations_create", "201"): _commitment_links(_FROM_PATH),
    ("commitments_history_list", "200"): _commitment_links(_FROM_PATH),
    ("sources_create", "201"): _source_links(_FROM_BODY),
    ("sources_retrieve", "200"): _source_links(_FROM_BODY),
    ("sources_partial_update", "200"): _source_links(_FROM_BODY),
    ("sources_update", "200"): _source_links(_FROM_BODY),
}


def add_response_links(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: add RESPONSE_LINKS to the schema."""
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            for (operation_id, status_code), links in RESPONSE_LINKS.items():
                if operation.get("operationId") == operation_id:
                    response = operation["responses"][status_code]
                    response["links"] = {
                        name: link
                        for name, link in links.items()
                        # Not a link to itself: a loop teaches a client nothing.
                        if link["operationId"] != operation_id
                    }
    return result
