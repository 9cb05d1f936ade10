"""The tracker's alerts in the admin: listed, linked from the commitment, never edited."""

from django.urls import reverse

from commitments.choices import Status
from commitments.selectors import tracker_today
from commitments.services import commitment_record_status_change
from tracker.models import Alert

ALERTS_URL = reverse("admin:tracker_alert_changelist")


def record_adoption(commitment):
    commitment_record_status_change(
        commitment=commitment,
        status=Status.ADOPTED,
        effective_on=tracker_today(),
        source=commitment.citations.get().source,
        quote="approved by the Cabinet",
    )


def test_editors_see_a_commitments_alerts_from_its_page(editor_client, commitment):
    record_adoption(commitment)
    page = editor_client.get(
        reverse("admin:commitments_commitment_change", args=[commitment.pk])
    ).content.decode()
    alerts_link = f"{ALERTS_URL}?commitment__id__exact={commitment.pk}"
    assert alerts_link in page

    response = editor_client.get(alerts_link)

    assert response.status_code == 200
    assert [a.kind for a in response.context["cl"].result_list] == ["status_changed"]


def test_alerts_cannot_be_added_changed_or_deleted_in_the_admin(admin_client, commitment):
    record_adoption(commitment)
    alert = Alert.objects.get()

    assert admin_client.get(reverse("admin:tracker_alert_add")).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:tracker_alert_delete", args=[alert.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    page = admin_client.get(reverse("admin:tracker_alert_change", args=[alert.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert Alert.objects.filter(pk=alert.pk).exists()
