"""The interface's catalogues (locale/<language>/LC_MESSAGES/django.po) are complete: every
string the code marks for translation is in them, translated (every plural form), none
fuzzy, and the committed .mo is the compiled .po (`make messages` does both)."""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
# As the Makefile's `messages` target runs makemessages.
IGNORED = [".venv", "node_modules", "tools", "tests"]


def read_po(path: Path) -> dict[tuple[str | None, str], dict]:
    """The entries of a .po file, by (context, msgid): plural, msgstr forms, flags. Obsolete
    entries (#~) are left out."""
    entries: dict[tuple[str | None, str], dict] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines or (
            all(line.startswith("#~") for line in lines if line.startswith("#"))
            and any(line.startswith("#~") for line in lines)
        ):
            continue
        entry: dict = {"flags": set(), "msgctxt": None, "msgid_plural": None, "msgstr": {}}
        key = None
        for line in lines:
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
                continue
            if line.startswith("#"):
                continue
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?) (".*")$', line)
            if match:
                name, form, value = match.groups()
                key = ("msgstr", int(form or 0)) if name.startswith("msgstr") else name
                text = ast.literal_eval(value)
            else:
                text = ast.literal_eval(line)  # a continuation line
            if isinstance(key, tuple):
                entry["msgstr"][key[1]] = entry["msgstr"].get(key[1], "") + text
            else:
                entry[key] = (entry.get(key) or "") + text
        if "msgid" in entry:
            entries[(entry["msgctxt"], entry["msgid"])] = entry
    return entries


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[str, dict]:
    """What makemessages finds in the code today: run on a copy of the project without its
    catalogues, so that it writes fresh ones and leaves the committed ones alone."""
    copy = tmp_path_factory.mktemp("project") / "project"
    shutil.copytree(
        settings.BASE_DIR,
        copy,
        ignore=shutil.ignore_patterns(*IGNORED, "locale", ".*", "staticfiles", "test-artifacts"),
    )
    before = Path.cwd()
    os.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[copy / "locale"]):
            call_command("makemessages", locale=LANGUAGES, ignore_patterns=IGNORED, verbosity=0)
    finally:
        os.chdir(before)
    return {
        language: read_po(copy / "locale" / language / "LC_MESSAGES" / "django.po")
        for language in LANGUAGES
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_of_the_code_is_in_the_catalogue_and_nothing_else(extracted, language):
    committed = read_po(LOCALE / language / "LC_MESSAGES" / "django.po")
    found = set(extracted[language]) - {(None, "")}

    missing = sorted(found - set(committed), key=str)
    stale = sorted(set(committed) - found - {(None, "")}, key=str)
    assert missing == [], f"not in locale/{language}: run `make messages` and translate them"
    assert stale == [], f"no longer in the code: run `make messages` ({language})"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_in_every_plural_form_and_none_is_fuzzy(language):
    catalogue = read_po(LOCALE / language / "LC_MESSAGES" / "django.po")
    header = catalogue.pop((None, ""))
    plurals = int(re.search(r"nplurals=(\d+)", header["msgstr"][0]).group(1))
    assert "fuzzy" not in header["flags"]

    untranslated = [
        msgid
        for (_context, msgid), entry in catalogue.items()
        if not all(
            entry["msgstr"].get(form) for form in range(plurals if entry["msgid_plural"] else 1)
        )
    ]
    fuzzy = [msgid for (_context, msgid), entry in catalogue.items() if "fuzzy" in entry["flags"]]
    assert untranslated == []
    assert fuzzy == []
    assert len(catalogue) > 100  # the pages, the vocabularies, the admin's own


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="needs GNU gettext's msgfmt")
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_mo_is_the_po_compiled_and_msgfmt_finds_nothing_wrong(language, tmp_path):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    compiled = tmp_path / "django.mo"
    # --check: placeholders (python-format) and plural forms as the header says.
    subprocess.run(["msgfmt", "--check", "-o", compiled, po], check=True, capture_output=True)

    with compiled.open("rb") as fresh, (po.with_suffix(".mo")).open("rb") as committed:
        assert gettext.GNUTranslations(committed)._catalog == (
            gettext.GNUTranslations(fresh)._catalog
        ), f"locale/{language}: the .mo is not the .po compiled; run `make messages`"
