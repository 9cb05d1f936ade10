"""The source admin: paste the text, see its hash and who cites it; cited sources stay."""

import hashlib

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from sources.models import Source
from tests.factories import SOURCE_TEXT, make_commitment, make_source

ADD_URL = reverse("admin:sources_source_add")
LIST_URL = reverse("admin:sources_source_changelist")


def change_url(source):
    return reverse("admin:sources_source_change", args=[source.pk])


def delete_url(source):
    return reverse("admin:sources_source_delete", args=[source.pk])


def source_form(**overrides):
    return {
        "title_en": "Cabinet approves the programme",
        "publisher": "State news agency",
        "author": "",
        "url": "",
        "published": "2024-09",
        "kind": "news_report",
        "language": "en",
        "text": "The Cabinet approved\r\nthe programme on Friday.\r\n",
        **overrides,
    }


def test_a_pasted_source_is_saved_with_the_sha256_of_its_text(editor_client):
    response = editor_client.post(ADD_URL, source_form())

    assert response.status_code == 302
    source = Source.objects.get(title="Cabinet approves the programme")
    # Line breaks as the browser sent them (CRLF) are kept as LF; nothing else is touched.
    assert source.text == "The Cabinet approved\nthe programme on Friday.\n"
    assert source.text_sha256 == hashlib.sha256(source.text.encode()).hexdigest()
    assert source.published_on.isoformat() == "2024-09-01"
    page = editor_client.get(change_url(source)).content.decode()
    assert source.text_sha256 in page


def test_a_partial_date_that_is_not_one_is_a_form_error(editor_client):
    response = editor_client.post(ADD_URL, source_form(published="Sept 2024"))

    assert response.status_code == 200
    assert "Not a partial date" in response.context["adminform"].form.errors["published"][0]
    assert not Source.objects.exists()


def test_the_source_page_lists_the_commitments_that_cite_it_with_links(editor_client, source):
    commitment = make_commitment(source=source, reference="CYB-2025")

    page = editor_client.get(change_url(source)).content.decode()

    commitment_url = reverse("admin:commitments_commitment_change", args=[commitment.pk])
    assert f'<a href="{commitment_url}">CYB-2025: National cyber-security programme</a>' in page


def test_saving_a_source_page_unchanged_keeps_its_text_and_hash(editor_client, source):
    data = source_form(title_en=source.title, published=source.published, publisher="Test News")
    data["text"] = source.text.replace("\n", "\r\n")  # what a browser sends back

    response = editor_client.post(change_url(source), data)

    assert response.status_code == 302
    unchanged = Source.objects.get(pk=source.pk)
    assert (unchanged.text, unchanged.text_sha256) == (source.text, source.text_sha256)
    assert unchanged.history.count() == 1


def test_a_text_edit_that_drops_a_quoted_passage_is_a_form_error(editor_client, source):
    make_commitment(source=source)
    data = source_form(title=source.title, text="Nothing of the original article remains.")

    response = editor_client.post(change_url(source), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["text"]
    assert "drops 1 quoted passage(s) that citations rely on" in errors[0]
    assert Source.objects.get(pk=source.pk).text == SOURCE_TEXT


def test_a_text_correction_gets_a_new_hash_and_the_history_keeps_the_old_one(editor_client, source):
    corrected = SOURCE_TEXT.replace("Monday", "Tuesday")

    response = editor_client.post(
        change_url(source), source_form(title=source.title, text=corrected)
    )

    assert response.status_code == 302
    source_now = Source.objects.get(pk=source.pk)
    assert source_now.text_sha256 == hashlib.sha256(corrected.encode()).hexdigest()
    assert source.text_sha256 in source_now.history.values_list("text_sha256", flat=True)
    history = editor_client.get(reverse("admin:sources_source_history", args=[source.pk]))
    assert history.status_code == 200


def test_deleting_a_cited_source_is_refused_with_a_clear_message(admin_client, source):
    make_commitment(source=source, reference="CYB-2025")

    response = admin_client.post(delete_url(source), {"post": "yes"}, follow=True)

    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        f"The source “{source.title}” cannot be deleted: it is cited as evidence by "
        "1 commitment(s) (CYB-2025) and the evidence would be lost. Remove those citations "
        "first."
    ]
    assert Source.objects.filter(pk=source.pk).exists()


def test_the_delete_page_of_a_cited_source_is_not_offered(admin_client, source):
    make_commitment(source=source)

    response = admin_client.get(delete_url(source))

    assert response.status_code == 302
    assert response.url == change_url(source)


def test_an_uncited_source_can_be_deleted(admin_client):
    source = make_source()

    response = admin_client.post(delete_url(source), {"post": "yes"})

    assert response.status_code == 302
    assert not Source.objects.filter(pk=source.pk).exists()


def test_bulk_deleting_cited_sources_is_refused_and_names_the_citations(admin_client, source):
    make_commitment(source=source)
    uncited = make_source()

    response = admin_client.post(
        LIST_URL,
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [source.pk, uncited.pk], "post": "yes"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "would require deleting the following protected related objects" in page
    assert Source.objects.count() == 2


def test_editors_may_not_delete_sources(editor_client, source):
    assert editor_client.post(delete_url(source), {"post": "yes"}).status_code == 403
    assert Source.objects.filter(pk=source.pk).exists()


def test_sources_are_searchable_for_the_citation_autocomplete(editor_client):
    make_source(title="Cabinet approves the programme")
    make_source(title="Forum announced")

    response = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "commitments",
            "model_name": "citation",
            "field_name": "source",
            "term": "cabinet",
        },
    )

    # The API's full text: the title's match first, then the source whose text mentions it.
    assert [r["text"] for r in response.json()["results"]] == [
        "Cabinet approves the programme (Test News, 2024-09-13)",
        "Forum announced (Test News, 2024-09-13)",
    ]


def test_the_source_list_counts_citations_without_a_query_per_row(
    editor_client, django_assert_num_queries
):
    for _ in range(5):
        make_commitment(source=make_source())
    editor_client.get(LIST_URL)

    # session, user, permissions (own and group), the language filter's choices,
    # two counts, the page of rows.
    with django_assert_num_queries(8):
        response = editor_client.get(LIST_URL)

    assert [s.citation_count for s in response.context["cl"].result_list] == [1] * 5
