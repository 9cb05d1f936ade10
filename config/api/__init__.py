"""Shared defaults of the JSON API (v1), in the manner of NetBox's API base classes.

Most of it applies to every DRF view through `REST_FRAMEWORK` in config/settings/base.py, so
a new view gets it by doing nothing:

- errors: `config.api.exceptions.problem_exception_handler` answers every 4xx as RFC 9457
  problem details (`application/problem+json`), naming each wrong field and why;
- authentication: `config.api.authentication.ApiTokenAuthentication`
  (`Authorization: Bearer <key>` or `Token <key>`), then Django's session (browsable API);
- permissions: `config.api.permissions.IsStaffOrReadOnly`;
- throttling: `config.api.throttling.AnonRateThrottle` and `UserRateThrottle`, fixed windows
  counted in Redis through Django's cache; rates from API_THROTTLE_ANON / API_THROTTLE_USER;
- pagination: `config.api.pagination.KeysetCursorPagination` (`cursor`, `page_size` up to 200);
- content negotiation: `config.api.negotiation.ApiContentNegotiation` (a bad `?format=` is a
  400 naming `format`);
- the OpenAPI schema: `config.api.schema.ApiAutoSchema` documents the problem responses
  (400, 401, 403, 404, 406, 409, 412, 415, 429) and the ETag / Retry-After headers.

What a view imports by hand:

- `config.api.viewsets.ApiGenericViewSet` / `ApiReadOnlyViewSet`: the base classes (strict
  query parameters, filters on lists only, CSV export of lists with `csv_columns`);
- `config.api.conditional`: `etag_for`, `if_none_match_hits`, `not_modified`,
  `require_if_match` (ETag, If-None-Match → 304, If-Match → 412);
- `config.api.exceptions`: `PreconditionFailed` (412), `Conflict` (409), `problem_response`;
- `config.api.throttling.ScopedRateThrottle` with a view's `throttle_scope` for a limit of its
  own (the rate is read from `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope]`);
- `config.api.schema`: `PROBLEM_RESPONSE`, `IF_MATCH_HEADER`, `IF_NONE_MATCH_HEADER`,
  `ETAG_HEADER` for `@extend_schema`.
"""
