"""The catalogue of bad input: whatever a client sends, the API answers a 4xx that names what is
wrong (the body field as a dotted path, the query parameter, or the request as a whole), never
a 500, and writes nothing — the whole database is compared before and after each request.

And the good input that is easy to get wrong: text in any script comes back byte for byte, in
JSON and in CSV, and a CSV cell never runs as a spreadsheet formula.
"""

from __future__ import annotations

import asyncio
import base64
import csv
import hashlib
import io
import json
import random
import re
import string

import pytest
from asgiref.sync import async_to_sync
from django.conf import settings
from rest_framework.test import APIClient

from commitments.models import Commitment
from sources.models import Source
from tests.api_fixtures import problem_fields
from tests.factories import make_actor, make_commitment, make_source
from tests.hardening.helpers import Operation, api_operations, body, database_fingerprint
from webhooks.services import webhook_subscription_create

pytestmark = pytest.mark.django_db

COMMITMENTS = "/api/v1/commitments/"
SOURCES = "/api/v1/sources/"
QUOTE = "a national cyber-security programme will run for 2025-2027"


# --- how every case is judged -----------------------------------------------------------------


def refused(response, *, status: int = 400) -> dict[str | None, str]:
    """The problem response's {field: message}, after checking it is one, with this status."""
    content = body(response)
    assert response.status_code == status, content[:500]
    return problem_fields(response)


@pytest.fixture
def unchanged(db):
    """`with unchanged():` fails if anything in the database changed inside the block."""

    class Unchanged:
        def __enter__(self):
            self.before = database_fingerprint()

        def __exit__(self, *exc_info):
            if exc_info[0] is None:
                after = database_fingerprint()
                changed = [t for t in self.before if self.before[t] != after.get(t)]
                assert not changed, f"the request changed {changed}"

    return Unchanged


@pytest.fixture
def world(db, editor):
    """A published commitment with a party and a citation. Its words and numbers are chosen so
    that no injected filter value below could match them by accident (no lone digit 1). And
    a webhook subscription of the editor's (the staff client is the editor's, and writes to
    its own)."""
    source = make_source(title="Ministry statement", publisher="Test News")
    actor = make_actor(slug="mfa", name="Ministry of Foreign Affairs")
    commitment = make_commitment(
        source=source,
        reference="TM-CYBER",
        parties=[(actor, "proposer")],
        deadline="2025",
    )
    webhook = webhook_subscription_create(
        owner=editor, url="http://127.0.0.1:9/hooks", alert_kinds=["overdue"]
    ).subscription
    return {"commitment": commitment, "source": source, "actor": actor, "webhook": webhook}


@pytest.fixture
def staff_client(staff):
    staff.raise_request_exception = False  # a 500 is an answer to check, not a crash
    staff.get("/api/v1/statuses/")  # the token's first use is recorded now, not mid-test
    return staff


@pytest.fixture
def anon_client():
    return APIClient(raise_request_exception=False)


# Every write that takes a body, as the schema names it.
WRITES = [
    ("post", "/api/v1/commitments/"),
    ("put", "/api/v1/commitments/{id}/"),
    ("patch", "/api/v1/commitments/{id}/"),
    ("post", "/api/v1/commitments/{id}/status-changes/"),
    ("post", "/api/v1/commitments/{id}/party-status-changes/"),
    ("post", "/api/v1/commitments/{id}/status-source/"),
    ("post", "/api/v1/commitments/{id}/deadline-changes/"),
    ("post", "/api/v1/commitments/{id}/citations/"),
    ("post", "/api/v1/commitments/{id}/claims/"),
    ("post", "/api/v1/commitments/{id}/resolutions/"),
    ("post", "/api/v1/sources/"),
    ("put", "/api/v1/sources/{id}/"),
    ("patch", "/api/v1/sources/{id}/"),
    ("post", "/api/v1/webhooks/"),
    ("put", "/api/v1/webhooks/{id}/"),
    ("patch", "/api/v1/webhooks/{id}/"),
    ("post", "/api/v1/webhooks/{id}/test/"),
    ("post", "/api/v1/intake/suggestions/"),  # writes nothing, but reads a body
    ("post", "/api/v1/sources/{source_id}/captures/"),  # takes no field, but reads a body
]
# Owner-scoped: a token holder's own webhook subscriptions; anonymous callers get a 401.
OWNER_SCOPED = ("/api/v1/webhooks/",)


def _record_for(world, path: str):
    for resource, record in (("sources", "source"), ("webhooks", "webhook")):
        if f"/{resource}/" in path:
            return world[record]
    return world["commitment"]


def write_endpoints(world) -> list[tuple[str, str]]:
    """(method, url) of every write in WRITES, with a real record to write to."""
    return [
        (
            method,
            re.sub(r"\{(id|source_id)\}", str(_record_for(world, path).pk), path),
        )
        for method, path in WRITES
    ]


def send(client, method: str, url: str, payload, **extra):
    """`payload` as the body: text or bytes as they are, anything else as JSON."""
    if isinstance(payload, str | bytes):
        return getattr(client, method)(url, payload, content_type="application/json", **extra)
    return getattr(client, method)(url, payload, format="json", **extra)


def test_the_catalogue_covers_every_write_the_schema_documents():
    documented = {
        (op.method, op.path) for op in api_operations() if op.method in ("post", "put", "patch")
    }
    assert documented == set(WRITES), "a new write: add it to WRITES (and to _write below)"


# --- malformed JSON ---------------------------------------------------------------------------

MALFORMED = {
    "not json": "{not json",
    "trailing comma": '{"title": "x",}',
    "truncated": '{"title": "x"',
    "two documents": '{"a": 1}{"b": 2}',
    "NaN": '{"title": NaN}',
    "Infinity": '{"recurring": Infinity}',
    "not UTF-8": b'{"title": "\xff\xfe"}',
    "a NUL byte": b'{"title": "x"}\x00',
    "nested 100,000 deep": "[" * 100_000 + "]" * 100_000,
    "an object 50,000 deep": '{"a":' * 50_000 + "1" + "}" * 50_000,
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_json_is_a_400_parse_error_on_every_write(case, staff_client, world, unchanged):
    for method, url in write_endpoints(world):
        with unchanged():
            response = send(staff_client, method, url, MALFORMED[case])
            assert refused(response) == {}, (method, url)
            assert response.json()["code"] == "parse_error", (method, url)


@pytest.mark.parametrize(
    "payload, reason",
    [([], "list"), ("a string", "str"), (42, "int"), (None, "")],
)
def test_a_body_that_is_not_an_object_is_a_400_about_the_request(
    payload, reason, staff_client, world, unchanged
):
    for method, url in write_endpoints(world):
        with unchanged():
            text = json.dumps(payload)
            fields = refused(send(staff_client, method, url, text))
            assert list(fields) == [None], (method, url, fields)  # the body as a whole
            assert reason in fields[None], (method, url, fields)


def test_json_nested_deeper_than_any_body_needs_is_refused_naming_where(
    staff_client, world, unchanged
):
    deep: object = "x"
    for _ in range(40):
        deep = [deep]
    with unchanged():
        fields = refused(send(staff_client, "post", COMMITMENTS, {"description": deep}))
    assert len(fields) == 1
    [(field, message)] = fields.items()
    assert field.startswith("description.0.0.") and "Nested too deeply" in message


def test_a_body_that_is_not_json_at_all_is_a_415(staff_client, world, unchanged):
    for method, url in write_endpoints(world):
        with unchanged():
            response = getattr(staff_client, method)(
                url, "title=x", content_type="application/x-www-form-urlencoded"
            )
            assert refused(response, status=415) == {}


# --- wrong types ------------------------------------------------------------------------------


def a_commitment(world, **fields) -> dict:
    return {
        "reference": "NEW-1",
        "title": "A new programme",
        "kind": "programme",
        "citations": [{"source": world["source"].pk, "quote": QUOTE}],
        **fields,
    }


def a_status_change(world, **fields) -> dict:
    return {
        "status": "adopted",
        "effective_on": "2024-10-01",
        "source": world["source"].pk,
        "quote": QUOTE,
        **fields,
    }


def a_deadline_change(world, **fields) -> dict:
    evidence = {k: v for k, v in a_status_change(world).items() if k != "status"}
    return {**evidence, "deadline": "2026", "reason": "Moved.", **fields}


def a_source(**fields) -> dict:
    return {"title": "A report", "kind": "news_report", "text": "Some text.", **fields}


WRONG_TYPES = [
    # (which write, field as the error names it, the body's change)
    ("create", "is_published", {"is_published": "yes"}),
    ("create", "is_published", {"is_published": "false"}),
    ("create", "is_published", {"is_published": 1}),
    ("create", "recurring", {"recurring": "no"}),
    ("create", "title", {"title": {"en": "A programme"}}),
    ("create", "title", {"title": ["A programme"]}),
    ("create", "reference", {"reference": None}),
    ("create", "kind", {"kind": ["programme"]}),
    ("create", "announced_on", {"announced_on": ["2024-01-01"]}),
    ("create", "announced_on", {"announced_on": 20240101}),
    ("create", "announced_on", {"announced_on": {"year": 2024}}),
    ("create", "deadline", {"deadline": ["2026"]}),
    ("create", "deadline", {"deadline": {"text": "2026"}}),
    ("create", "tags", {"tags": "cyber,security"}),
    ("create", "tags", {"tags": {"cyber": True}}),
    ("create", "tags.0", {"tags": [["cyber"]]}),
    ("create", "parent", {"parent": 1.5}),
    ("create", "parent", {"parent": "first"}),
    ("create", "parent", {"parent": True}),
    ("create", "parties", {"parties": {"actor": 1, "role": "proposer"}}),
    ("create", "parties.0", {"parties": [7]}),
    ("create", "parties.0.actor", {"parties": [{"actor": "mfa", "role": "proposer"}]}),
    ("create", "parties.0.actor", {"parties": [{"actor": {"id": 2.5}, "role": "proposer"}]}),
    ("create", "citations", {"citations": "a quote"}),
    ("create", "citations.0.source", {"citations": [{"source": [1], "quote": QUOTE}]}),
    ("create", "citations.0.quote", {"citations": [{"source": 1, "quote": {"text": QUOTE}}]}),
    ("patch", "is_published", {"is_published": "true"}),
    ("patch", "title", {"title": {"a": 1}}),
    ("patch", "tags", {"tags": None}),
    ("status", "effective_on", {"effective_on": ["2024-10-01"]}),
    ("status", "effective_on", {"effective_on": 1727740800}),
    ("status", "source", {"source": "the ministry"}),
    ("status", "source", {"source": 1.0}),
    ("status", "note", {"note": {"text": "x"}}),
    ("status", "quote", {"quote": [QUOTE]}),
    ("deadline", "deadline", {"deadline": [2026]}),
    ("deadline", "reason", {"reason": ["Moved."]}),
    ("citation", "source", {"source": {"id": 1}}),
    ("citation", "note", {"note": ["x"]}),
    ("claim", "fact", {"fact": 1}),
    ("claim", "value", {"value": ["2024-11"]}),
    ("claim", "value", {"value": "sometime"}),
    ("source", "title", {"title": {"en": "x"}}),
    ("source", "kind", {"kind": 1}),
    ("source", "text", {"text": ["Some text."]}),
    ("source", "url", {"url": ["https://example.org"]}),
    ("source", "language", {"language": ["en"]}),
    ("suggest", "text", {"text": ["The ministry will open a data centre by 2026."]}),
    ("suggest", "published_on", {"published_on": 2025}),
    ("suggest", "language", {"language": ["ru"]}),
    ("suggest", "source", {"source": True}),
]


def _write(world, which: str) -> tuple[str, str, dict]:
    commitment = f"{COMMITMENTS}{world['commitment'].pk}/"
    return {
        "create": ("post", COMMITMENTS, a_commitment(world)),
        "patch": ("patch", commitment, {"recurring": True}),  # a PATCH names a field
        "status": ("post", f"{commitment}status-changes/", a_status_change(world)),
        "deadline": ("post", f"{commitment}deadline-changes/", a_deadline_change(world)),
        "citation": (
            "post",
            f"{commitment}citations/",
            {"source": world["source"].pk, "quote": "a regional forum in Ashgabat"},
        ),
        "claim": (
            "post",
            f"{commitment}claims/",
            {
                "fact": "deadline",
                "value": "in November 2024",
                "source": world["source"].pk,
                "quote": "a regional forum in Ashgabat",
            },
        ),
        "source": ("post", SOURCES, a_source()),
        "suggest": (
            "post",
            "/api/v1/intake/suggestions/",
            {"text": "The ministry will open a data centre by 2026.", "published_on": "2025-01"},
        ),
    }[which]


@pytest.mark.parametrize(
    "which, field, change",
    WRONG_TYPES,
    ids=[f"{w}-{f}-{i}" for i, (w, f, _) in enumerate(WRONG_TYPES)],
)
def test_a_value_of_the_wrong_type_is_a_400_naming_the_field(
    which, field, change, staff_client, world, unchanged
):
    method, url, valid = _write(world, which)
    with unchanged():
        fields = refused(send(staff_client, method, url, {**valid, **change}))
    assert field in fields, fields


def test_the_bodies_the_wrong_types_start_from_are_valid(staff_client, world):
    """The control: without the wrong value, each write goes through."""
    for which in (
        "create",
        "patch",
        "status",
        "deadline",
        "citation",
        "claim",
        "source",
        "suggest",
    ):
        method, url, valid = _write(world, which)
        response = send(staff_client, method, url, valid)
        assert response.status_code in (200, 201), (which, body(response))


@pytest.mark.parametrize(
    "language",
    ["en gb", "<script>", "e", "en_US", "en-", "\u0440\u0443"],  # the last: "ru" in Cyrillic
)
def test_a_source_language_that_is_not_a_bcp47_tag_is_a_400(
    language, staff_client, world, unchanged
):
    """The language filter takes BCP 47 tags only: a source stored with anything else could
    never be found by its language."""
    with unchanged():
        fields = refused(send(staff_client, "post", SOURCES, a_source(language=language)))
    assert "BCP 47" in fields["language"]


def test_a_source_language_that_is_a_bcp47_tag_is_stored_and_found(staff_client):
    created = send(staff_client, "post", SOURCES, a_source(language="tk-Latn"))
    assert created.status_code == 201
    found = staff_client.get(SOURCES, {"language": "tk-Latn"}).json()["results"]
    assert [row["id"] for row in found] == [created.json()["id"]]


# --- unknown values of a vocabulary -------------------------------------------------------------


@pytest.mark.parametrize(
    "which, field, change",
    [
        ("create", "kind", {"kind": "promise"}),
        ("create", "status", {"status": "done"}),
        ("create", "parties.0.role", {"parties": [{"actor": 1, "role": "boss"}]}),
        ("status", "status", {"status": "finished"}),
        ("source", "kind", {"kind": "blog"}),
        ("create", "kind", {"kind": "PROGRAMME"}),
        ("create", "status", {"status": " proposed"}),
    ],
)
def test_a_value_outside_the_vocabulary_is_a_400_naming_the_field(
    which, field, change, staff_client, world, unchanged
):
    method, url, valid = _write(world, which)
    if "parties" in change:
        change = {"parties": [{**change["parties"][0], "actor": world["actor"].pk}]}
    with unchanged():
        fields = refused(send(staff_client, method, url, {**valid, **change}))
    assert field in fields, fields


@pytest.mark.parametrize(
    "url, parameter, value",
    [
        (COMMITMENTS, "status", "done"),
        (COMMITMENTS, "kind", "promise"),
        (COMMITMENTS, "role", "boss"),
        (COMMITMENTS, "ordering", "secret"),
        ("/api/v1/actors/", "kind", "alien"),
        (SOURCES, "kind", "blog"),
        ("/api/v1/alerts/", "kind", "panic"),
        ("/api/v1/alerts/", "role", "boss"),
        ("/api/v1/deadlines.ics", "status", "done"),
        (COMMITMENTS, "format", "xml"),
        (COMMITMENTS, "role", "\x1c"),  # a control character is a value, not a blank
    ],
)
def test_a_filter_value_outside_its_vocabulary_is_a_400_naming_it(
    url, parameter, value, anon_client, world, unchanged
):
    with unchanged():
        assert parameter in refused(anon_client.get(url, {parameter: value}))


# --- deadlines ----------------------------------------------------------------------------------

BAD_DEADLINES = [
    "when pigs fly",
    "2027/2025",  # reversed
    "from 2027 to 2025",  # reversed, in words
    "2024-13",
    "2024-02-30",
    "2024/..",
    "0000",
    "99999",
    "Q5 2025",
]


@pytest.mark.parametrize("deadline", BAD_DEADLINES)
def test_a_deadline_that_cannot_be_read_or_runs_backwards_is_a_400_naming_it(
    deadline, staff_client, world, unchanged
):
    for which in ("create", "deadline"):
        method, url, valid = _write(world, which)
        with unchanged():
            fields = refused(send(staff_client, method, url, {**valid, "deadline": deadline}))
        assert "deadline" in fields, (which, fields)


@pytest.mark.parametrize("parameter", ["due_before", "due_after"])
@pytest.mark.parametrize("value", ["2024-13-01", "tomorrow", "2024/01/01", "99999-01-01"])
def test_a_date_filter_that_is_not_a_date_is_a_400_naming_it(parameter, value, anon_client, world):
    assert parameter in refused(anon_client.get(COMMITMENTS, {parameter: value}))


def test_a_reversed_date_range_in_filters_is_simply_empty(anon_client, world):
    response = anon_client.get(COMMITMENTS, {"due_after": "2026-01-01", "due_before": "2024-01-01"})
    assert response.status_code == 200
    assert response.json()["results"] == []


# --- evidence that is not in the source --------------------------------------------------------


@pytest.mark.parametrize("which", ["create", "status", "deadline", "citation"])
def test_a_quote_that_is_not_in_the_source_is_a_400_naming_quote(
    which, staff_client, world, unchanged
):
    method, url, valid = _write(world, which)
    absent = {"quote": "the programme was cancelled"}
    if which == "create":
        absent = {"citations": [{"source": world["source"].pk, **absent}]}
    with unchanged():
        fields = refused(send(staff_client, method, url, {**valid, **absent}))
    assert "does not occur" in fields["quote"]


def test_a_quote_of_another_source_is_not_evidence_from_this_one(staff_client, world, unchanged):
    other = make_source(text="A completely different article about the weather.")
    method, url, valid = _write(world, "status")
    with unchanged():
        fields = refused(send(staff_client, method, url, {**valid, "source": other.pk}))
    assert "does not occur" in fields["quote"]


# --- over-long strings ------------------------------------------------------------------------

LIMITS = [
    # (which write, field, the most characters the database column holds)
    ("create", "reference", 50),
    ("create", "title", 300),
    ("create", "deadline", 200),
    ("create", "citations.0.note", 500),
    ("create", "tags.0", 50),
    ("patch", "title", 300),
    ("patch", "reference", 50),
    ("citation", "note", 500),
    ("source", "title", 500),
    ("source", "publisher", 300),
    ("source", "author", 300),
    ("source", "url", 1000),
    ("source", "published", 10),
    ("source", "language", 35),
]


def _with_value(body_: dict, field: str, value) -> dict:
    """A copy of `body_` with the field at a dotted path (`citations.0.note`) set to `value`."""
    body_ = json.loads(json.dumps(body_))
    *parents, last = [int(part) if part.isdigit() else part for part in field.split(".")]
    target = body_
    for part in parents:
        target = target[part]
    target[last] = value
    return body_


def _long(field: str, length: int) -> str:
    if field == "url":
        return "https://example.org/" + "a" * (length - len("https://example.org/"))
    if field == "tags.0":
        return "t" * length
    return "ž" * length  # a character of two bytes: the limit counts characters


@pytest.mark.parametrize("which, field, limit", LIMITS, ids=[f"{w}-{f}" for w, f, _ in LIMITS])
def test_a_string_over_its_column_length_is_a_400_naming_the_field(
    which, field, limit, staff_client, world, unchanged
):
    method, url, valid = _write(world, which)
    if field == "tags.0":
        valid = {**valid, "tags": ["x"]}
    too_long = _with_value(valid, field, _long(field, limit + 1))
    with unchanged():
        fields = refused(send(staff_client, method, url, too_long))
    assert field in fields and f"no more than {limit} characters" in fields[field], fields


def test_strings_of_exactly_the_column_length_are_stored_whole(staff_client, world):
    body_ = a_commitment(
        world,
        reference="ř" * 50,
        title="ž" * 300,
        tags=["t" * 50],
        citations=[{"source": world["source"].pk, "quote": QUOTE, "note": "ň" * 500}],
    )
    response = send(staff_client, "post", COMMITMENTS, body_)
    assert response.status_code == 201, body(response)
    stored = Commitment.objects.get(pk=response.json()["id"])
    assert (stored.reference, stored.title, stored.tags) == ("ř" * 50, "ž" * 300, ["t" * 50])
    assert stored.citations.get().note == "ň" * 500


def _distinct_words(characters: int) -> str:
    """Text of many different words: its full-text index grows faster than the text."""
    generator = random.Random(8)
    pieces, size = [], 0
    while size < characters:
        word = "".join(
            generator.choice(string.ascii_lowercase) for _ in range(generator.randint(4, 12))
        )
        pieces.append(word)
        size += len(word) + 1
    return " ".join(pieces)[:characters]


def test_a_long_text_of_distinct_words_is_stored_whole_and_searchable(staff_client):
    """PostgreSQL refuses a full-text vector over 1 MB, which 1.5 MB of distinct words
    exceeds: the text is stored whole and searched in its first SEARCHED_CHARACTERS."""
    text = "Zqxbeginning " + _distinct_words(1_500_000)
    source = send(staff_client, "post", SOURCES, a_source(text=text))
    assert source.status_code == 201, body(source)[:300]
    assert Source.objects.get(pk=source.json()["id"]).text == text
    found = staff_client.get(SOURCES, {"q": "zqxbeginning"}).json()["results"]
    assert [row["id"] for row in found] == [source.json()["id"]]
    commitment = send(
        staff_client,
        "post",
        COMMITMENTS,
        {"reference": "LONG-1", "title": "Long", "kind": "programme", "description": text},
    )
    assert commitment.status_code == 201, body(commitment)[:300]
    found = staff_client.get(COMMITMENTS, {"q": "zqxbeginning"}).json()["results"]
    assert [row["reference"] for row in found] == ["LONG-1"]


# --- NUL bytes and lone surrogates -----------------------------------------------------------


@pytest.mark.parametrize("bad", ["a\u0000b", "\ud800", "x\udfffy"], ids=["NUL", "high", "low"])
@pytest.mark.parametrize(
    "which, field",
    [
        ("create", "title"),
        ("create", "description"),
        ("create", "reference"),
        ("create", "deadline"),
        ("create", "citations.0.quote"),
        ("create", "citations.0.note"),
        ("create", "tags.0"),
        ("status", "note"),
        ("status", "quote"),
        ("deadline", "reason"),
        ("citation", "quote"),
        ("source", "text"),
        ("source", "title"),
        ("source", "publisher"),
        ("source", "url"),
    ],
)
def test_a_nul_byte_or_a_lone_surrogate_in_a_string_is_a_400_naming_the_field(
    bad, which, field, staff_client, world, unchanged
):
    """PostgreSQL refuses both in text: without the check they would be a 500."""
    method, url, valid = _write(world, which)
    if field == "tags.0":
        valid = {**valid, "tags": ["x"]}
    payload = json.dumps(_with_value(valid, field, bad), ensure_ascii=True)  # "\\u0000" etc.
    with unchanged():
        fields = refused(send(staff_client, method, url, payload))
    assert field in fields, fields


def test_a_nul_byte_in_a_key_or_any_value_of_any_body_is_refused(staff_client, world, unchanged):
    for method, url in write_endpoints(world):
        for payload in ('{"ti\\u0000tle": "x"}', '{"extra": {"deep": ["\\u0000"]}}'):
            with unchanged():
                response = send(staff_client, method, url, payload)
                assert response.status_code == 400, (method, url, body(response))
                assert "Null characters" in response.json()["detail"]


def test_a_number_too_large_for_any_id_is_a_400_naming_the_field(staff_client, world, unchanged):
    with unchanged():
        fields = refused(
            send(staff_client, "post", COMMITMENTS, '{"reference": "X", "parent": 1e999}')
        )
    assert fields["parent"] == "This number is too large."


# --- bodies over the limit --------------------------------------------------------------------

TEN_MB = 10 * 1024 * 1024


def test_a_10_mb_body_is_a_413_on_every_write_before_anything_reads_it(
    staff_client, anon_client, world, unchanged
):
    big = b'{"title": "' + b"x" * TEN_MB + b'"}'
    for client in (staff_client, anon_client):
        for method, url in write_endpoints(world):
            with unchanged():
                response = send(client, method, url, big)
                assert refused(response, status=413) == {}, (method, url)
                assert response.json()["code"] == "request_too_large"
                assert str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE) in response.json()["detail"]


def test_the_limit_is_data_upload_max_memory_size_to_the_byte(staff_client, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    at_limit = json.dumps(a_source(text="x" * 1000))[:1000].encode()  # cut: not valid JSON
    assert staff_client.post(SOURCES, at_limit, content_type="application/json").status_code == 400
    over = at_limit + b" "
    assert staff_client.post(SOURCES, over, content_type="application/json").status_code == 413


def test_a_large_body_outside_the_api_is_a_413_too(anon_client):
    response = anon_client.post(
        "/admin/login/",
        b"username=" + b"x" * TEN_MB,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 413
    assert b"larger than" in body(response)


def _asgi_post(path: str, chunks: list[bytes], headers: list[tuple[bytes, bytes]]) -> dict:
    """POST to the ASGI application, streaming `chunks` with no Content-Length."""
    from config.asgi import application

    messages = [
        {"type": "http.request", "body": chunk, "more_body": index < len(chunks) - 1}
        for index, chunk in enumerate(chunks)
    ]
    sent: dict = {"body": b""}

    async def receive():
        if messages:
            return messages.pop(0)
        await asyncio.Event().wait()  # the client stays connected until the answer is sent

    async def send_(message):
        if message["type"] == "http.response.start":
            sent["status"] = message["status"]
            sent["headers"] = dict(message["headers"])
        elif message["type"] == "http.response.body":
            sent["body"] += message.get("body", b"")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    async_to_sync(application)(scope, receive, send_)
    return sent


def test_a_body_without_content_length_that_django_finds_too_large_is_a_413_not_a_400(
    settings, no_connection_closing
):
    """Chunked uploads carry no Content-Length: Django notices the size only while reading the
    body and raises RequestDataTooBig, which it would answer as a 400."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    chunk = b"username=admin&password=" + b"x" * 4_000
    answer = _asgi_post(
        "/admin/login/",
        [chunk, b"x" * 4_000, b"x" * 4_000],
        [
            (b"content-type", b"application/x-www-form-urlencoded"),
            # A CSRF cookie, so that Django goes on to read the form for its token.
            (b"cookie", b"csrftoken=" + b"a" * 32),
        ],
    )
    assert answer["status"] == 413, answer
    assert b"larger than 10000 bytes" in answer["body"]


# --- pagination ---------------------------------------------------------------------------------


@pytest.fixture
def many(world):
    for number in range(5):
        make_commitment(source=world["source"], reference=f"MANY-{number}")


PAGE_SIZE_REFUSED = {"page_size": "Must be a whole number from 1 to 200."}
# The last four int() reads as numbers; a page size is ASCII digits.
BAD_PAGE_SIZES = ["0", "-1", "-999999", "abc", "1.5", "1e3", " ", "0x10", "201", "100000"]
BAD_PAGE_SIZES += ["9" * 40, "+5", " 5", "5_0", "\u0665"]


@pytest.mark.parametrize("value", BAD_PAGE_SIZES)
@pytest.mark.parametrize("url", [COMMITMENTS, SOURCES, "/api/v1/actors/"])
@pytest.mark.parametrize("output", ["json", "csv"])  # a CSV export is not paged, but checks it
def test_a_page_size_that_is_not_a_whole_number_from_1_to_200_is_a_400_naming_it(
    url, value, output, anon_client, many
):
    response = anon_client.get(url, {"page_size": value, "format": output})
    problems = refused(response)
    assert list(problems) == ["page_size"]
    if value.strip():  # a blank value has the message of every blank parameter
        assert problems == PAGE_SIZE_REFUSED


@pytest.mark.parametrize("url", ["/api/v1/webhooks/", "/api/v1/webhooks/{id}/deliveries/"])
def test_the_webhook_lists_take_the_same_page_size_rule(url, staff_client, many):
    created = staff_client.post(
        "/api/v1/webhooks/",
        {"url": "http://127.0.0.1:9/", "alert_kinds": ["overdue"]},
        format="json",
    )
    url = url.format(id=created.json()["id"])
    assert refused(staff_client.get(url, {"page_size": "201"})) == PAGE_SIZE_REFUSED
    assert staff_client.get(url, {"page_size": "200"}).status_code == 200


@pytest.mark.parametrize(
    "parameter, value",
    [
        ("limit", "0"),
        ("limit", "-1"),
        ("limit", "501"),
        ("limit", "ten"),
        ("after", "-1"),
        ("after", str(2**63)),
        ("after", "9" * 40),
        ("after", "1.5"),
    ],
)
def test_the_alert_feeds_paging_values_are_checked_too(parameter, value, anon_client, world):
    assert parameter in refused(anon_client.get("/api/v1/alerts/", {parameter: value}))


def _token(payload) -> str:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


CURSORS = {
    "garbage": "garbage",
    "punctuation": "!!!***",
    "not base64 of JSON": _token(b"\x00\xff\x10binary"),
    "a JSON list": _token([1, 2, 3]),
    "no keys": _token({}),
    "another ordering": _token({"o": ["-deadline_last_day", "id"], "v": [None, 1], "b": False}),
    "too few values": _token({"o": ["title", "id"], "v": ["a"], "b": False}),
    "a value of the wrong type": _token({"o": ["title", "id"], "v": ["a", "one"], "b": False}),
    "a float": _token({"o": ["title", "id"], "v": ["a", 1.5], "b": False}),
    "an id beyond bigint": _token({"o": ["title", "id"], "v": ["a", 2**64], "b": False}),
    "a NUL in text": _token({"o": ["title", "id"], "v": ["a\u0000", 1], "b": False}),
    "a lone surrogate": _token({"o": ["title", "id"], "v": ["\ud800", 1], "b": False}),
    "a null id": _token({"o": ["title", "id"], "v": ["a", None], "b": False}),
    "direction not a boolean": _token({"o": ["title", "id"], "v": ["a", 1], "b": "yes"}),
    "an object value": _token({"o": ["title", "id"], "v": [{"$gt": ""}, 1], "b": False}),
}


@pytest.mark.parametrize("case", CURSORS)
def test_a_tampered_or_garbage_cursor_is_a_400_naming_cursor(case, anon_client, many):
    response = anon_client.get(COMMITMENTS, {"ordering": "title", "cursor": CURSORS[case]})
    assert "cursor" in refused(response)


def test_a_cursor_of_dates_out_of_range_is_a_400(anon_client, many):
    for value in ["99999-01-01", "2024-02-30", "0000-00-00", 20240101]:
        cursor = _token({"o": ["deadline_last_day", "id"], "v": [value, 1], "b": False})
        response = anon_client.get(COMMITMENTS, {"ordering": "deadline", "cursor": cursor})
        assert "cursor" in refused(response), value


def test_a_real_cursor_still_pages(anon_client, many):
    first = anon_client.get(COMMITMENTS, {"ordering": "title", "page_size": 2}).json()
    second = anon_client.get(first["next"]).json()
    assert len(second["results"]) == 2
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


# --- SQL metacharacters in every filter ---------------------------------------------------------

SQL_META = [
    "' OR 1=1 --",
    "%",
    "\\",
    "\u0000",
    "%' OR '1'='1",
    "1); DROP TABLE commitments_commitment; --",
]
# Feeds that are not JSON: how each marks one item.
FEEDS = {"/api/v1/deadlines.ics": b"BEGIN:VEVENT", "/api/v1/alerts.atom": b"<entry>"}


def _filterable_lists() -> list[Operation]:
    return [
        op
        for op in api_operations()
        if op.method == "get"
        and op.query_parameters
        and "{" not in op.path
        and not op.path.startswith(OWNER_SCOPED)  # anonymous: 401 (tests/webhooks/)
    ]


def _items(op: Operation, response) -> int:
    if op.path in FEEDS:
        return body(response).count(FEEDS[op.path])
    return len(response.json()["results"])


@pytest.mark.parametrize(
    "value", SQL_META, ids=["or-1-1", "percent", "backslash", "nul", "quote", "drop"]
)
def test_sql_metacharacters_in_any_filter_match_nothing_or_are_a_400_naming_it(
    value, anon_client, world, unchanged, settings
):
    # One anonymous caller sends every filter of every list: more than a minute's allowance.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "100000/min", "user": "100000/min"},
    }
    operations = _filterable_lists()
    assert {op.path for op in operations} >= {COMMITMENTS, SOURCES, "/api/v1/alerts/"}
    for op in operations:
        with unchanged():
            for name in op.query_parameters:
                response = anon_client.get(op.path, {name: value})
                label = f"{op} ?{name}={value!r}"
                assert response.status_code in (200, 400), (label, body(response)[:300])
                if response.status_code == 400:
                    assert name in problem_fields(response), label
                else:
                    assert _items(op, response) == 0, label
                if value == "\u0000":
                    assert response.status_code == 400, label
    # The control: the same lists do have rows to leak.
    assert len(anon_client.get(COMMITMENTS).json()["results"]) == 1
    assert Commitment.objects.count() == 1 and Source.objects.count() == 1


# --- Unicode, byte for byte ---------------------------------------------------------------------

TURKMEN = "Türkmenistanyň Prezidenti ýaşlar üçin täze çäre: žurnal, öý, şäher, ähli"
CYRILLIC = "Президент Туркменистана утвердил программу «Цифровая экономика»"
EMOJI = "🇹🇲 programme 🚀 done ✅ 👩🏽‍💻 team"
ARABIC = "برنامج الأمن السيبراني الوطني"
HEBREW = "תוכנית לאומית לסייבר"
RTL_MARKS = "a \u200fmarked\u200e and \u202eoverride\u202c text"
COMBINING = "Cafe\u0301 n\u0303 s\u0327 (decomposed, never normalised)"
SCRIPTS = [TURKMEN, CYRILLIC, EMOJI, ARABIC, HEBREW, RTL_MARKS, COMBINING]
SOURCE_TEXT = "\n\n".join(SCRIPTS)


def test_text_in_any_script_comes_back_byte_for_byte(staff_client):
    source_body = a_source(
        title=f"{TURKMEN} — {HEBREW}",
        publisher=CYRILLIC,
        author=f"{ARABIC} {COMBINING}",
        text=SOURCE_TEXT,
    )
    response = send(staff_client, "post", SOURCES, source_body)
    assert response.status_code == 201, body(response)
    source = response.json()
    for field in ("title", "publisher", "author", "text"):
        assert source[field] == source_body[field], field
        assert json.dumps(source_body[field], ensure_ascii=False).encode() in body(response)
    # The hash is of the UTF-8 bytes exactly as sent.
    assert source["text_sha256"] == hashlib.sha256(SOURCE_TEXT.encode()).hexdigest()

    commitment_body = {
        "reference": "TM-ňşýäöüçž-🇹🇲",
        "title": f"{TURKMEN} {EMOJI}",
        "description": "\n".join(SCRIPTS),
        "kind": "programme",
        "citations": [{"source": source["id"], "quote": quote, "note": quote} for quote in SCRIPTS],
    }
    created = send(staff_client, "post", COMMITMENTS, commitment_body)
    assert created.status_code == 201, body(created)
    url = f"{COMMITMENTS}{created.json()['id']}/"
    change = {
        "status": "adopted",
        "effective_on": "2024-10-01",
        "source": source["id"],
        "quote": CYRILLIC,
        "note": f"{ARABIC} {RTL_MARKS}",
    }
    assert send(staff_client, "post", f"{url}status-changes/", change).status_code == 201
    moved = {**change, "deadline": "2026", "reason": f"{HEBREW} {COMBINING}", "quote": EMOJI}
    del moved["status"], moved["note"]
    assert send(staff_client, "post", f"{url}deadline-changes/", moved).status_code == 201

    fetched = staff_client.get(url).json()
    for field in ("reference", "title", "description"):
        assert fetched[field] == commitment_body[field], field
    assert [c["quote"] for c in fetched["citations"]] == SCRIPTS
    assert [c["note"] for c in fetched["citations"]] == SCRIPTS
    assert fetched["citations"][0]["source"]["title"] == source_body["title"]
    history = staff_client.get(f"{url}history/").json()
    assert history[0]["note"] == change["note"]
    assert history[0]["evidence"]["quote"] == CYRILLIC
    assert history[1]["reason"] == moved["reason"]
    assert history[1]["evidence"]["quote"] == EMOJI

    exported = body(staff_client.get(COMMITMENTS, {"format": "csv"})).decode("utf-8")
    [row] = [r for r in csv.DictReader(io.StringIO(exported)) if r["id"] == str(fetched["id"])]
    for field in ("reference", "title", "description"):
        assert row[field] == commitment_body[field], field
    sources_csv = body(staff_client.get(SOURCES, {"format": "csv"})).decode("utf-8")
    [row] = list(csv.DictReader(io.StringIO(sources_csv)))
    assert (row["title"], row["publisher"], row["author"]) == (
        source_body["title"],
        source_body["publisher"],
        source_body["author"],
    )


def test_unicode_in_filters_is_matched_not_mangled(staff_client):
    make_source(text=SOURCE_TEXT, publisher=CYRILLIC)
    response = staff_client.get(SOURCES, {"publisher": "Туркменистана"})
    assert [row["publisher"] for row in response.json()["results"]] == [CYRILLIC]


# --- CSV injection ------------------------------------------------------------------------------

FORMULAS = {
    '=HYPERLINK("http://evil.example","click")': '\'=HYPERLINK("http://evil.example","click")',
    "+1+1": "'+1+1",
    "-2+3": "'-2+3",
    "@SUM(A1:A9)": "'@SUM(A1:A9)",
    "\t=cmd|' /C calc'!A0": "'\t=cmd|' /C calc'!A0",
    "\r=1": "'\r=1",
    "A plain title": "A plain title",
    "Total = 3 (not a formula)": "Total = 3 (not a formula)",
}


def test_a_csv_cell_that_a_spreadsheet_would_run_is_neutralised(staff_client, source):
    for number, text in enumerate(FORMULAS):
        make_commitment(
            source=source, reference=f"CSV-{number}", title=text.strip() or "x", description=text
        )
    make_source(title="=cmd|' /C calc'!A0", publisher="@evil", author="-1")
    exported = body(staff_client.get(COMMITMENTS, {"format": "csv"})).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(exported, newline="")))
    assert sorted(row["description"] for row in rows) == sorted(FORMULAS.values())
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (column, cell)
        assert int(row["id"]) > 0 and row["is_published"] == "true"  # plain values untouched
    sources_csv = body(staff_client.get(SOURCES, {"format": "csv"})).decode("utf-8")
    rows = {row["title"]: row for row in csv.DictReader(io.StringIO(sources_csv, newline=""))}
    assert rows["'=cmd|' /C calc'!A0"]["publisher"] == "'@evil"
    assert rows["'=cmd|' /C calc'!A0"]["author"] == "'-1"


@pytest.mark.parametrize(
    "start",
    ["\uff1d", "\uff0b", "\uff0d", "\uff20", "\uff5c", "|", "\ufe66", "\u207c"],
    ids=[
        "fullwidth =",
        "fullwidth +",
        "fullwidth -",
        "fullwidth @",
        "fullwidth |",
        "|",
        "small =",
        "superscript =",
    ],
)
def test_a_csv_cell_starting_with_another_form_of_a_formula_sign_is_neutralised(
    start, staff_client, source
):
    text = f'{start}HYPERLINK("http://evil.example","click")'
    make_commitment(source=source, reference="CSV-W", title=text, description=text)
    make_source(title=text, publisher=f"{start}evil")

    exported = body(staff_client.get(COMMITMENTS, {"format": "csv"})).decode("utf-8")
    (row,) = csv.DictReader(io.StringIO(exported, newline=""))
    assert row["title"] == row["description"] == f"'{text}"
    sources_csv = body(staff_client.get(SOURCES, {"format": "csv"})).decode("utf-8")
    rows = {row["title"]: row for row in csv.DictReader(io.StringIO(sources_csv, newline=""))}
    assert rows[f"'{text}"]["publisher"] == f"'{start}evil"


# --- unknown paths and the index --------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nope/",
        "/api/v1/commitments/1/nope/",
        "/api/v1/commitments/1/history/extra/",
        "/api/v2/commitments/",
        "/api/",
        "/api/v1/%00/",
        "/api/v1/../../etc/passwd",
    ],
)
def test_an_unknown_path_under_the_api_is_a_problem_404(path, anon_client):
    response = anon_client.get(path)
    assert refused(response, status=404) == {}
    assert response.json()["code"] == "not_found"


def test_a_path_missing_its_final_slash_is_redirected_keeping_the_method(anon_client, staff_client):
    response = anon_client.get("/api/v1/commitments", {"status": "adopted"})
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/commitments/?status=adopted"
    response = staff_client.post("/api/v1/commitments", {}, format="json")
    assert response.status_code == 308
    assert response["Location"] == "/api/v1/commitments/"


def test_an_unknown_method_is_a_problem_405(anon_client, staff_client, world):
    response = staff_client.delete(f"{COMMITMENTS}{world['commitment'].pk}/")
    assert refused(response, status=405) == {}


PUBLIC = settings.TRACKER_PUBLIC_URL.rstrip("/")


def test_the_api_root_is_an_index_of_links_that_all_answer(anon_client, world):
    response = anon_client.get("/api/v1/")
    assert response.status_code == 200
    index = response.json()
    assert index["version"] == "1.0.0"
    links = index["links"]
    assert {"commitments", "actors", "sources", "alerts", "stats", "deadlines.ics"} <= set(links)
    for name, link in links.items():
        assert link.startswith(f"{PUBLIC}/api/v1/"), name  # the public address, not the Host
        # Webhook subscriptions are a token holder's own: the link answers, asking for one.
        expected = 401 if link.endswith(OWNER_SCOPED) else 200
        assert anon_client.get(link).status_code == expected, name


def test_every_list_endpoint_of_the_schema_is_in_the_index(anon_client):
    index = set(anon_client.get("/api/v1/").json()["links"].values())
    lists = {
        f"{PUBLIC}{op.path}"
        for op in api_operations()
        if op.method == "get" and "{" not in op.path and op.path != "/api/v1/"
    }
    assert lists <= index


def test_the_announced_date_is_a_real_date(staff_client, world, unchanged):
    with unchanged():
        fields = refused(
            send(staff_client, "post", COMMITMENTS, a_commitment(world, announced_on="2024-02-30"))
        )
    assert "announced_on" in fields


def test_a_request_django_refuses_before_any_view_is_a_problem_400_under_the_api(anon_client):
    response = anon_client.get(COMMITMENTS, HTTP_HOST="evil.example")  # not in ALLOWED_HOSTS
    assert refused(response) == {}
    assert response.json()["code"] == "bad_request"
    page = anon_client.get("/admin/login/", HTTP_HOST="evil.example")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")


def test_a_server_error_under_the_api_is_a_problem_500_and_a_page_elsewhere(rf):
    from config.api.handlers import server_error

    response = server_error(rf.get("/api/v1/commitments/"))
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert json.loads(response.content)["code"] == "server_error"
    page = server_error(rf.get("/admin/"))
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html")
