"""Who kept which part: a party's own status with its evidence, the status derived from the
parties by one rule, and a status staff record, which wins."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import feedparser
import pytest
from django.core.exceptions import ValidationError

from accounts.services import api_token_create
from commitments.choices import Status, StatusSource, status_from_parties
from commitments.models import Commitment, Party, StatusChange
from commitments.services import (
    commitment_record_status_change,
    commitment_set_status_source,
    party_record_status_change,
)
from tests.api_fixtures import client_with_token
from tests.factories import make_actor, make_commitment, make_source, make_user
from tracker.models import Alert
from tracker.services import deadlines_scan

pytestmark = pytest.mark.django_db

ASHGABAT = ZoneInfo("Asia/Ashgabat")
# Our own words: two countries report on their halves of one link.
REPORT = (
    "Pakistan said on Tuesday that its section of the fibre link is finished and carrying "
    "traffic. Turkmenistan reported that work on its own section is still under way.\n\n"
    "Both governments confirmed that the joint link remains their shared goal."
)
PK_DONE = "its section of the fibre link is finished and carrying traffic"
TM_UNDER_WAY = "Turkmenistan reported that work on its own section is still under way"
SHARED_GOAL = "Both governments confirmed that the joint link remains their shared goal"


@pytest.mark.parametrize(
    ("statuses", "derived"),
    [
        (["completed", "completed"], "completed"),
        (["completed", "in_progress"], "partially_completed"),
        (["partially_completed", "abandoned"], "partially_completed"),
        (["abandoned", "abandoned"], "abandoned"),
        (["in_progress", "stalled"], "stalled"),
        (["adopted", "in_progress", "abandoned"], "adopted"),
        (["in_progress", "in_progress"], "in_progress"),
        (["completed", None], None),  # a part nobody reported: nothing is derived
        ([], None),
    ],
)
def test_the_status_is_derived_from_the_parties_by_one_rule(statuses, derived):
    assert status_from_parties(statuses) == derived


@pytest.fixture
def report(db):
    return make_source(text=REPORT, title="Fibre link report", published="2025-03-04")


@pytest.fixture
def shared(report):
    """A commitment of two partners (and a proposer, who has no part of its own)."""
    pakistan = make_actor(slug="pakistan", name="Pakistan", country="PK")
    turkmenistan = make_actor(slug="turkmenistan", name="Turkmenistan", country="TM")
    minister = make_actor(slug="minister", name="A minister")
    return make_commitment(
        source=report,
        quote=SHARED_GOAL,
        reference="LINK-1",
        title="Joint fibre link",
        deadline="2025-06",
        parties=[(pakistan, "partner"), (turkmenistan, "partner"), (minister, "proposer")],
    )


def party(commitment: Commitment, slug: str) -> Party:
    return commitment.parties.get(actor__slug=slug)


def record_parts(commitment: Commitment, report, *, on=date(2025, 3, 5)) -> None:
    """Pakistan's part done, Turkmenistan's under way."""
    party_record_status_change(
        party=party(commitment, "pakistan"),
        status=Status.COMPLETED,
        effective_on=on,
        source=report,
        quote=PK_DONE,
    )
    party_record_status_change(
        party=party(commitment, "turkmenistan"),
        status=Status.IN_PROGRESS,
        effective_on=on,
        source=report,
        quote=TM_UNDER_WAY,
    )


@pytest.fixture
def march_2025(time_machine):
    time_machine.move_to(datetime(2025, 3, 10, 9, tzinfo=ASHGABAT), tick=False)


def test_one_party_done_and_one_not_derive_partially_completed_and_the_recorded_status_stays(
    shared, report, march_2025
):
    record_parts(shared, report)

    shared.refresh_from_db()
    assert (shared.status, shared.status_source, shared.parties_status) == (
        Status.PROPOSED,
        StatusSource.RECORDED,
        Status.PARTIALLY_COMPLETED,
    )
    pk = party(shared, "pakistan")
    assert (pk.status, pk.status_since, pk.status_evidence.quote) == (
        Status.COMPLETED,
        date(2025, 3, 5),
        PK_DONE,
    )
    assert [c.new_status for c in pk.status_changes.all()] == [Status.COMPLETED]


def test_following_the_parties_changes_the_status_citing_their_evidence_and_it_keeps_following(
    shared, report, march_2025
):
    record_parts(shared, report)

    commitment_set_status_source(commitment=shared, status_source=StatusSource.PARTIES)

    shared.refresh_from_db()
    assert (shared.status, shared.status_source) == (
        Status.PARTIALLY_COMPLETED,
        StatusSource.PARTIES,
    )
    change = StatusChange.objects.get(commitment=shared)
    assert change.party_status_change is not None
    assert change.evidence.quote == TM_UNDER_WAY  # the newest party change's evidence

    party_record_status_change(
        party=party(shared, "turkmenistan"),
        status=Status.COMPLETED,
        effective_on=date(2025, 3, 9),
        source=report,
        quote=SHARED_GOAL,
    )
    shared.refresh_from_db()
    assert (shared.status, shared.parties_status) == (Status.COMPLETED, Status.COMPLETED)
    assert StatusChange.objects.filter(commitment=shared).count() == 2


def test_a_status_staff_record_wins_and_both_are_kept(shared, report, march_2025):
    record_parts(shared, report)
    commitment_set_status_source(commitment=shared, status_source=StatusSource.PARTIES)

    commitment_record_status_change(
        commitment=shared,
        status=Status.IN_PROGRESS,
        effective_on=date(2025, 3, 8),
        source=report,
        quote=SHARED_GOAL,
    )
    party_record_status_change(
        party=party(shared, "turkmenistan"),
        status=Status.STALLED,
        reason="blocked",
        effective_on=date(2025, 3, 9),
        source=report,
        quote=TM_UNDER_WAY,
    )

    shared.refresh_from_db()
    assert (shared.status, shared.status_source, shared.parties_status) == (
        Status.IN_PROGRESS,
        StatusSource.RECORDED,
        Status.PARTIALLY_COMPLETED,
    )
    assert StatusChange.objects.filter(commitment=shared).latest("version").evidence.quote == (
        SHARED_GOAL
    )


def test_only_acting_parties_carry_a_status_and_following_needs_every_one(
    shared, report, march_2025
):
    with pytest.raises(ValidationError) as proposer:
        party_record_status_change(
            party=party(shared, "minister"),
            status=Status.IN_PROGRESS,
            effective_on=date(2025, 3, 5),
            source=report,
            quote=PK_DONE,
        )
    assert "party" in proposer.value.message_dict

    party_record_status_change(
        party=party(shared, "pakistan"),
        status=Status.COMPLETED,
        effective_on=date(2025, 3, 5),
        source=report,
        quote=PK_DONE,
    )
    with pytest.raises(ValidationError) as early:
        commitment_set_status_source(commitment=shared, status_source=StatusSource.PARTIES)
    assert "status_source" in early.value.message_dict
    shared.refresh_from_db()
    assert (shared.parties_status, shared.status_source) == ("", StatusSource.RECORDED)


def test_a_party_part_needs_the_same_evidence_as_the_commitment(shared, report, march_2025):
    with pytest.raises(ValidationError) as refused:
        party_record_status_change(
            party=party(shared, "pakistan"),
            status=Status.STALLED,
            effective_on=date(2025, 3, 5),
            source=report,
            quote="not in the report at all, not one word of it",
        )
    assert set(refused.value.message_dict) == {"reason"}  # checked before the quote

    with pytest.raises(ValidationError) as no_quote:
        party_record_status_change(
            party=party(shared, "pakistan"),
            status=Status.COMPLETED,
            effective_on=date(2025, 3, 5),
            source=report,
            quote="not in the report at all, not one word of it",
        )
    assert "quote" in no_quote.value.message_dict
    assert not party(shared, "pakistan").status


def test_a_party_with_its_own_status_cannot_be_dropped_from_the_commitment(
    shared, report, march_2025, staff
):
    record_parts(shared, report)
    body = staff.get(f"/api/v1/commitments/{shared.pk}/").json()
    kept = [p for p in body["parties"] if p["actor"]["slug"] != "pakistan"]

    response = staff.patch(f"/api/v1/commitments/{shared.pk}/", {"parties": kept}, format="json")

    assert response.status_code == 400
    assert "parties" in response.json()["errors"][0]["field"]
    # What GET returned, sent back whole, changes nothing and loses nothing.
    response = staff.patch(
        f"/api/v1/commitments/{shared.pk}/", {"parties": body["parties"]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert party(shared, "pakistan").status_changes.count() == 1


# --- what readers see -------------------------------------------------------------------------


def test_the_api_shows_each_part_filters_by_it_and_counts_what_an_actor_kept(
    shared, report, march_2025, anon, staff
):
    pk_id = party(shared, "pakistan").actor_id
    response = staff.post(
        f"/api/v1/commitments/{shared.pk}/party-status-changes/",
        {
            "actor": pk_id,
            "status": "completed",
            "effective_on": "2025-03-05",
            "source": report.pk,
            "quote": PK_DONE,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    entry = response.json()
    assert (entry["kind"], entry["party"]["actor"]["slug"], entry["new_status"]) == (
        "party_status",
        "pakistan",
        "completed",
    )
    assert entry["old_status"] is None and entry["evidence"]["quote"] == PK_DONE
    party_record_status_change(
        party=party(shared, "turkmenistan"),
        status=Status.IN_PROGRESS,
        effective_on=date(2025, 3, 5),
        source=report,
        quote=TM_UNDER_WAY,
    )

    body = anon.get(f"/api/v1/commitments/{shared.pk}/").json()
    parts = {p["actor"]["slug"]: p for p in body["parties"]}
    assert (parts["pakistan"]["status"], parts["pakistan"]["status_since"]) == (
        "completed",
        "2025-03-05",
    )
    assert parts["pakistan"]["status_evidence"]["quote"] == PK_DONE
    assert parts["turkmenistan"]["status"] == "in_progress"
    assert (parts["minister"]["status"], parts["minister"]["status_evidence"]) == ("", None)
    assert (body["status"], body["parties_status"], body["status_source"]) == (
        "proposed",
        "partially_completed",
        "recorded",
    )

    def refs(**params):
        return [c["reference"] for c in anon.get("/api/v1/commitments/", params).json()["results"]]

    assert refs(actor="pakistan", party_status="completed") == ["LINK-1"]
    assert refs(actor="turkmenistan", party_status="completed") == []
    assert refs(party_status="in_progress") == ["LINK-1"]
    kept = anon.get("/api/v1/actors/pakistan/").json()["kept"]
    assert (kept["completed"], kept["in_progress"]) == (1, 0)
    history = anon.get(f"/api/v1/commitments/{shared.pk}/history/").json()
    assert [(e["kind"], e["party"]["actor"]["slug"]) for e in history] == [
        ("party_status", "pakistan"),
        ("party_status", "turkmenistan"),
    ]


def test_a_party_is_named_by_its_actor_and_a_wrong_one_is_a_400_naming_the_field(
    shared, report, march_2025, staff, anon
):
    base = {"status": "completed", "effective_on": "2025-03-05", "source": report.pk}
    url = f"/api/v1/commitments/{shared.pk}/party-status-changes/"
    stranger = make_actor(slug="stranger")

    not_a_party = staff.post(url, {**base, "actor": stranger.pk, "quote": PK_DONE}, format="json")
    proposer = staff.post(
        url,
        {**base, "actor": party(shared, "minister").actor_id, "quote": PK_DONE},
        format="json",
    )
    anonymous = anon.post(
        url, {**base, "actor": party(shared, "pakistan").actor_id, "quote": PK_DONE}
    )

    assert not_a_party.status_code == 400
    assert not_a_party.json()["errors"][0]["field"] == "actor"
    assert proposer.status_code == 400
    assert anonymous.status_code in (401, 403)
    assert not Party.objects.filter(commitment=shared).exclude(status="").exists()


def test_the_csv_atom_feed_page_and_admin_show_who_kept_which_part(
    shared, report, march_2025, anon, client, editor, time_machine
):
    record_parts(shared, report)

    rows = list(
        csv.DictReader(
            io.StringIO(
                b"".join(
                    anon.get("/api/v1/commitments/", {"format": "csv"}).streaming_content
                ).decode()
            )
        )
    )
    (row,) = rows
    assert "pakistan (partner: completed)" in row["parties"]
    assert "turkmenistan (partner: in_progress)" in row["parties"]
    assert "minister (proposer)" in row["parties"]
    assert row["parties_status"] == "partially_completed"

    # The deadline (June 2025) passes with Turkmenistan's part open: its part alerts.
    time_machine.move_to(datetime(2025, 7, 2, 9, tzinfo=ASHGABAT), tick=False)
    deadlines_scan()
    alert = Alert.objects.get(kind="party_overdue")
    assert alert.party == party(shared, "turkmenistan")
    deadlines_scan()
    assert Alert.objects.filter(kind="party_overdue").count() == 1  # once per deadline
    reader = client_with_token(_token())
    feed = feedparser.parse(reader.get("/api/v1/alerts.atom").content)
    titles = [entry.title for entry in feed.entries]
    assert "Turkmenistan's part overdue (deadline 2025-06-30) — LINK-1: Joint fibre link" in titles
    alerts = reader.get("/api/v1/alerts/", {"kind": "party_overdue"}).json()["results"]
    assert [(a["party"]["actor"]["slug"], a["party"]["status"]) for a in alerts] == [
        ("turkmenistan", "in_progress")
    ]

    page = anon.get("/en/commitments/LINK-1/").content.decode()
    assert 'status-completed">Completed</span>' in page
    assert 'status-in_progress">In progress</span>' in page
    assert PK_DONE in page and TM_UNDER_WAY in page
    assert "Its parties' statuses read: Partially completed." in page

    client.force_login(editor)
    form = client.get(f"/admin/commitments/commitment/{shared.pk}/change/").content.decode()
    assert "Completed since" in form and "In progress since" in form
    assert "Record a party's own status" in form
    page = client.get(f"/admin/commitments/commitment/{shared.pk}/party-status-change/")
    assert page.status_code == 200


def test_staff_record_a_party_status_in_the_admin(shared, report, march_2025, client, editor):
    client.force_login(editor)
    turkmenistan = party(shared, "turkmenistan")
    shared.refresh_from_db()

    response = client.post(
        f"/admin/commitments/commitment/{shared.pk}/party-status-change/",
        {
            "party": turkmenistan.pk,
            "status": "in_progress",
            "effective_on": "2025-03-05",
            "source": report.pk,
            "quote": TM_UNDER_WAY,
            "note": "",
            "reason": "",
            "expected_version": shared.version,
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    turkmenistan.refresh_from_db()
    assert (turkmenistan.status, turkmenistan.status_evidence.quote) == (
        "in_progress",
        TM_UNDER_WAY,
    )


def _token() -> str:
    return api_token_create(user=make_user(), name="reader").key


def test_staff_let_the_status_follow_the_parties_in_the_admin(
    shared, report, march_2025, client, editor
):
    record_parts(shared, report)
    party_record_status_change(
        party=party(shared, "turkmenistan"),
        status=Status.COMPLETED,
        effective_on=date(2025, 3, 6),
        source=report,
        quote=SHARED_GOAL,
    )
    client.force_login(editor)

    response = client.post(
        f"/admin/commitments/commitment/{shared.pk}/status-source/", {"status_source": "parties"}
    )

    assert response.status_code == 302
    shared.refresh_from_db()
    assert (shared.status_source, shared.status) == ("parties", "completed")
    assert client.get(f"/admin/commitments/commitment/{shared.pk}/status-source/").status_code == (
        403
    )
