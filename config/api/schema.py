"""The OpenAPI schema tells the truth about errors, auth and formats.

`ApiAutoSchema` (DEFAULT_SCHEMA_CLASS) adds to every operation the problem-details responses
it can give (400 bad parameter, 401 bad token, 403 without the permission, 404 unknown
object, 406, 409, 411 chunked body, 412 stale If-Match, 413 body too large, 415, 429 throttled
with Retry-After), marks reads as open to anonymous callers, names the Django permission each
write needs, says which request bodies refuse unknown fields, and describes CSV lists as text.
Views add their own headers with the constants below; `add_response_links` adds the OpenAPI
links (where to go next with a created or fetched record's id).
"""

from __future__ import annotations

import re

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.drainage import warn
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import get_lib_doc_excludes
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

from common.translations import LANGUAGE_CODES
from config.api.filters import SLUG, IdOrSlugMultipleFilter
from config.api.languages import LANG_PARAM
from config.api.serializers import StrictFieldsMixin, StrictModelSerializer, StrictSerializer
from config.api.viewsets import ApiGenericViewSet, ApiReadOnlyViewSet, StrictQueryParamsMixin

PROBLEM_MEDIA_TYPE = "application/problem+json"

DESCRIPTIONS = {
    "400": "A parameter, header or body field is invalid: `errors` names each and says why.",
    "401": "The token is missing (for a write), malformed, unknown or revoked.",
    "403": "The token's user is not staff, or lacks the permission this write needs.",
    "404": "No such record, or not one this caller may see (drafts are visible to staff only).",
    "406": "The Accept header asks for a format this endpoint does not offer.",
    "409": "The change conflicts with the current state (e.g. deleting a cited source).",
    "411": "The body was sent chunked (Transfer-Encoding): send it with a Content-Length.",
    "412": "If-Match does not name the current ETag: the record changed since it was fetched.",
    "413": "The request body is larger than the API accepts.",
    "415": "The request body is not JSON.",
    "429": "Too many requests: retry after the number of seconds in Retry-After.",
}


class ProblemFieldErrorSerializer(serializers.Serializer):
    """One wrong field, parameter or header of a refused request, and why."""

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

# draft-ietf-httpapi-ratelimit-headers, as config.api.throttling writes them; declared once
# under components.headers (add_header_components) and referred to from each response.
RATELIMIT_HEADER_COMPONENTS = {
    "RateLimit-Policy": {
        "schema": {"type": "string"},
        "description": "The limit this answer was counted against: its name, its quota `q` "
        'and its window `w` in seconds, e.g. `"anon";q=60;w=60`.',
        "example": '"anon";q=60;w=60',
    },
    "RateLimit": {
        "schema": {"type": "string"},
        "description": "Where the caller stands: requests remaining `r` in the window and "
        'seconds `t` until it resets, e.g. `"anon";r=57;t=41` (`r=0` on a 429).',
        "example": '"anon";r=57;t=41',
    },
}
RATELIMIT_HEADERS = {
    name: {"$ref": f"#/components/headers/{name}"} for name in RATELIMIT_HEADER_COMPONENTS
}
LOCATION_HEADER = {
    "schema": {"type": "string", "format": "uri"},
    "description": "The new record's absolute URL; for a record with none of its own (a status "
    "or deadline change, a citation, a claim, a resolution), the commitment's.",
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
    # `*` or quoted ETags, comma-separated: anything else is a 400 (config.api.conditional).
    {"type": "string", "pattern": r'^\s*(\*|(W/)?"[^"]*"(\s*,\s*(W/)?"[^"]*")*)\s*$'},
    location=OpenApiParameter.HEADER,
    required=False,
    description="The ETag the change is based on: 412 if the record changed since.",
)
NOT_MODIFIED = OpenApiResponse(description="Not modified: the ETag in If-None-Match is current.")
CSV_BOM_PARAMETER = OpenApiParameter(
    "bom",
    OpenApiTypes.BOOL,
    required=False,
    description="With `format=csv`: `true` starts the file with the UTF-8 byte-order mark, so "
    "that Excel reads it as UTF-8. Off by default (scripts would read the mark as part of the "
    "first header). No effect on JSON.",
)


class ApiAutoSchema(AutoSchema):
    def problem_statuses(self) -> list[str]:
        statuses = ["400", "401", "406", "429"]
        if self.method not in SAFE_METHODS:
            statuses += ["403", "409", "412"]
            if self.method in ("POST", "PUT", "PATCH"):
                statuses += ["411", "413", "415"]
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
                responses[status_code]["headers"] = {**RETRY_AFTER_HEADER, **RATELIMIT_HEADERS}
        for status_code, response in responses.items():
            if status_code.startswith("2"):  # counted answers (a 429 has them above)
                response.setdefault("headers", {}).update(RATELIMIT_HEADERS)
            if status_code == "201":  # every create answers through config.api.links.created
                response["headers"]["Location"] = LOCATION_HEADER
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
        if direction == "request" and getattr(serializer, "partial", False):
            schema["minProperties"] = 1
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

    def _get_request_body(self, direction="request"):
        body = super()._get_request_body(direction)
        # A PATCH that names no field is a 400 (config.api.viewsets): its body is required,
        # with at least one property (minProperties on the Patched… schema).
        if body is not None and self.method == "PATCH":
            body["required"] = True
        return body

    def allows_anonymous(self) -> bool:
        """Whether the view's permissions let this method through without credentials."""
        request = Request(RequestFactory().generic(self.method, "/"))
        request.user, request.auth = AnonymousUser(), None
        try:
            return all(p.has_permission(request, self.view) for p in self.view.get_permissions())
        except Exception:  # a permission that needs a real request: say a token is needed
            return False

    def required_permissions(self) -> list[str]:
        """The Django permissions a write here needs (config.api.permissions)."""
        request = Request(RequestFactory().generic(self.method, "/"))
        needed = set()
        for permission in self.view.get_permissions():
            if hasattr(permission, "required_permissions"):
                try:
                    needed.update(permission.required_permissions(request, self.view))
                except Exception:  # a permission that needs a real request: nothing to say
                    return []
        return sorted(needed)

    def get_operation(self, *args, **kwargs):
        # Here rather than in get_description, which an @extend_schema(description=) replaces.
        operation = super().get_operation(*args, **kwargs)
        if operation is None or self.method in SAFE_METHODS:
            return operation
        needed = self.required_permissions()
        if needed:
            names = ", ".join(f"`{name}`" for name in needed)
            note = f"Needs a staff user with the permission {names}."
            description = operation.get("description")
            operation["description"] = f"{description}\n\n{note}" if description else note
        return operation

    def get_auth(self):
        auths = super().get_auth()  # also registers the security schemes
        # Open to anonymous callers (reads, mostly): no requirement of its own, so the
        # document's `security` (anonymous, or any scheme) applies, and generated clients
        # (openapi-python-client) accept an unauthenticated client for it.
        return [] if self.allows_anonymous() else auths

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        # Lists that export CSV take ?bom= (config.api.viewsets.ApiGenericViewSet).
        lists = getattr(self.view, "applies_list_params", lambda: False)()
        if self.method == "GET" and getattr(self.view, "csv_columns", None) and lists:
            parameters.append(CSV_BOM_PARAMETER)
        return parameters

    def get_operation_id(self):
        # `deadlines.ics_retrieve` is not an identifier in most client generators' languages.
        return re.sub(r"\W", "_", super().get_operation_id())

    def get_tags(self):
        # Named after the first path segment without its format suffix (`alerts.atom` is an
        # alert); the API's index has none.
        tags = [tag.split(".")[0] for tag in super().get_tags()] or ["index"]
        described = {tag["name"] for tag in spectacular_settings.TAGS}
        for tag in tags:
            if tag not in described:
                warn(f"tag {tag!r} has no description: add it to SPECTACULAR_SETTINGS['TAGS']")
        return tags

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
        # What the filter's field refuses with a 400 (config.api.filters), the schema says.
        pattern = filter_field.extra.get("item_pattern")
        if pattern is None and isinstance(filter_field, IdOrSlugMultipleFilter):
            pattern = SLUG
        for parameter in parameters:
            if help_text and not parameter.get("description"):
                parameter["description"] = str(help_text)
            schema = parameter.get("schema", {})
            items = schema.get("items", {})
            # Copies: drf-spectacular shares one dict between the filters of a class.
            if pattern is not None and items.get("type") == "string":
                parameter["schema"] = {**schema, "items": {**items, "pattern": pattern.pattern}}
            elif pattern is not None and schema.get("type") == "string":
                parameter["schema"] = {**schema, "pattern": pattern.pattern}
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


def add_header_components(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: the response headers referred to by $ref."""
    result.setdefault("components", {}).setdefault("headers", {}).update(
        RATELIMIT_HEADER_COMPONENTS
    )
    return result


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


def doc_excludes() -> list[type]:
    """GET_LIB_DOC_EXCLUDES: the docstrings of these base classes (and beyond) are for
    developers, so a serializer or view without a docstring of its own gets no description
    rather than one about the code it is built on."""
    return [
        *get_lib_doc_excludes(),
        StrictFieldsMixin,
        StrictSerializer,
        StrictModelSerializer,
        StrictQueryParamsMixin,
        ApiGenericViewSet,
        ApiReadOnlyViewSet,
    ]


def _null_as_a_type(node) -> None:
    """OpenAPI 3.1 has no `nullable`: null is a type. drf-spectacular writes 3.1 for what it
    generates; a schema written by hand in the 3.0 style (a paginator's `next`) is turned
    into the same form here."""
    if isinstance(node, list):
        for item in node:
            _null_as_a_type(item)
        return
    if not isinstance(node, dict):
        return
    if node.pop("nullable", False) is True:
        if isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
        elif isinstance(node.get("type"), list) and "null" not in node["type"]:
            node["type"].append("null")
        elif node.get("oneOf") or node.get("anyOf"):
            node["oneOf" if node.get("oneOf") else "anyOf"].append({"type": "null"})
        elif node.get("allOf") or "$ref" in node:
            alternative = {k: node.pop(k) for k in ("allOf", "$ref") if k in node}
            node["oneOf"] = [alternative, {"type": "null"}]
    for value in node.values():
        _null_as_a_type(value)


def _conditional_gets(paths: dict) -> None:
    """A GET that can answer 304 takes If-None-Match and sends an ETag, whether or not its
    view declared them: a generated client needs the parameter to send the header."""
    for operation in (methods.get("get") for methods in paths.values()):
        if not operation or "304" not in operation.get("responses", {}):
            continue
        parameters = operation.setdefault("parameters", [])
        if not any(p.get("in") == "header" and p["name"] == "If-None-Match" for p in parameters):
            parameters.append(
                {
                    "in": "header",
                    "name": "If-None-Match",
                    "schema": {"type": "string"},
                    "description": IF_NONE_MATCH_HEADER.description,
                }
            )
        for status_code in ("200", "304"):
            response = operation["responses"].get(status_code)
            if response is not None:
                response.setdefault("headers", {}).setdefault(
                    "ETag",
                    {"schema": {"type": "string"}, "description": ETAG_HEADER.description},
                )


LANGUAGE_DESCRIPTION = (
    "The language of the translated fields (titles, names, descriptions): one of "
    f"{', '.join(LANGUAGE_CODES)}. Wins over the Accept-Language header, which is used "
    "otherwise (the first language it names that the tracker speaks, else English). A field "
    "with no translation is given in English and named in its object's "
    "`translation.fallback`; quotes are never translated."
)


def _languages(paths: dict) -> None:
    """Every operation takes `?lang=` (config.api.languages; Accept-Language, a standard
    header, is said in its description), and every answer says its Content-Language."""
    for methods in paths.values():
        for operation in methods.values():
            parameters = operation.setdefault("parameters", [])
            parameters += [
                {
                    "in": "query",
                    "name": LANG_PARAM,
                    "schema": {"type": "string", "enum": list(LANGUAGE_CODES)},
                    "description": LANGUAGE_DESCRIPTION,
                },
            ]
            for status_code, response in operation.get("responses", {}).items():
                if status_code.startswith("2") or status_code == "304":
                    response.setdefault("headers", {})["Content-Language"] = {
                        "schema": {"type": "string", "enum": list(LANGUAGE_CODES)},
                        "description": "The language of the translated fields.",
                    }


# Not blank, no NUL: what config.api.viewsets refuses in any query value.
QUERY_TEXT_PATTERN = r"^[^\x00]*[^\s\x00][^\x00]*$"


def _query_values_not_empty(paths: dict) -> None:
    """A blank query value, or one holding a NUL, is a 400 (config.api.viewsets), whatever the
    parameter: its free-text values (and items) say so with minLength and a pattern."""
    for methods in paths.values():
        for operation in methods.values():
            for parameter in operation.get("parameters", []):
                if parameter.get("in") != "query":
                    continue
                schema = parameter["schema"] = _not_blank(parameter.get("schema", {}))
                if "items" in schema:
                    schema["items"] = _not_blank(schema["items"])


def _not_blank(node: dict) -> dict:
    """A copy of a string schema that refuses blank text and NUL (others as they are)."""
    if node.get("type") != "string" or "enum" in node:
        return node
    node = {"minLength": 1, **node}
    if "pattern" not in node and "format" not in node:
        node["pattern"] = QUERY_TEXT_PATTERN
    return node


def public_document(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: what the document says as a whole.

    Anyone may call what declares no `security` of its own (a token or session only raises
    the limits); pages of lists are described; null is a type (OpenAPI 3.1); GETs answering
    304 declare If-None-Match and ETag.
    """
    components = result.get("components", {})
    schemes = components.get("securitySchemes", {})
    result["security"] = [{}, *({name: []} for name in schemes)]
    schemas = components.get("schemas", {})
    for name, schema in schemas.items():
        page_of = re.fullmatch(r"Paginated(\w+)List", name)
        if page_of and not schema.get("description"):
            schema["description"] = (
                f"One page of {page_of[1]} records, in `results`; follow `next` for the "
                "following page."
            )
    _null_as_a_type(result)
    _conditional_gets(result.get("paths", {}))
    _languages(result.get("paths", {}))
    _query_values_not_empty(result.get("paths", {}))
    return result
