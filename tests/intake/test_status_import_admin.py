"""The status review in the admin: export the filtered list, upload it back, see the dry
run, apply it; large files on a real Celery worker, with progress."""

import csv
import io
import time

import pytest
from django.urls import reverse

from commitments.models import Commitment, StatusChange
from intake.models import ImportState, StatusImport
from tests.tracker.test_worker import worker  # noqa: F401 (the real worker fixture)

from .helpers import QUOTE, change_row, commitments_for_review, status_csv

UPLOAD_URL = reverse("admin:intake_statusimport_add")


def upload(client, text: str, name: str = "review.csv"):
    file = io.BytesIO(text.encode("utf-8"))
    file.name = name
    return client.post(UPLOAD_URL, {"file": file})


@pytest.mark.django_db
def test_the_commitment_list_links_to_the_export_and_the_import(editor_client):
    page = editor_client.get(reverse("admin:commitments_commitment_changelist")).content.decode()

    assert "Export for a status review" in page
    assert f'href="{UPLOAD_URL}"' in page


@pytest.mark.django_db
def test_the_export_of_a_filtered_list_round_trips_through_the_import(editor_client, editor):
    source, commitments = commitments_for_review(3)
    Commitment.objects.filter(pk=commitments[2].pk).update(kind="event")

    exported = b"".join(
        editor_client.get(
            reverse("admin:intake_statusimport_export"), {"kind__exact": "programme"}
        ).streaming_content
    ).decode()
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [row["reference"] for row in rows] == ["REV-0000", "REV-0001"]
    assert rows[0]["status"] == "proposed" and rows[0]["new_status"] == ""
    rows[0].update(new_status="adopted", effective_on="2025-03-01", source_id=source.pk)
    rows[0]["quote"] = QUOTE
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)

    response = upload(editor_client, out.getvalue())

    status_import = StatusImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:intake_statusimport_change", args=[status_import.pk]
    )
    page = editor_client.get(response["Location"]).content.decode()
    assert "Would be written (1)" in page
    assert "Proposed → Adopted" in page
    assert not StatusChange.objects.exists()

    editor_client.post(response["Location"], {"apply": "1"})

    [change] = StatusChange.objects.all()
    assert (change.commitment.reference, change.new_status) == ("REV-0000", "adopted")
    assert change.recorded_by == editor
    page = editor_client.get(response["Location"]).content.decode()
    assert "Applied: every change written" in page


@pytest.mark.django_db
def test_refusals_are_shown_by_row_and_there_is_no_apply_button(editor_client):
    source, [commitment] = commitments_for_review(1)
    text = status_csv(
        [change_row(commitment, source, "adopted", quote="This sentence is not in the text.")]
    )

    response = upload(editor_client, text)

    page = editor_client.get(response["Location"]).content.decode()
    assert "1 row(s) refused" in page
    assert "does not occur in the source" in page
    assert 'name="apply"' not in page


@pytest.mark.django_db
def test_a_file_without_the_columns_is_refused_on_the_form(editor_client):
    response = upload(editor_client, "reference,status\nA,adopted\n")

    assert response.status_code == 200
    assert "lacks the column(s) new_status" in response.content.decode()
    assert not StatusImport.objects.exists()


@pytest.mark.django_db
def test_staff_outside_the_editors_cannot_import(client, staff_user):
    client.force_login(staff_user)

    assert client.get(UPLOAD_URL).status_code == 403


def _wait_for_state(status_import, states, running, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status_import.refresh_from_db()
        if status_import.state in states:
            return status_import
        assert running.process.poll() is None, running.output()
        time.sleep(0.2)
    raise AssertionError(f"the import stayed {status_import.state}:\n{running.output()}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_checked_and_applied_by_a_real_worker_with_progress(
    client,
    committed_editor,
    worker,  # noqa: F811 (the fixture imported above)
):
    editor = committed_editor
    client.force_login(editor)
    source, commitments = commitments_for_review(150)
    text = status_csv([change_row(c, source, "adopted") for c in commitments])

    response = upload(client, text)

    status_import = StatusImport.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "150 rows: a worker is on it" in page
    _wait_for_state(status_import, {ImportState.PREVIEWED}, worker)
    progress = client.get(
        reverse("admin:intake_statusimport_progress", args=[status_import.pk])
    ).json()
    assert progress == {
        "state": "previewed",
        "running": False,
        "done": 150,
        "total": 150,
        "percent": 100,
    }
    assert not StatusChange.objects.exists()

    client.post(response["Location"], {"apply": "1"})
    _wait_for_state(status_import, {ImportState.APPLIED}, worker)

    assert StatusChange.objects.filter(recorded_by=editor).count() == 150
