"""What the hardening tests share: a fingerprint of the whole database, the API's operations as
its OpenAPI schema lists them, and response bodies whatever their kind."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from rest_framework.test import APIClient

SAFE = ("get", "head", "options")
UNSAFE = ("post", "put", "patch", "delete")
# A token's last use is written on its first request (then at most once a minute): that is
# bookkeeping, not a change a caller makes.
COLUMNS_OF_BOOKKEEPING = {"accounts_apitoken": {"last_used_at"}}


_FINGERPRINT_SQL: list[str] = []


def _fingerprint_sql() -> str:
    """One query over every table (the schema does not change while tests run)."""
    if not _FINGERPRINT_SQL:
        quote = connection.ops.quote_name
        parts = []
        with connection.cursor() as cursor:
            for table in sorted(connection.introspection.table_names(cursor)):
                skip = COLUMNS_OF_BOOKKEEPING.get(table, set())
                columns = [
                    column.name
                    for column in connection.introspection.get_table_description(cursor, table)
                    if column.name not in skip
                ]
                row = f"ROW({', '.join(quote(column) for column in columns)})::text"
                parts.append(
                    f"SELECT '{table}', count(*), "
                    f"coalesce(md5(string_agg({row}, '|' ORDER BY {row})), '') FROM {quote(table)}"
                )
        _FINGERPRINT_SQL.append("\nUNION ALL\n".join(parts))
    return _FINGERPRINT_SQL[0]


def database_fingerprint() -> dict[str, tuple[int, str]]:
    """{table: (rows, md5 of every row)} for every table of the database: equal fingerprints
    before and after a request mean the request wrote nothing anywhere."""
    with connection.cursor() as cursor:
        cursor.execute(_fingerprint_sql())
        return {table: (count, digest) for table, count, digest in cursor.fetchall()}


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(table for table in before.keys() | after.keys() if before[table] != after[table])


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # as in the schema, e.g. /api/v1/commitments/{id}/
    spec: dict

    @property
    def query_parameters(self) -> dict[str, dict]:
        return {p["name"]: p for p in self.spec.get("parameters", []) if p["in"] == "query"}

    @property
    def path_parameters(self) -> list[str]:
        return [p["name"] for p in self.spec.get("parameters", []) if p["in"] == "path"]

    def offers_csv(self) -> bool:
        fmt = self.query_parameters.get("format")
        return bool(fmt) and "csv" in fmt["schema"].get("enum", [])

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


def api_operations() -> list[Operation]:
    """Every operation of the API, from the OpenAPI schema it serves: a new endpoint is in
    here the moment it is in the URL map."""
    response = APIClient().get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    operations = [
        Operation(method, path, spec)
        for path, methods in response.json()["paths"].items()
        for method, spec in methods.items()
        if method in SAFE + UNSAFE
    ]
    assert len(operations) >= 20
    return operations
