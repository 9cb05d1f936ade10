"""The seed dataset's titles, names and descriptions in every language of LANGUAGES but English:
one file a language in commitments/seed/translations/, holding exactly the texts the English
has, written in that language, and never a quote (quotes stay in their source's language)."""

from __future__ import annotations

import io
import re

import pytest
import yaml
from django.conf import settings

from commitments.seed_data import SEED_DIR

DATASET = yaml.safe_load((SEED_DIR / "dataset.yaml").read_text(encoding="utf-8"))
OTHER_LANGUAGES = [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
# Each language's own letters: a text written in it has some (a name such as "Pakistan" alone
# need not, so the check is over the whole file).
LETTERS = {
    "ru": re.compile("[\u0430-\u044f\u0451]", re.IGNORECASE),  # Cyrillic lower case, and yo
    "tk": re.compile("[çäňöşüýž]", re.IGNORECASE),
}


def _translations(language: str) -> dict:
    path = SEED_DIR / "translations" / f"{language}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _english() -> dict[str, dict[str, dict[str, str]]]:
    """What each language must hold: per part, per key, the English fields that have text."""

    def texts(item: dict, names: tuple[str, ...]) -> dict[str, str]:
        return {name: item[name] for name in names if item.get(name)}

    return {
        "sources": {s["key"]: texts(s, ("title",)) for s in DATASET["sources"]},
        "actors": {a["name"]: texts(a, ("name", "short_name")) for a in DATASET["actors"]},
        "commitments": {
            c["reference"]: texts(c, ("title", "description")) for c in DATASET["commitments"]
        },
    }


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_every_seed_text_has_its_translation_and_nothing_else(language):
    translations = _translations(language)
    english = _english()

    assert translations["language"] == language
    assert set(translations) == {"language", *english}
    for part, items in english.items():
        assert list(translations[part]) == list(items), part  # every key, in the same order
        for key, fields in items.items():
            translated = translations[part][key]
            assert set(translated) == set(fields), (part, key)
            assert all(isinstance(v, str) and v.strip() for v in translated.values()), key


@pytest.mark.parametrize("language", OTHER_LANGUAGES)
def test_the_translations_are_written_in_their_language_and_hold_no_quote(language):
    translations = _translations(language)
    texts = [
        text
        for part in ("sources", "actors", "commitments")
        for fields in translations[part].values()
        for text in fields.values()
    ]
    quotes = {
        claim_or_citation["quote"]
        for commitment in DATASET["commitments"]
        for key in ("citations", "claims")
        for claim_or_citation in commitment.get(key) or []
        if claim_or_citation.get("quote")
    }

    written = sum(bool(LETTERS[language].search(text)) for text in texts)
    assert written / len(texts) > 0.8, "most texts use the language's own letters"
    titles = [translations["commitments"][c["reference"]]["title"] for c in DATASET["commitments"]]
    assert not set(titles) & {c["title"] for c in DATASET["commitments"]}, "a title left in English"
    assert not any(quote in text for quote in quotes for text in texts)


@pytest.mark.django_db
def test_the_seed_loads_in_every_language_marked_as_the_trackers_translations():
    from django.core.management import call_command

    from commitments.models import Actor, Commitment
    from commitments.services import commitment_update
    from sources.models import Source

    call_command("load_seed_data", stdout=io.StringIO())
    for language in OTHER_LANGUAGES:
        translations = _translations(language)
        for commitment in Commitment.objects.all():
            texts = translations["commitments"][commitment.reference]
            assert getattr(commitment, f"title_{language}") == texts["title"]
            assert commitment.translation_origins[language] == "project"
        by_name = {a["key"]: a["name"] for a in DATASET["actors"]}
        for actor in Actor.objects.all():
            expected = translations["actors"][by_name[actor.slug]]["name"]
            assert getattr(actor, f"name_{language}") == expected
        assert all(
            source.translation_origins[language] == "project" for source in Source.objects.all()
        )
    # Quotes stay as the articles have them.
    source = Source.objects.first()
    assert all(c.quote in source.text for c in source.citations.all())

    # A staff member's translation is kept when the seed is loaded again.
    first = Commitment.objects.get(reference=DATASET["commitments"][0]["reference"])
    commitment_update(commitment=first, data={}, translations={"ru": {"title": "Правка редактора"}})
    versions = dict(Commitment.objects.values_list("reference", "version"))
    call_command("load_seed_data", stdout=io.StringIO())
    first.refresh_from_db()
    assert first.title_ru == "Правка редактора"
    assert dict(Commitment.objects.values_list("reference", "version")) == versions
