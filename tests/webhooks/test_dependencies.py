"""webhooks → tracker → commitments → sources: the tracker announces alerts with a signal and
never imports webhooks."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(app: str) -> set[str]:
    found = set()
    for path in (ROOT / app).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
    return found


def test_no_app_below_webhooks_imports_it():
    for app in ("tracker", "commitments", "sources", "common"):
        assert not {m for m in imported_modules(app) if m.split(".")[0] == "webhooks"}, app


def test_webhooks_do_import_the_tracker_they_build_on():
    assert {m.split(".")[0] for m in imported_modules("webhooks")} >= {"tracker"}  # a control
