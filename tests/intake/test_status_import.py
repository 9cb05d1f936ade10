"""A bulk status review by CSV: a dry run lists every change and every refusal by row and
writes nothing; applying writes every change, recorded as the staff member, or none."""

import pytest
from django.core.exceptions import ValidationError

from commitments.choices import Status
from commitments.models import Commitment, StatusChange
from commitments.selectors import tracker_today
from commitments.services import commitment_record_status_change
from intake.models import ImportState
from intake.services import (
    status_import_apply,
    status_import_check,
    status_import_create,
    status_import_start_apply,
)
from intake.status_csv import status_rows_read
from tests.factories import make_user

from .helpers import QUOTE, change_row, commitments_for_review, status_csv

pytestmark = pytest.mark.django_db


def _checked(text: str, user):
    created = status_import_create(csv_text=text, file_name="review.csv", created_by=user)
    return status_import_check(status_import_id=created.pk)


def _five_hundred_changes():
    """250 commitments, each moved twice (proposed → adopted → in progress): 500 rows."""
    source, commitments = commitments_for_review(250)
    rows = [change_row(c, source, "adopted", on="2025-01-10") for c in commitments]
    rows += [change_row(c, source, "In progress", on="2025-02-10") for c in commitments]
    return source, commitments, rows


def test_500_changes_are_checked_without_a_write_then_applied_as_the_staff_member():
    _, _, rows = _five_hundred_changes()
    uploader, editor = make_user(is_staff=True), make_user(username="ed", is_staff=True)

    checked = _checked(status_csv(rows), uploader)

    assert checked.state == ImportState.PREVIEWED
    assert checked.row_count == 500
    assert checked.outcome["refusals"] == []
    assert len(checked.outcome["changes"]) == 500
    assert checked.outcome["changes"][0] == {
        "line": 2,
        "reference": "REV-0000",
        "old": "Proposed",
        "new": "Adopted",
        "effective_on": "2025-01-10",
    }
    assert checked.outcome["changes"][250]["old"] == "Adopted"  # rows apply in order
    assert not StatusChange.objects.exists()
    assert set(Commitment.objects.values_list("status", flat=True)) == {Status.PROPOSED}

    status_import_start_apply(status_import=checked, applied_by=editor)
    applied = status_import_apply(status_import_id=checked.pk)

    assert applied.state == ImportState.APPLIED
    assert applied.applied_by == editor and applied.applied_at is not None
    assert StatusChange.objects.count() == 500
    assert set(StatusChange.objects.values_list("recorded_by", flat=True)) == {editor.pk}
    assert set(Commitment.objects.values_list("status", flat=True)) == {Status.IN_PROGRESS}


def test_the_dry_run_lists_every_refusal_by_row_and_nothing_can_be_applied():
    source, commitments, rows = _five_hundred_changes()
    rows[3] = change_row(commitments[3], source, "adopted", quote="Words the source lacks.")
    rows[10] = change_row(commitments[10], source, "adopted", source_id="", quote="")
    rows[20] = change_row(commitments[20], source, "proposed")  # the status it already has
    rows[30] = change_row(commitments[30], source, "adopted", reference="NO-SUCH")
    rows[40] = change_row(commitments[40], source, "adopted", on="15/01/2025")
    rows[50] = change_row(commitments[50], source, "finished")
    user = make_user(is_staff=True)

    checked = _checked(status_csv(rows), user)

    refusals = {r["line"]: r for r in checked.outcome["refusals"]}
    assert sorted(refusals) == [5, 12, 22, 32, 42, 52]
    assert "does not occur in the source" in refusals[5]["messages"][0]
    assert refusals[12]["messages"] == [
        "source: This change needs evidence: the source it is based on.",
        "quote: This change needs evidence: a quote from the source.",
    ]
    assert "already 'proposed'" in refusals[22]["messages"][0]
    assert refusals[32]["messages"] == ["reference: No commitment has the reference 'NO-SUCH'."]
    assert refusals[42]["messages"] == [
        "effective_on: '15/01/2025' is not a date in the form YYYY-MM-DD."
    ]
    assert refusals[52]["messages"][0].startswith("status: Unknown status 'finished'")
    assert len(checked.outcome["changes"]) == 494
    assert not StatusChange.objects.exists()
    with pytest.raises(ValidationError, match="correct the file"):
        status_import_start_apply(status_import=checked, applied_by=user)


def test_a_row_refused_when_applying_leaves_all_500_unwritten():
    source, commitments, rows = _five_hundred_changes()
    user = make_user(is_staff=True)
    checked = _checked(status_csv(rows), user)
    # Between the dry run and applying, someone records the last row's change by hand.
    commitment_record_status_change(
        commitment=commitments[-1],
        status="adopted",
        effective_on=tracker_today(),
        source=source,
        quote=QUOTE,
    )

    status_import_start_apply(status_import=checked, applied_by=user)
    refused = status_import_apply(status_import_id=checked.pk)

    assert refused.state == ImportState.REFUSED
    assert [r["line"] for r in refused.outcome["refusals"]] == [251]
    assert "already 'adopted'" in refused.outcome["refusals"][0]["messages"][0]
    assert StatusChange.objects.count() == 1  # the one recorded by hand
    assert Commitment.objects.filter(status=Status.PROPOSED).count() == 249


def test_an_import_is_applied_once():
    source, [commitment] = commitments_for_review(1)
    user = make_user(is_staff=True)
    checked = _checked(status_csv([change_row(commitment, source, "adopted")]), user)
    status_import_start_apply(status_import=checked, applied_by=user)

    with pytest.raises(ValidationError, match="writing the changes"):
        status_import_start_apply(status_import=checked, applied_by=user)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("reference,status\nA,adopted\n", "lacks the column(s) new_status, effective_on"),
        ("reference,new_status,effective_on,source_id,quote\nA,,,,\n", "nothing to change"),
        (
            "reference,new_status,effective_on,source_id,quote\nA,completed,2026-11-30,1,a\x00b\n",
            "holds a NUL character",
        ),
        (
            "reference,new_status,effective_on,source_id,quote\nA,completed,2026-11-30,1,"
            + "x" * 140_000
            + "\n",
            "not readable as CSV",
        ),
    ],
)
def test_a_file_that_is_no_status_review_is_refused_naming_the_problem(text, problem):
    with pytest.raises(ValidationError) as refused:
        status_rows_read(text)

    assert problem in refused.value.message_dict["file"][0]


@pytest.mark.parametrize("formula", ["=SUM(A1)", "\uff1dSUM(A1)", "\uff5ccmd"])
def test_the_export_columns_and_a_neutralised_cell_read_back(formula):
    text = (
        "\ufeffreference,title,status,new_status,effective_on,source_id,quote,note\n"
        f"A,T,proposed,adopted,2025-01-01,1,'{formula},\n"
    )

    [row] = status_rows_read(text)

    assert (row.line, row.reference, row.quote) == (2, "A", formula)
