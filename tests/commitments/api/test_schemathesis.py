"""Schemathesis against the live schema: every operation, a bounded number of generated
requests, as a staff token (so writes are exercised too). No request may end in a server
error, and every response must match the schema: status code, content type, headers, body.

The run is derandomized (the same requests every time, so CI is reproducible) and bounded so
that the whole API takes well under a minute on two cores.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import api_token_create
from config.wsgi import application

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 25


@pytest.fixture
def wsgi_in_test_transaction(db):
    """Django closes "obsolete" connections around each request; inside the test's transaction
    that would close it. The test client switches this off too."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(wsgi_in_test_transaction, seeded, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "user": "100000/min"},
    }
    return schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


@pytest.fixture
def hypothesis_home(tmp_path):
    """Hypothesis caches what it learns in a .hypothesis/ directory: not in the work tree."""
    set_hypothesis_home_dir(tmp_path / "hypothesis")
    yield
    set_hypothesis_home_dir(None)


@pytest.fixture
def staff_token(staff_user) -> str:
    return api_token_create(user=staff_user, name="schemathesis").key


def test_every_operation_answers_without_a_server_error_and_as_documented(
    api_schema, staff_token, hypothesis_home
):
    # One Hypothesis run per operation (schemathesis' own pytest loader does not run on this
    # pytest version); every failure is collected, so one run reports them all.
    headers = {"Authorization": f"Bearer {staff_token}"}
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 15

    for operation in operations:

        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def call(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            call()
        except Exception as error:  # a check failed: keep going, report everything at the end
            failures.append(f"{operation.label}:\n{error}")
    assert not failures, "\n\n".join(failures)
