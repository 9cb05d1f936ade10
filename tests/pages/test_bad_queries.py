"""A query a page cannot answer gets a page that names the parameter and says what was
wrong: never a 500, never a page silently ignoring the filter."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def problems(response) -> dict[str, str]:
    html = response.content.decode()
    return dict(re.findall(r"<li><strong><code>([^<]+)</code></strong>: ([^<]*)</li>", html))


@pytest.mark.parametrize("path", ["/en/commitments/", "/en/timeline/"])
@pytest.mark.parametrize(
    ("query", "parameter", "says"),
    [
        ("status=finished", "status", "finished"),
        ("due_before=2024-13-45", "due_before", "valid date"),
        ("overdue=maybe", "overdue", "maybe"),
        ("actor=no-such-actor", "actor", "no-such-actor"),
        ("colour=red", "colour", "Unknown parameter"),
        ("page=two", "page", "not a page number"),
        ("q=a%00b", "q", "Null characters"),
    ],
)
def test_a_bad_value_is_a_400_page_naming_the_parameter(
    client, seeded, path, query, parameter, says
):
    response = client.get(f"{path}?{query}")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    found = problems(response)
    assert parameter in found, found
    assert says.lower() in found[parameter].lower()


def test_an_unknown_ordering_is_named(client, seeded):
    response = client.get("/en/commitments/?ordering=colour")

    assert response.status_code == 400
    assert "deadline" in problems(response)["ordering"]


@pytest.mark.parametrize("path", ["/en/commitments/", "/en/timeline/"])
def test_a_page_past_the_end_is_a_404_saying_how_many_pages_there_are(client, seeded, path):
    response = client.get(f"{path}?page=99")

    assert response.status_code == 404
    assert "no page 99: the results fill 1 page(s)" in problems(response)["page"]


@pytest.mark.parametrize(
    "value", ["' OR 1=1 --", "%", "\\", "\u202eevil", "🛰️ спутник", "-osce or", '"unclosed']
)
def test_search_text_of_any_kind_is_answered(client, seeded, value):
    assert client.get("/en/commitments/", {"q": value}).status_code == 200
    assert client.get("/en/timeline/", {"q": value}).status_code == 200


@pytest.mark.parametrize("reference", ["%00", "..%2F..%2Fetc", "x" * 400, "%F0%9F%9B%B0"])
def test_a_strange_reference_is_a_404(client, seeded, reference):
    assert client.get(f"/en/commitments/{reference}/").status_code == 404


def test_a_source_that_does_not_exist_is_a_404(client, seeded):
    assert client.get("/en/sources/999999999/").status_code == 404
    assert client.get("/en/sources/99999999999999999999999/").status_code == 404
