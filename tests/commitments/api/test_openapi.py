"""The OpenAPI schema: committed, equal to what the code generates, and served with its docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[3]
COMMITTED = ROOT / "openapi" / "v1.yaml"
REGENERATE = "python manage.py spectacular --file openapi/v1.yaml --validate --fail-on-warn"


def test_the_committed_openapi_file_equals_the_generated_schema(tmp_path):
    generated = tmp_path / "v1.yaml"
    call_command("spectacular", file=str(generated), validate=True, fail_on_warn=True)
    assert COMMITTED.read_text() == generated.read_text(), (
        f"openapi/v1.yaml is stale: regenerate it with `{REGENERATE}`."
    )


@pytest.mark.django_db
def test_the_schema_is_served_and_describes_the_problem_responses(client):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    operation = schema["paths"]["/api/v1/commitments/"]["get"]
    assert "application/problem+json" in operation["responses"]["400"]["content"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "status", "kind", "overdue", "due_before", "due_after", "actor", "role", "source",
        "tag", "country", "parent", "q", "ordering", "cursor", "page_size", "format",
    }  # fmt: skip
    assert schema["components"]["securitySchemes"]["tokenAuth"]["scheme"] == "bearer"


@pytest.mark.django_db
def test_the_docs_load_their_assets_from_this_server_not_a_cdn(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.content.decode())
    assert any(asset.endswith("swagger-ui-bundle.js") for asset in assets)
    for asset in assets:
        # Swagger UI's init script is the docs view's own (?script=, for the CSP); the rest
        # are static files.
        assert asset.startswith(("/static/", "/api/v1/docs/?")), asset
        assert client.get(asset).status_code == 200, asset


def test_the_committed_file_is_valid_yaml_naming_the_version():
    assert yaml.safe_load(COMMITTED.read_text())["info"]["version"] == "1.0.0"
