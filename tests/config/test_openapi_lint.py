"""The committed OpenAPI file lints clean, errors and warnings alike, under Redocly CLI's
`recommended` rules and Spectral's `spectral:oas`: the linters client-generator users run.

The linters are npm packages pinned in tools/openapi-lint/package-lock.json, installed by
`make install` (`npm ci`); their rule sets are that folder's redocly.yaml and .spectral.yaml.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "openapi" / "v1.yaml"
TOOLS = ROOT / "tools" / "openapi-lint"
BIN = TOOLS / "node_modules" / ".bin"
# No usage reports, no update notices: the linters only read the file.
QUIET = {"REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true", "NO_COLOR": "1"}


def run_linter(name: str, *args: str) -> subprocess.CompletedProcess:
    executable = BIN / name
    if not executable.exists():
        pytest.fail(
            f"{executable.relative_to(ROOT)} is missing: run `make install` "
            "(or `npm ci` in tools/openapi-lint)."
        )
    return subprocess.run(
        [str(executable), *args],
        cwd=TOOLS,
        env={**os.environ, **QUIET},
        capture_output=True,
        text=True,
        timeout=300,
    )


def parsed(result: subprocess.CompletedProcess):
    try:
        return json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"no JSON report (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")


def test_redocly_recommended_finds_no_errors_and_no_warnings():
    result = run_linter(
        "redocly", "lint", "--config", "redocly.yaml", "--format", "json", str(COMMITTED)
    )
    report = parsed(result)
    problems = [
        f"{p['severity']} {p['ruleId']}: {p['message']} at "
        f"{p['location'][0]['pointer']} (line {p['location'][0].get('start', {}).get('line')})"
        for p in report["problems"]
    ]
    assert not problems and result.returncode == 0, (
        "Redocly on openapi/v1.yaml (fix the schema's source, then `make openapi`):\n"
        + "\n".join(problems or [result.stderr])
    )


def test_spectral_oas_finds_no_errors_and_no_warnings():
    result = run_linter(
        "spectral",
        "lint",
        "--ruleset",
        ".spectral.yaml",
        "--format",
        "json",
        "--fail-severity",
        "hint",
        "--quiet",  # the JSON alone on stdout
        str(COMMITTED),
    )
    severities = ["error", "warning", "info", "hint"]
    problems = [
        f"{severities[p['severity']]} {p['code']}: {p['message']} at "
        f"{'.'.join(map(str, p['path']))} (line {p['range']['start']['line'] + 1})"
        for p in parsed(result)
    ]
    assert not problems and result.returncode == 0, (
        "Spectral on openapi/v1.yaml (fix the schema's source, then `make openapi`):\n"
        + "\n".join(problems or [result.stderr])
    )


# Words of the code, not of the API: a docstring written for developers that became a public
# description (drf-spectacular takes docstrings as descriptions). Permission names such as
# `commitments.add_commitment` are public: staff are given them.
INTERNAL = re.compile(
    r"serializer|selector|tolerated_fields|for the schema|\bthe view\b|(?-i:\b[A-Z]+_FIELDS\b)"
    r"|\b(?:common|config)\.\w|\.py\b",
    re.IGNORECASE,
)


def test_every_operation_and_object_schema_is_described_for_api_users():
    document = yaml.safe_load(COMMITTED.read_text())
    described: dict[str, str | None] = {}
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            described[f"{method.upper()} {path}"] = operation.get("description")
            assert operation.get("summary"), f"{method.upper()} {path} has no summary"
    for name, schema in document["components"]["schemas"].items():
        if "properties" in schema:
            described[f"schema {name}"] = schema.get("description")
    missing = sorted(where for where, text in described.items() if not text)
    assert not missing, (
        f"without a description (a docstring or extend_schema(description=...)): {missing}"
    )
    leaks = {where: text for where, text in described.items() if INTERNAL.search(text)}
    assert not leaks, f"descriptions that speak of the code, not the API: {leaks}"
