"""Every write to sources. Each function is one transaction and validates before it saves."""

import hashlib
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError

from common.search import search_document, search_vectors_write
from common.services import fields_set, refuse_unknown_fields
from common.translations import base_language_data, localized_columns, translations_apply
from sources.choices import LANGUAGE_TAG
from sources.dates import partial_date_parse
from sources.fields import SOURCE_FIELDS
from sources.models import Source
from sources.selectors import fold_whitespace


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Full-text search reads this much of a text. PostgreSQL refuses a tsvector over 1 MB ("string
# is too long for tsvector"), which a text of many distinct words reaches well below the 2 MB
# body limit; 100,000 characters stay under it whatever the words. The text itself is kept
# whole, and quotes are checked against all of it.
SEARCHED_CHARACTERS = 100_000


def _search_refresh(source: Source) -> None:
    """The source's search vector (common.search, as for commitments): the title, then who
    published or wrote it, then its text, then its address."""
    document = search_document(
        {
            "A": [getattr(source, column) or "" for column in localized_columns(Source)],
            "B": [source.publisher, source.author],
            "C": [source.text[:SEARCHED_CHARACTERS]],
            "D": [source.url or ""],
        }
    )
    search_vectors_write(Source._meta.db_table, {source.pk: document})


def _prepare(source: Source) -> None:
    source.url = source.url or None  # unique only when given: empty means none
    source.published = (source.published or "").strip()
    try:
        source.published_on = partial_date_parse(source.published)
    except ValidationError as error:
        raise ValidationError({"published": error.messages}) from None
    if not source.text or not source.text.strip():
        raise ValidationError({"text": ["A source needs its full text."]})
    # The language filter takes BCP 47 tags only: a source stored with anything else could
    # never be found by its language.
    if not LANGUAGE_TAG.match(source.language or ""):
        raise ValidationError(
            {"language": [f"{source.language!r} is not a BCP 47 language tag such as en or ru."]}
        )
    source.text_sha256 = text_sha256(source.text)
    source.full_clean()


@transaction.atomic
def source_create(
    *,
    title: str,
    kind: str,
    text: str,
    publisher: str = "",
    author: str = "",
    url: str | None = None,
    published: str = "",
    language: str = "en",
    translations: Mapping | None = None,
    created_by=None,
) -> Source:
    """A source, its title in English and its `translations` (common.translations); the
    text as published, never translated."""
    source = Source(
        title_en=title,
        kind=kind,
        text=text,
        publisher=publisher,
        author=author,
        url=url,
        published=published or "",
        language=language,
    )
    translations_apply(source, translations or {})
    _prepare(source)
    source._history_user = created_by
    source.save()
    _search_refresh(source)
    return source


@transaction.atomic
def source_update(
    *, source: Source, data: dict, translations: Mapping | None = None, updated_by=None
) -> Source:
    """Change the given fields. A changed text gets a new hash; the history keeps the old one."""
    refuse_unknown_fields(data, allowed=SOURCE_FIELDS.editable)
    source = Source.objects.select_for_update().get(pk=source.pk)
    if "text" in data and data["text"] != source.text:
        _refuse_text_edit_that_drops_quotes(source=source, new_text=data["text"])
    fields_set(source, base_language_data(Source, data))
    translations_apply(source, translations or {}, fields_sent=data)
    _prepare(source)
    source._history_user = updated_by
    source.save()
    _search_refresh(source)
    return source


def _refuse_text_edit_that_drops_quotes(*, source: Source, new_text: str) -> None:
    """A correction of the text may not remove a passage that a citation quotes."""
    folded = fold_whitespace(new_text)
    lost = [
        quote
        for quote in source.citations.values_list("quote", flat=True)
        if fold_whitespace(quote) not in folded
    ]
    if lost:
        raise ValidationError(
            {
                "text": [
                    f"The new text drops {len(lost)} quoted passage(s) that citations rely on, "
                    f"e.g. “{lost[0][:120]}”. Keep the quoted passages or remove those "
                    "citations first."
                ]
            }
        )


@transaction.atomic
def source_delete(*, source: Source) -> None:
    try:
        source.delete()
    except ProtectedError as error:
        count = len(error.protected_objects)
        raise ValidationError(
            f"The source “{source.title}” is cited by {count} citation(s) and cannot be "
            "deleted: the evidence would be lost. Remove the citations first.",
            code="source_is_cited",
        ) from None
