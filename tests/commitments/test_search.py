"""Search in the region's languages: Russian and English stems, Turkmen and other accents
folded, prefixes, compounds, parties' names and references; the same in the API, the public
pages and the admin."""

from __future__ import annotations

import csv
import importlib
import io
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection, transaction
from django.urls import reverse
from rest_framework.test import APIClient

from commitments.models import Commitment
from commitments.selectors import commitments_search
from commitments.services import actor_update, party_add
from common.search import search_fold
from tests.api_fixtures import references
from tests.factories import make_actor, make_commitment, make_source

pytestmark = pytest.mark.django_db

API = "/api/v1/commitments/"
ADMIN = reverse("admin:commitments_commitment_changelist")


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def world():
    osce = make_actor(
        slug="osce",
        name="Organization for Security and Co-operation in Europe",
        short_name="OSCE",
        kind="international_organisation",
    )
    russian = make_source(
        title="Диалог в Ашхабаде",
        text="Стороны договорились провести диалог в Ашхабаде в ноябре 2024 года.",
        language="ru",
    )
    make_commitment(
        source=russian,
        quote="провести диалог в Ашхабаде",
        reference="RU-1",
        title="Провести диалог по цифровому сотрудничеству в Ашхабаде",
    )
    make_commitment(reference="TK-1", title="Sanly forum Aşgabatda")
    make_commitment(reference="EN-1", title="A regional forum in Asgabat")
    make_commitment(reference="TM-2024-04", title="Support for Turkmenistan's e-government")
    make_commitment(reference="TM-2024-05", title="A law on electronic documents")
    make_commitment(reference="CY-1", title="Cyber-security programme")
    make_commitment(reference="CY-2", title="A national cybersecurity strategy")
    make_commitment(reference="CY-3", title="Training in cyber security for officials")
    make_commitment(reference="OS-1", title="Border training", parties=[(osce, "partner")])
    return {"osce": osce}


def api_found(client, query: str) -> set[str]:
    return set(references(client.get(API, {"q": query, "page_size": 200})))


def admin_found(client, query: str) -> set[str]:
    response = client.get(ADMIN, {"q": query})
    assert response.status_code == 200
    return {c.reference for c in response.context["cl"].result_list}


def page_found(client, query: str) -> set[str]:
    response = client.get("/en/commitments/", {"q": query})
    assert response.status_code == 200
    return {c.reference for c in response.context["page"].object_list}


# What each query must find (and, with the others in `world`, nothing else).
EXPECTED = {
    "Ашхабад": {"RU-1"},
    "ашхабаде": {"RU-1"},
    "Asgabat": {"TK-1", "EN-1"},
    "Aşgabat": {"TK-1", "EN-1"},
    "Turkmen": {"TM-2024-04"},
    "cybersecurity": {"CY-1", "CY-2", "CY-3"},
    "cyber security": {"CY-1", "CY-2", "CY-3"},
    "Organization for Security": {"OS-1"},
    "TM-2024-04": {"TM-2024-04"},
}


@pytest.mark.parametrize("query", list(EXPECTED))
def test_the_api_finds_across_languages_spellings_and_parties(query, anon, world):
    assert api_found(anon, query) == EXPECTED[query]


@pytest.mark.parametrize("query", list(EXPECTED))
def test_the_admin_and_the_public_pages_find_what_the_api_finds(query, anon, client, editor, world):
    public = page_found(client, query)
    client.force_login(editor)
    assert admin_found(client, query) == api_found(anon, query) == public == EXPECTED[query]


def test_cybersecurity_and_cyber_security_find_the_same_records(anon, world):
    assert api_found(anon, "cybersecurity") == api_found(anon, "cyber security")
    assert api_found(anon, "cyber-security") == api_found(anon, "cybersecurity")


def test_a_reference_finds_its_commitment_only(anon, world):
    assert api_found(anon, "TM-2024-04") == {"TM-2024-04"}
    assert api_found(anon, "tm-2024-05") == {"TM-2024-05"}


def test_a_party_is_found_by_its_short_name_too(anon, world):
    assert api_found(anon, "OSCE") == {"OS-1"}


def test_web_search_syntax_phrases_exclusion_and_or(anon, world):
    assert api_found(anon, '"cyber security"') == {"CY-1", "CY-3"}
    assert api_found(anon, "training -cyber") == {"OS-1"}
    assert api_found(anon, "Ашхабад or Turkmenistan") == {"RU-1", "TM-2024-04"}
    assert api_found(anon, "programmes") == {"CY-1"}  # English stems


@pytest.mark.parametrize("query", ["", "   ", '"', "-", "the", "в", "&|!:*'"])
def test_a_query_without_a_searchable_word_finds_nothing(query, world):
    assert not commitments_search(Commitment.objects.all(), query=query).exists()


def test_accents_fold_in_python_the_same_way_for_text_and_query():
    assert search_fold("Aşgabat Türkmenistan Çärjew Ňe Ýyl Žurnal Ööz") == (
        "asgabat turkmenistan carjew ne yyl zurnal ooz"
    )
    assert search_fold("Ёлка и Йошкар-Ола") == "елка и йошкар-ола"


def test_renaming_an_actor_refreshes_the_commitments_it_is_party_to(anon, world):
    actor_update(actor=world["osce"], data={"name": "Helsinki Commission"})

    assert api_found(anon, "Helsinki") == {"OS-1"}
    assert api_found(anon, "Organization for Security") == set()


def test_a_party_added_later_is_searched(anon, world):
    commitment = Commitment.objects.get(reference="TM-2024-05")
    party_add(commitment=commitment, actor=world["osce"], role="partner")

    assert api_found(anon, "OSCE") == {"OS-1", "TM-2024-05"}


def test_the_api_lists_a_search_best_match_first_page_by_page(anon, world):
    make_commitment(reference="OS-0", title="A forum", description="Training with the OSCE.")
    make_commitment(reference="OS-2", title="OSCE border training")
    # The title (A) above a party's name (B) above the description (C).
    assert references(anon.get(API, {"q": "OSCE"})) == ["OS-2", "OS-1", "OS-0"]

    pages, url = [], f"{API}?q=OSCE&page_size=1"
    while url:
        body = anon.get(url).json()
        pages += [row["reference"] for row in body["results"]]
        url = body["next"]
    assert pages == ["OS-2", "OS-1", "OS-0"]
    exported = b"".join(anon.get(API, {"q": "OSCE", "format": "csv"}).streaming_content).decode()
    rows = csv.DictReader(io.StringIO(exported))
    assert [row["reference"] for row in rows] == ["OS-2", "OS-1", "OS-0"]


def test_an_explicit_ordering_wins_over_the_rank(anon, world):
    make_commitment(reference="OS-2", title="OSCE border training")
    assert references(anon.get(API, {"q": "OSCE", "ordering": "-title"})) == ["OS-2", "OS-1"]
    assert references(anon.get(API, {"q": "OSCE", "ordering": "title"})) == ["OS-1", "OS-2"]


def _plan(queryset) -> str:
    # With sequential scans allowed, a table of a few rows is cheapest to read whole.
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize(
    "query", ["Ашхабад", "cyber security", "TM-2024-04", "training -cyber or law"]
)
def test_the_search_reads_the_gin_index(query, world):
    searched = commitments_search(Commitment.objects.all(), query=query)
    plan = _plan(searched.order_by().values("id"))
    assert "commitment_search_gin" in plan, plan


def test_the_data_migration_rewrites_every_vector_with_the_same_function(anon, world):
    Commitment.objects.update(search_vector=None)
    assert api_found(anon, "Ашхабад") == set()

    migration = importlib.import_module("commitments.migrations.0010_search_in_region_languages")
    migration.search_vectors_refresh(django_apps, SimpleNamespace(connection=connection))

    assert api_found(anon, "Ашхабад") == {"RU-1"}
    assert api_found(anon, "Organization for Security") == {"OS-1"}
