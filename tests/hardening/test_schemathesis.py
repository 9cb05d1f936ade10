"""Schemathesis against the live schema: the API does what its OpenAPI document says, for
requests nobody wrote by hand.

- every operation with valid requests (positive), as a staff token so that writes are
  exercised too: no server error, and status, content type, headers and body as documented;
- every operation with invalid requests (negative: wrong types, missing fields, values out of
  range, unknown fields), as staff so that bodies reach validation: refused with a 4xx, never
  a 5xx, never accepted;
- every list that exports CSV, positive and negative, with `format=csv` on every request (the
  CSV path is a branch of its own: it once skipped the paginator's checks of `page_size`);
- stateful sequences along the schema's OpenAPI links (create a commitment, then fetch, change,
  record a status change, read its history; create, change and delete a source): each step as
  documented, a created record can be fetched, a deleted one is gone.

Every run is derandomized and starts from the same ids (the same requests every time, so CI
is reproducible) and bounded: the four tests take two to three minutes on two cores.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import schemathesis
from django.db import connection, transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi import checks as openapi_checks  # registers the OpenAPI checks

from accounts.services import api_token_create
from config.wsgi import application
from sources.models import Source

# Every check schemathesis has, in every phase: one that does not apply to a request (a
# negative-data check on a valid one, a stateful check outside a sequence) passes it by.
assert openapi_checks
# Not run: positive_data_acceptance takes any 400 to a request the schema allows for a fault,
# but some rules are about the data, not its shape (a deadline change to the same deadline, a
# resolution of a claim nobody disputes, evidence quoting what its source does not say), and
# those are 400s naming the field by design. Every other check runs.
NOT_RUN = {"positive_data_acceptance"}
ALL_CHECKS = sorted(
    (check for check in CHECKS.get_all() if check.__name__ not in NOT_RUN),
    key=lambda check: check.__name__,
)
# The checks of the pinned version (4.32.5): a new version's new check fails
# test_every_check_schemathesis_has_is_run until it is looked at.
CHECK_NAMES = {
    "allow_header_conformance",
    "content_type_conformance",
    "ensure_resource_availability",
    "ignored_auth",
    "missing_required_header",
    "negative_data_rejection",
    "not_a_server_error",
    "object_level_authorization",
    "positive_data_acceptance",
    "response_headers_conformance",
    "response_schema_conformance",
    "status_code_conformance",
    "unsupported_method",
    "use_after_free",
}

POSITIVE_EXAMPLES_PER_OPERATION = 50
NEGATIVE_EXAMPLES_PER_OPERATION = 20
STATEFUL_SCENARIOS = 200
STATEFUL_STEPS = 6


@pytest.fixture
def ids_from_one(db):
    """Every table's ids start again after its largest: the seeded records get the same ids
    whatever ran before, so generated ids find the same records and every run is the same.
    (`setval` outlives the test's transaction; the tables it rolls back are empty again.)"""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT sequence.oid::regclass::text, owner.relname, column_.attname
              FROM pg_class sequence
              JOIN pg_depend link ON link.objid = sequence.oid AND link.deptype IN ('a', 'i')
              JOIN pg_class owner ON owner.oid = link.refobjid
              JOIN pg_attribute column_
                ON column_.attrelid = owner.oid AND column_.attnum = link.refobjsubid
             WHERE sequence.relkind = 'S'
            """
        )
        for sequence, table, column in cursor.fetchall():
            cursor.execute(
                f"SELECT setval(%s, coalesce(max({quote(column)}), 0) + 1, false) "
                f"FROM {quote(table)}",
                [sequence],
            )


@pytest.fixture
def api_schema(no_connection_closing, ids_from_one, seeded, settings):
    # Counted (RateLimit headers on every answer) but never reached. The failed-token limit
    # too: ignored_auth sends made-up tokens, and past 20 a minute from one address even the
    # editor's own token would be a 429, the count depending on the clock and on what ran
    # before, in Redis, outside the rolled-back scenarios (a replayed scenario would differ).
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            "anon": "100000/min",
            "user": "100000/min",
            "calendar": "100000/min",
        },
    }
    settings.API_THROTTLE_AUTH_FAILURES = "100000/min"
    return schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


@pytest.fixture
def hypothesis_home(tmp_path):
    """Hypothesis caches what it learns in a .hypothesis/ directory: not in the work tree."""
    set_hypothesis_home_dir(tmp_path / "hypothesis")
    yield
    set_hypothesis_home_dir(None)


@pytest.fixture(params=["anonymous", "editor"])
def caller_headers(request) -> dict[str, str]:
    """Each test runs twice: anonymous (the public's reads; writes refused), and as an editor
    (staff in the Editors group), so that writes are exercised too."""
    if request.param == "anonymous":
        return {}
    editor = request.getfixturevalue("editor")
    return {"Authorization": f"Bearer {api_token_create(user=editor, name='fuzz').key}"}


def test_every_check_schemathesis_has_is_run():
    assert {check.__name__ for check in CHECKS.get_all()} == CHECK_NAMES
    assert {check.__name__ for check in ALL_CHECKS} == CHECK_NAMES - NOT_RUN


def _settings(max_examples: int) -> hypothesis_settings:
    return hypothesis_settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


def _each_operation(
    api_schema,
    max_examples: int,
    mode: GenerationMode,
    call: Callable,
    only: Callable = lambda operation: True,
) -> list[str]:
    """One Hypothesis run per operation (schemathesis' own pytest loader does not run on this
    pytest version), or per operation `only` keeps; every failure is collected, so one run
    reports them all. Returns the operations that had nothing to generate (in negative mode:
    no input that can be wrong)."""
    failures: list[str] = []
    nothing_to_generate: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20
    operations = [operation for operation in operations if only(operation)]

    for operation in operations:

        @_settings(max_examples)
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case):
            call(case)

        try:
            run()
        except Unsatisfiable:
            nothing_to_generate.append(operation.label)
        # A check failed (schemathesis' FailureGroup is a BaseExceptionGroup): keep going,
        # report everything at the end.
        except (Exception, FailureGroup) as error:
            failures.append(f"{operation.label}:\n{error}")
    assert not failures, "\n\n".join(failures)
    return nothing_to_generate


def test_every_operation_answers_valid_requests_as_documented(
    api_schema, caller_headers, hypothesis_home
):
    _plausible_requests(api_schema)
    skipped = _each_operation(
        api_schema,
        POSITIVE_EXAMPLES_PER_OPERATION,
        GenerationMode.POSITIVE,
        lambda case: case.call_and_validate(headers=caller_headers, checks=ALL_CHECKS),
    )
    assert skipped == []


def test_every_operation_refuses_invalid_requests_with_a_4xx(
    api_schema, caller_headers, hypothesis_home
):
    """As an editor, invalid bodies get past the permission check and reach validation."""
    without_inputs = _each_operation(
        api_schema,
        NEGATIVE_EXAMPLES_PER_OPERATION,
        GenerationMode.NEGATIVE,
        lambda case: case.call_and_validate(headers=caller_headers, checks=ALL_CHECKS),
    )
    # Only operations that take nothing that could be wrong (no parameters, or an actor's id
    # or slug, which is any text) have no invalid request.
    assert set(without_inputs) <= {
        "GET /api/v1/",
        "GET /api/v1/stats/",
        "GET /api/v1/statuses/",
        "GET /api/v1/actors/{id}/",
        # An id and If-None-Match (any text): nothing in the query or the body to get wrong.
        "GET /api/v1/commitments/{id}/",
        "GET /api/v1/commitments/{id}/history/",
    }


CSV_EXAMPLES_PER_OPERATION = {GenerationMode.POSITIVE: 40, GenerationMode.NEGATIVE: 40}
CSV_LISTS = {"GET /api/v1/commitments/", "GET /api/v1/sources/", "GET /api/v1/actors/"}


def _offers_csv(operation) -> bool:
    return any(
        parameter.name == "format" and "csv" in parameter.definition["schema"].get("enum", ())
        for parameter in operation.iter_parameters()
    )


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_csv_export_answers_and_refuses_as_the_json_list_does(
    api_schema, editor, mode, hypothesis_home
):
    """The other runs send `format=csv` now and then; here every request does, so each list
    parameter reaches the CSV path, valid (a 200 CSV) and invalid (a 4xx, never a 5xx, never
    accepted). Schemathesis revalidates a case a hook changed: a negative case whose only fault
    was its `format` becomes positive, not a false failure."""
    headers = {"Authorization": f"Bearer {api_token_create(user=editor, name='fuzz').key}"}
    if mode == GenerationMode.POSITIVE:
        _plausible_requests(api_schema)

    def as_csv(case):
        case.query = {**(case.query or {}), "format": "csv"}
        response = case.call_and_validate(headers=headers, checks=ALL_CHECKS)
        if response.status_code == 200:
            assert response.headers["content-type"] == ["text/csv; charset=utf-8"]

    offered = []

    def offers_csv(operation) -> bool:
        if _offers_csv(operation):
            offered.append(operation.label)
            return True
        return False

    skipped = _each_operation(
        api_schema, CSV_EXAMPLES_PER_OPERATION[mode], mode, as_csv, only=offers_csv
    )
    assert set(offered) == CSV_LISTS  # a new export is fuzzed here the day it is added
    assert skipped == []


# Successful steps that a sequence reaches by following a link from a created record.
FOLLOWED_LINKS = {
    ("GET /api/v1/commitments/{id}/", 200),
    ("GET /api/v1/commitments/{id}/history/", 200),
    ("PATCH /api/v1/commitments/{id}/", 200),
    ("PUT /api/v1/commitments/{id}/", 200),
    ("POST /api/v1/commitments/{id}/status-changes/", 201),
    ("POST /api/v1/commitments/{id}/deadline-changes/", 201),
    ("POST /api/v1/commitments/{id}/citations/", 201),
    ("GET /api/v1/sources/{id}/", 200),
    ("PATCH /api/v1/sources/{id}/", 200),
    ("PUT /api/v1/sources/{id}/", 200),
    ("DELETE /api/v1/sources/{id}/", 204),
}

# Deadlines the API understands (a past one too), for the stateful sequences: a request the
# schema allows is accepted (positive_data_acceptance); refusals are the negative test's.
DEADLINES = [None, "", "2031", "2030-11", "in November 2030", "for 2029-2031", "2020-05"]
# Query parameters naming records by id or slug: a made-up one is a 400 naming it, by design.
RECORD_FILTERS = {"cursor", "actor", "actor_id", "parent", "parent_id", "source", "commitment_id"}
PAST_DAYS = ["2023-01-15", "2024-06-30", "2025-02-01"]


def _evidence() -> list[tuple[int, str]]:
    """(source id, quote) pairs that occur in the seeded sources: the first words of lines."""
    pairs = []
    for source in Source.objects.order_by("pk"):
        for line in source.text.splitlines():
            words = line.split()
            if len(words) >= 6:
                pairs.append((source.pk, " ".join(words[:6])))
    assert pairs
    return pairs


def _plausible_requests(api_schema) -> None:
    """Bias the sequences' requests towards ones the domain accepts: generated evidence quotes
    a real source, deadlines are mostly readable, dates are past, ids exist, no stale If-Match.
    Random text would almost never be a quote of a source, so a sequence would rarely get past
    its first step."""
    evidence = st.sampled_from(_evidence())
    deadlines = st.sampled_from(DEADLINES)
    past = st.sampled_from(PAST_DAYS)

    def with_evidence(body: dict, extra: dict):
        return st.tuples(evidence, past).map(
            lambda drawn: {
                **body,
                **extra,
                "source": drawn[0][0],
                "quote": drawn[0][1],
                "effective_on": drawn[1],
            }
        )

    @api_schema.hook
    def map_query(context, query):
        # A cursor is a signed token the API hands out in a page's `next` and `previous`
        # links, and a filter by record names one that exists: made-up ones are a 400 by
        # design, which no schema can state (the negative test and the filter tests send them).
        return {k: v for k, v in (query or {}).items() if k not in RECORD_FILTERS} or None

    @api_schema.hook
    def map_headers(context, headers):
        # A made-up If-Match is a 412 every time (the positive test sees those): sequences
        # write without one, as a client that does not check for concurrent changes.
        return {k: v for k, v in (headers or {}).items() if k.lower() != "if-match"} or None

    @api_schema.hook
    def flatmap_body(context, body):
        label = context.operation.label
        if not isinstance(body, dict):
            return st.just(body)
        if label == "POST /api/v1/commitments/":
            return st.tuples(deadlines, evidence).map(
                lambda drawn: {
                    **body,
                    "deadline": drawn[0],
                    "parent": None,
                    "parties": [],
                    "citations": [{"source": drawn[1][0], "quote": drawn[1][1]}],
                }
            )
        if label in ("PUT /api/v1/commitments/{id}/", "PATCH /api/v1/commitments/{id}/"):
            return st.just({k: v for k, v in body.items() if k not in ("parent", "parties")})
        if label == "POST /api/v1/commitments/{id}/status-changes/":
            return with_evidence(body, {})
        if label == "POST /api/v1/commitments/{id}/deadline-changes/":
            return deadlines.flatmap(
                lambda deadline: with_evidence(body, {"deadline": deadline, "reason": "Moved."})
            )
        if label == "POST /api/v1/commitments/{id}/citations/":
            return evidence.map(lambda drawn: {**body, "source": drawn[0], "quote": drawn[1]})
        return st.just(body)


def test_sequences_along_the_schema_links_behave_as_documented(
    api_schema, caller_headers, hypothesis_home
):
    # The assistant's suggestions write nothing and lead nowhere (no link): a sequence gains
    # nothing by them, and the tests above fuzz them on their own.
    api_schema = api_schema.exclude(tag="intake")
    links = api_schema.statistic.transitions
    assert links.total >= 40, "the schema lost its OpenAPI links (config.api.schema)"
    _plausible_requests(api_schema)

    class Workflow(api_schema.as_state_machine()):
        """Each scenario in a savepoint, rolled back at its end: every scenario starts from
        the seeded data, so a replayed scenario meets the same state (Hypothesis requires it)."""

        def setup(self):
            self._scenario = transaction.atomic()
            self._scenario.__enter__()

        def teardown(self):
            transaction.set_rollback(True)
            self._scenario.__exit__(None, None, None)

        def get_call_kwargs(self, case):
            return {"headers": caller_headers}

        def after_call(self, response, case):
            super().after_call(response, case)
            answered.add((case.operation.label, response.status_code))

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=ALL_CHECKS, **kwargs)

    answered: set[tuple[str, int]] = set()
    Workflow.run(
        settings=hypothesis_settings(
            _settings(STATEFUL_SCENARIOS), stateful_step_count=STATEFUL_STEPS
        )
    )
    if not caller_headers:  # anonymous: every write refused, the reads answered
        assert ("POST /api/v1/commitments/", 401) in answered, sorted(answered)
        assert any(label.startswith("GET") and code == 200 for label, code in answered)
        return
    # The sequences got past their first step: records were created, and their links led to
    # successful reads and writes (which ones depends on the generated data).
    assert {("POST /api/v1/commitments/", 201), ("POST /api/v1/sources/", 201)} <= answered
    assert len(answered & FOLLOWED_LINKS) >= 5, sorted(answered)
