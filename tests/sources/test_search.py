"""Sources are searched as commitments are (common.search), in the API and the admin alike."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from sources.models import Source
from sources.selectors import source_search
from tests.factories import make_source

pytestmark = pytest.mark.django_db

API = "/api/v1/sources/"
ADMIN = reverse("admin:sources_source_changelist")


@pytest.fixture
def world():
    make_source(
        title="Диалог",
        text="Стороны договорились провести диалог в Ашхабаде.",
        language="ru",
        publisher="Туркменистан сегодня",
    )
    make_source(title="Sanly ykdysadyýet", text="Forum Aşgabatda geçiriler.", language="tk")
    make_source(title="Cybersecurity strategy", text="A strategy.", author="Ministry of Defence")
    make_source(title="Training", text="Cyber security training for officials.")
    make_source(title="Law", text="A law on e-documents.", url="https://example.org/tm-law-12")


def api_found(query: str) -> set[str]:
    response = APIClient().get(API, {"q": query, "page_size": 200})
    assert response.status_code == 200, response.content
    return {row["title"] for row in response.json()["results"]}


def admin_found(client, query: str) -> set[str]:
    response = client.get(ADMIN, {"q": query})
    assert response.status_code == 200
    return {s.title for s in response.context["cl"].result_list}


EXPECTED = {
    "Ашхабад": {"Диалог"},
    "Asgabat": {"Sanly ykdysadyýet"},
    "туркменистан": {"Диалог"},
    "cybersecurity": {"Cybersecurity strategy", "Training"},
    "cyber security": {"Cybersecurity strategy", "Training"},
    "Defence": {"Cybersecurity strategy"},
    "tm-law-12": {"Law"},
}


@pytest.mark.parametrize("query", list(EXPECTED))
def test_the_api_and_the_admin_find_the_same_sources(query, client, editor, world):
    client.force_login(editor)
    assert admin_found(client, query) == api_found(query) == EXPECTED[query]


def test_the_source_search_reads_the_gin_index(world):
    searched = source_search(queryset=Source.objects.all(), query="Ашхабад cyber")
    sql, params = searched.order_by().values("id").query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "source_search_gin" in plan, plan


def test_the_data_migration_rewrites_every_sources_vector(world):
    Source.objects.update(search_vector=None)
    assert api_found("Asgabat") == set()

    migration = importlib.import_module("sources.migrations.0004_search_in_region_languages")
    migration.search_vectors_refresh(django_apps, SimpleNamespace(connection=connection))

    assert api_found("Asgabat") == {"Sanly ykdysadyýet"}
