"""`load_seed_data`: the five articles as Sources, and what they propose and promise."""

import hashlib
from io import StringIO

import pytest
import yaml
from django.apps import apps
from django.core.management import call_command

from commitments.choices import ACTING_ROLES, PartyRole
from commitments.deadlines import deadline_parse
from commitments.models import Actor, Citation, Commitment, Party, PartyStatusChange
from commitments.seed_data import SEED_DIR
from commitments.services import actor_update, commitment_update
from sources.models import Source
from sources.services import source_update

pytestmark = pytest.mark.django_db

DATASET = yaml.safe_load((SEED_DIR / "dataset.yaml").read_text(encoding="utf-8"))
ARTICLES = {item["key"]: SEED_DIR / "articles" / item["file"] for item in DATASET["sources"]}


def fold(text: str) -> str:
    return " ".join(text.split())


def _load() -> str:
    out = StringIO()
    call_command("load_seed_data", stdout=out)
    return out.getvalue()


def _source(key: str) -> Source:
    """The Source loaded from the article file with this key in dataset.yaml."""
    file_hash = hashlib.sha256(ARTICLES[key].read_bytes()).hexdigest()
    return Source.objects.get(text_sha256=file_hash)


def _row_counts() -> dict[str, int]:
    """Rows in every table of the two apps, their history tables included."""
    return {
        model._meta.label: model.objects.count()
        for app in ("sources", "commitments")
        for model in apps.get_app_config(app).get_models()
    }


def _cited_sources(commitment: Commitment) -> set[Source]:
    return {citation.source for citation in commitment.citations.all()}


# --- the dataset file -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "item", DATASET["commitments"], ids=[c["reference"] for c in DATASET["commitments"]]
)
def test_every_quote_in_the_dataset_occurs_in_its_article(item):
    quotes = [*item["citations"], *(item.get("status_changes") or []), *(item.get("claims") or [])]
    assert item["citations"], "every commitment needs at least one citation"
    for cited in quotes:
        article = ARTICLES[cited["source"]].read_bytes().decode("utf-8")
        assert fold(cited["quote"]) in fold(article), cited["quote"]


# The article leaves the year implicit; the dataset resolves it (and says so in a comment).
STATED_AS = {"OTS-2022-01": "in November this year"}


@pytest.mark.parametrize(
    "item",
    [c for c in DATASET["commitments"] if c.get("deadline")],
    ids=[c["reference"] for c in DATASET["commitments"] if c.get("deadline")],
)
def test_every_deadline_in_the_dataset_is_worded_as_its_article_words_it(item):
    deadline_parse(item["deadline"])  # and it is understood
    period = STATED_AS.get(item["reference"], item["deadline"]).split(" ", 1)[1]
    cited = [ARTICLES[c["source"]].read_bytes().decode("utf-8") for c in item["citations"]]

    # "in November 2024" is stated as "... in November 2024" in a cited article.
    assert any(period in fold(article) for article in cited), period


# --- loading ----------------------------------------------------------------------------------


def test_an_empty_database_gets_the_sources_actors_and_commitments_of_the_dataset():
    output = _load()

    assert Source.objects.count() == len(DATASET["sources"]) == 5
    assert Actor.objects.count() == len(DATASET["actors"])
    assert Commitment.objects.count() == len(DATASET["commitments"])
    assert 20 <= Commitment.objects.count() <= 30
    assert Party.objects.count() == sum(len(c["parties"]) for c in DATASET["commitments"])
    assert Citation.objects.count() == sum(len(c["citations"]) for c in DATASET["commitments"])
    assert f"sources: {len(DATASET['sources'])} created, 0 already there" in output
    assert f"commitments: {len(DATASET['commitments'])} created, 0 already there" in output


def test_every_loaded_citation_quote_occurs_in_its_sources_text():
    _load()

    citations = Citation.objects.select_related("source")
    assert citations.exists()
    for citation in citations:
        assert fold(citation.quote) in fold(citation.source.text), (citation.pk, citation.quote)


def test_every_source_text_is_its_article_byte_for_byte():
    _load()

    for key, path in ARTICLES.items():
        content = path.read_bytes()
        source = _source(key)
        assert source.text == content.decode("utf-8")
        assert source.text.encode("utf-8") == content
        assert source.text_sha256 == hashlib.sha256(content).hexdigest()


def test_the_sources_carry_the_metadata_of_the_seed_index():
    _load()

    # The publisher as the text names it, and the date as the text gives it.
    assert [(_source(key).publisher, _source(key).published) for key in sorted(ARTICLES)] == [
        ("State news agency", "2024-09-13"),
        ("UzA", "2022-10-27"),
        ("ORIENT", "2025-07-26"),
        ("Central Commission for Holding Elections and Referendums in Turkmenistan", ""),
        ("nCa", "2022-07-08"),
    ]
    assert _source("s001").author == "Golib Khasanov"
    assert _source("s003").author == "Meskutova Annadursun"
    assert _source("s003").published_on is None


def test_every_loaded_commitment_is_published_tagged_and_cited():
    _load()

    for commitment in Commitment.objects.all():
        assert commitment.is_published, commitment.reference
        assert commitment.tags, commitment.reference
        assert commitment.citations.exists(), commitment.reference


def test_loading_twice_changes_nothing():
    _load()
    first = _row_counts()
    assert first["commitments.HistoricalCommitment"] == first["commitments.Commitment"]
    versions = dict(Commitment.objects.values_list("reference", "version"))

    output = _load()

    assert _row_counts() == first
    assert dict(Commitment.objects.values_list("reference", "version")) == versions
    assert f"commitments: 0 created, {len(DATASET['commitments'])} already there" in output


def test_loading_again_after_staff_edits_keeps_the_edits_and_adds_no_duplicates(staff_user):
    """`make run` loads the seed on every start: an edited record is still the loaded one."""
    _load()
    article = _source("s000")
    source_update(
        source=article,
        data={"text": article.text + "\nCorrection: typo fixed."},
        updated_by=staff_user,
    )
    first = DATASET["commitments"][0]["reference"]
    commitment_update(
        commitment=Commitment.objects.get(reference=first),
        data={"reference": first + "-renamed"},
        updated_by=staff_user,
    )
    actor = Actor.objects.get(slug=DATASET["actors"][0]["key"])
    actor_update(actor=actor, data={"slug": actor.slug + "-renamed"})
    counts = {model: model.objects.count() for model in (Source, Actor, Commitment, Citation)}

    _load()

    assert {model: model.objects.count() for model in (Source, Actor, Commitment, Citation)} == (
        counts
    )
    assert Source.objects.get(pk=article.pk).text.endswith("Correction: typo fixed.")
    assert Commitment.objects.filter(reference=first + "-renamed").exists()


# --- what a careful reader of the articles calls out -------------------------------------------


def test_the_digital_economy_concept_2019_2025_is_one_commitment_cited_by_003_and_004():
    _load()

    concept = Commitment.objects.get(deadline_edtf="2019/2025")

    assert "Concept" in concept.title
    assert _cited_sources(concept) == {_source("s003"), _source("s004")}


def test_the_2021_2025_programme_is_one_commitment_cited_by_002_and_003():
    _load()

    programme = Commitment.objects.get(deadline_edtf="2021/2025")

    assert _cited_sources(programme) == {_source("s002"), _source("s003")}


def test_the_electronic_document_law_keeps_both_dates_as_two_citations():
    _load()

    law = Commitment.objects.get(citations__quote__contains="put into effect in 2015")
    quotes = {citation.source: citation.quote for citation in law.citations.all()}

    assert set(quotes) == {_source("s002"), _source("s003")}
    assert "put into effect in 2015" in quotes[_source("s002")]
    assert "on March 14, 2020" in quotes[_source("s003")]
    assert "Electronic Document" in law.title


def test_who_proposes_approves_and_partners_are_different_actors():
    _load()

    def roles(**actor):
        return set(Party.objects.filter(actor=Actor.objects.get(**actor)).values_list("role"))

    assert roles(name="R. Meredov") == {(PartyRole.PROPOSER,)}
    assert (PartyRole.APPROVER,) in roles(short_name="President of Turkmenistan")
    assert roles(short_name="OSCE") == {(PartyRole.PARTNER,)}
    assert roles(short_name="UNOCT") == {(PartyRole.PARTNER,)}


def test_the_cabinet_meeting_deadlines_are_kept_as_stated():
    _load()
    cabinet = Commitment.objects.filter(citations__source=_source("s000")).distinct()

    assert {
        (c.deadline_text, c.deadline_edtf, c.deadline_first_day, c.deadline_last_day)
        for c in cabinet.exclude(deadline_edtf="")
    } == {
        (
            text,
            deadline_parse(text).edtf,
            deadline_parse(text).first_day,
            deadline_parse(text).last_day,
        )
        for text in ("in November 2024", "for 2025-2027", "in 2024-2025")
    }
    assert cabinet.filter(recurring=True, deadline_edtf="").exists()  # "on a regular basis"


def test_the_shared_commitments_carry_the_parts_their_articles_report_and_nothing_more():
    _load()

    def parts(reference: str) -> dict[str, str]:
        return dict(
            Party.objects.filter(commitment__reference=reference, role__in=ACTING_ROLES)
            .order_by("actor__slug")
            .values_list("actor__slug", "status")
        )

    group = Commitment.objects.get(reference="PK-TM-2022-WG")
    route = Commitment.objects.get(reference="PK-TM-2022-01")
    assert parts("PK-TM-2022-WG") == {"pakistan": "adopted", "turkmenistan": "adopted"}
    assert (group.status, group.status_source, group.parties_status) == (
        "adopted",
        "parties",
        "adopted",
    )
    assert parts("PK-TM-2022-01") == {"afghanistan": "", "pakistan": "proposed", "turkmenistan": ""}
    assert (route.status_source, route.parties_status) == ("recorded", "")
    assert set(parts("OTS-2022-06").values()) == {"adopted"}
    # Every part with a status has its evidence, a quote of its commitment's article.
    for party in Party.objects.exclude(status="").select_related("status_evidence"):
        assert party.status_evidence.commitment_id == party.commitment_id
    recorded = PartyStatusChange.objects.count()
    _load()
    assert PartyStatusChange.objects.count() == recorded  # a second load records nothing
