"""Sources: the evidence. Every write goes through sources/services.py."""

import hashlib
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from sources.choices import SourceKind
from sources.models import Source
from sources.services import source_create, source_delete, source_update
from tests.factories import SOURCE_TEXT, make_commitment, make_source

pytestmark = pytest.mark.django_db

QUOTE = "a national cyber-security programme will run for 2025-2027"


def _create(**extra):
    values = {"title": "A report", "kind": SourceKind.NEWS_REPORT, "text": SOURCE_TEXT}
    return source_create(**(values | extra))


def test_a_source_keeps_its_text_whole_with_the_sha256_of_it():
    source = _create(text=" Leading space,\r\nCRLF and “quotes” — kept.\n")
    source.refresh_from_db()

    assert source.text == " Leading space,\r\nCRLF and “quotes” — kept.\n"
    expected = hashlib.sha256(" Leading space,\r\nCRLF and “quotes” — kept.\n".encode()).hexdigest()
    assert source.text_sha256 == expected


@pytest.mark.parametrize(
    ("published", "published_on"),
    [
        ("2024", date(2024, 1, 1)),
        ("2024-09", date(2024, 9, 1)),
        ("2024-09-13", date(2024, 9, 13)),
        ("2024-02-29", date(2024, 2, 29)),
        ("", None),
    ],
)
def test_a_publication_date_may_be_a_day_a_month_a_year_or_unknown(published, published_on):
    source = _create(published=published)
    source.refresh_from_db()

    assert source.published == published
    assert source.published_on == published_on


@pytest.mark.parametrize(
    "published", ["13.09.2024", "2024/09", "Sept 2024", "24", "2024-9", "\uff12\uff10\uff12\uff14"]
)
def test_a_publication_date_in_another_shape_is_refused_naming_published(published):
    with pytest.raises(ValidationError) as refused:
        _create(published=published)

    assert refused.value.message_dict == {
        "published": [
            f"Not a partial date: {published!r}. Use 'YYYY-MM-DD', 'YYYY-MM', 'YYYY', or leave it "
            "empty when the date is unknown."
        ]
    }
    assert not Source.objects.exists()


@pytest.mark.parametrize(
    "published",
    [
        "2024-13",
        "2024-00",
        "2025-02-29",
        "2024-09-31",
        "0000",
        # EDTF codes for a season (21-24), a quarter (33-36) or a half year (40-41) are not months.
        "2024-21",
        "2024-35",
        "2024-40",
    ],
)
def test_a_publication_date_that_is_not_a_real_date_is_refused_naming_published(published):
    with pytest.raises(ValidationError) as refused:
        _create(published=published)

    assert refused.value.message_dict == {"published": [f"Not a real date: {published!r}."]}
    assert not Source.objects.exists()


def test_a_source_needs_its_text():
    with pytest.raises(ValidationError) as refused:
        _create(text=" \n ")

    assert refused.value.message_dict == {"text": ["A source needs its full text."]}


def test_a_url_is_unique_when_given():
    _create(url="https://example.org/news/1")

    with pytest.raises(ValidationError) as refused:
        _create(url="https://example.org/news/1")

    assert refused.value.message_dict == {"url": ["Source with this Url already exists."]}
    assert Source.objects.count() == 1


def test_many_sources_may_have_no_url():
    first = _create(url="")
    second = _create(url=None)

    assert first.url is None
    assert second.url is None
    assert Source.objects.filter(url__isnull=True).count() == 2


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValidationError) as refused:
        _create(kind="blog_post")

    assert refused.value.message_dict == {
        "kind": ["Value 'blog_post' is not a valid choice."],
    }


def test_a_changed_text_gets_a_new_hash():
    source = make_source()
    old_hash = source.text_sha256
    new_text = SOURCE_TEXT + "\n\nA correction was appended."

    updated = source_update(source=source, data={"text": new_text})

    assert updated.text == new_text
    assert updated.text_sha256 == hashlib.sha256(new_text.encode("utf-8")).hexdigest()
    assert updated.text_sha256 != old_hash
    assert Source.objects.get(pk=source.pk).text_sha256 == updated.text_sha256


def test_a_text_edit_that_keeps_the_quoted_passages_is_accepted():
    source = make_source()
    make_commitment(source=source, quote=QUOTE)
    # Whitespace changes inside the quoted passage do not lose it.
    new_text = SOURCE_TEXT.replace("programme will run", "programme\nwill  run") + " Updated."

    updated = source_update(source=source, data={"text": new_text})

    assert updated.text == new_text


def test_a_text_edit_that_drops_a_quoted_passage_is_refused():
    source = make_source()
    make_commitment(source=source, quote=QUOTE)

    with pytest.raises(ValidationError) as refused:
        source_update(source=source, data={"text": "The ministry said nothing of the kind."})

    assert refused.value.message_dict == {
        "text": [
            f"The new text drops 1 quoted passage(s) that citations rely on, e.g. “{QUOTE}”. "
            "Keep the quoted passages or remove those citations first."
        ]
    }
    source.refresh_from_db()
    assert source.text == SOURCE_TEXT


def test_an_update_with_a_bad_partial_date_is_refused_naming_published():
    source = make_source()

    with pytest.raises(ValidationError) as refused:
        source_update(source=source, data={"published": "September 2024"})

    assert list(refused.value.message_dict) == ["published"]
    source.refresh_from_db()
    assert source.published == "2024-09-13"


def test_an_update_of_a_field_that_is_not_editable_is_refused():
    source = make_source()

    with pytest.raises(ValidationError) as refused:
        source_update(source=source, data={"text_sha256": "0" * 64, "title": "New"})

    assert refused.value.message_dict == {"text_sha256": ["This field cannot be changed."]}
    source.refresh_from_db()
    assert source.title != "New"


def test_an_update_recomputes_the_first_day_of_the_publication_date():
    source = make_source(published="2024-09-13")

    updated = source_update(source=source, data={"published": "2023"})

    assert updated.published_on == date(2023, 1, 1)


def test_a_source_that_is_not_cited_can_be_deleted():
    source = make_source()

    source_delete(source=source)

    assert not Source.objects.filter(pk=source.pk).exists()


def test_deleting_a_cited_source_is_refused():
    source = make_source(title="Cabinet meeting")
    make_commitment(source=source)

    with pytest.raises(ValidationError) as refused:
        source_delete(source=source)

    assert refused.value.messages == [
        "The source “Cabinet meeting” is cited by 1 citation(s) and cannot be deleted: the "
        "evidence would be lost. Remove the citations first."
    ]
    assert refused.value.code == "source_is_cited"
    assert Source.objects.filter(pk=source.pk).exists()


def test_deleting_a_cited_source_through_the_orm_raises_protected_error():
    source = make_source()
    make_commitment(source=source)

    with pytest.raises(ProtectedError):
        source.delete()

    assert Source.objects.filter(pk=source.pk).exists()
