"""Shared defaults of the JSON API (v1), in the manner of NetBox's API base classes.

Most of it applies to every DRF view through `REST_FRAMEWORK` in config/settings/base.py, so
a new view gets it by doing nothing:

- errors: `config.api.exceptions.problem_exception_handler` answers every 4xx as RFC 9457
  problem details (`application/problem+json`), naming each wrong field and why;
  `config.api.handlers` does the same outside DRF's views: an unknown path under `/api/` (404),
  Django's handler400 / handler500, and a body over DATA_UPLOAD_MAX_MEMORY_SIZE (413, refused
  by `config.middleware.RequestBodyLimitMiddleware` before anything reads it);
- bodies: `config.api.parsers.JSONParser`, DRF's, refusing NUL characters and lone surrogates
  anywhere in the body, numbers too large to be numbers, and nesting deeper than any body
  needs — each a 400 naming its place — where they would otherwise be 500s;
- authentication: `config.api.authentication.ApiTokenAuthentication`
  (`Authorization: Bearer <key>` or `Token <key>`), then Django's session (browsable API);
- permissions: `config.api.permissions.ModelPermissionsOrReadOnly` (anyone reads; a write
  needs a staff user with the model's permission, or the one a view's `action_permissions`
  names for an action: the admin's rule);
- throttling: `config.api.throttling.AnonRateThrottle` and `UserRateThrottle`, fixed windows
  counted in Redis through Django's cache; rates from API_THROTTLE_ANON / API_THROTTLE_USER;
- pagination: `config.api.pagination.KeysetCursorPagination` (`cursor`, `page_size` 1 to 200);
- content negotiation: `config.api.negotiation.ApiContentNegotiation` (a bad `?format=` is a
  400 naming `format`);
- the OpenAPI schema: `config.api.schema.ApiAutoSchema` documents the problem responses
  (400, 401, 403, 404, 406, 409, 411, 412, 413, 415, 429), the ETag / Retry-After headers and which
  bodies refuse unknown fields; `config.api.schema.add_response_links` adds OpenAPI links.

What a view imports by hand:

- `config.api.viewsets.ApiGenericViewSet` / `ApiReadOnlyViewSet`: the base classes (strict
  query parameters, filters on lists only, CSV export of lists with `csv_columns`, whose text
  cells are neutralised against spreadsheet formulas);
- `config.api.serializers`: `StrictSerializer` (an unknown body field is a 400),
  `StrictBooleanField` (JSON true/false only), `IdRelatedField` (an id is a whole number);
- `config.api.conditional`: `etag_for`, `if_none_match_hits`, `not_modified`,
  `require_if_match` (ETag, If-None-Match → 304, If-Match → 412);
- `config.api.exceptions`: `PreconditionFailed` (412), `Conflict` (409);
- `config.api.schema`: `IF_MATCH_HEADER`, `IF_NONE_MATCH_HEADER`, `ETAG_HEADER` and
  `NOT_MODIFIED` for `@extend_schema`.
"""
