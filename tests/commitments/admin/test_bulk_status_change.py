"""The bulk action: one status change, with one piece of evidence, for many commitments.

All or nothing: either every selected commitment takes the change or none does, and the
form says which commitments refused and why.
"""

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from commitments.choices import Status
from commitments.models import Commitment, StatusChange
from commitments.selectors import tracker_today
from tests.commitments.admin.helpers import form_errors
from tests.factories import make_commitment, make_user

LIST_URL = reverse("admin:commitments_commitment_changelist")
QUOTE = "the programme was approved by the Cabinet"


def choose_action(client, commitments):
    return client.post(
        LIST_URL,
        {
            "action": "record_status_change",
            ACTION_CHECKBOX_NAME: [c.pk for c in commitments],
            "index": 0,
        },
    )


def apply_action(client, commitments, evidence_source, **overrides):
    data = {
        "action": "record_status_change",
        "apply": "1",
        ACTION_CHECKBOX_NAME: [c.pk for c in commitments],
        "status": Status.ADOPTED,
        "effective_on": tracker_today().isoformat(),
        "note": "All approved at one Cabinet meeting.",
        "source": evidence_source.pk,
        "quote": QUOTE,
        **overrides,
    }
    return client.post(LIST_URL, data)


def test_choosing_the_action_shows_the_evidence_form_for_the_selection(editor_client, source):
    selected = [make_commitment(source=source, reference=f"BULK-{n}") for n in range(2)]

    response = choose_action(editor_client, selected)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Record a status change for 2 commitment(s)" in page
    assert "BULK-0" in page and "BULK-1" in page
    for name in ("status", "effective_on", "note", "source", "quote"):
        assert f'name="{name}"' in page


def test_applying_records_the_change_for_every_selected_commitment(editor_client, source):
    selected = [make_commitment(source=source) for _ in range(3)]
    left_alone = make_commitment(source=source)

    response = apply_action(editor_client, selected, source)

    assert response.status_code == 302
    changes = StatusChange.objects.filter(new_status=Status.ADOPTED)
    assert {c.commitment_id for c in changes} == {c.pk for c in selected}
    assert all(c.evidence.quote == "the programme was approved by the Cabinet" for c in changes)
    assert Commitment.objects.get(pk=left_alone.pk).status == Status.PROPOSED
    messages = [str(m) for m in editor_client.get(LIST_URL).context["messages"]]
    assert "Recorded the status change for 3 commitment(s)." in messages


def test_one_refusal_records_nothing_and_names_the_commitment(editor_client, source):
    fresh = make_commitment(source=source, reference="FRESH")
    already = make_commitment(source=source, reference="ALREADY", status=Status.ADOPTED)

    response = apply_action(editor_client, [fresh, already], source)

    assert response.status_code == 200
    errors = form_errors(response)
    assert any("Nothing was recorded: 1 of the 2" in m for m in errors["__all__"])
    assert any(
        m.startswith("ALREADY: The commitment is already 'adopted'") for m in errors["__all__"]
    )
    assert not StatusChange.objects.exists()
    assert Commitment.objects.get(pk=fresh.pk).status == Status.PROPOSED


def test_a_quote_missing_from_the_source_is_a_form_error_and_nothing_changes(editor_client, source):
    selected = [make_commitment(source=source) for _ in range(2)]

    response = apply_action(editor_client, selected, source, quote="Nobody approved anything.")

    assert response.status_code == 200
    quote_errors = form_errors(response)["quote"]
    assert len(quote_errors) == 1  # said once, not once per commitment
    assert "does not occur in the source" in quote_errors[0]
    assert not StatusChange.objects.exists()
    assert "Please correct the errors below." in response.content.decode()


def test_missing_evidence_is_a_form_error(editor_client, source):
    selected = [make_commitment(source=source)]

    response = apply_action(editor_client, selected, source, source="", quote="")

    errors = form_errors(response)
    assert "This change needs evidence: the source it is based on." in errors["source"]
    assert "This change needs evidence: a quote from the source." in errors["quote"]
    assert not StatusChange.objects.exists()


def test_staff_outside_the_editors_group_are_not_offered_the_action(client, source):
    from django.contrib.auth.models import Permission

    staff = make_user(is_staff=True)
    staff.user_permissions.set(
        Permission.objects.filter(codename__in=["view_commitment", "change_commitment"])
    )
    client.force_login(staff)
    commitment = make_commitment(source=source)

    action_form = client.get(LIST_URL).context["action_form"]
    response = apply_action(client, [commitment], source)

    assert action_form is None  # no action at all is offered to them
    assert response.status_code == 200
    assert not StatusChange.objects.exists()
