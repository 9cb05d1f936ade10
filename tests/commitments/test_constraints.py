"""What must never be is refused by PostgreSQL itself, even for a write that skips the services."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from commitments.choices import PartyRole, Status
from commitments.models import Citation, Commitment, Party, StatusChange
from sources.models import Source
from tests.factories import make_actor

pytestmark = pytest.mark.django_db


def _refused_by(constraint: str, write) -> None:
    """`write` straight to the database fails on the named constraint; nothing is kept."""
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        write()
    assert constraint in str(refused.value)


def _update(commitment, **values):
    return lambda: Commitment.objects.filter(pk=commitment.pk).update(**values)


def test_a_status_outside_the_vocabulary_is_refused(commitment):
    _refused_by("commitment_status_valid", _update(commitment, status="overdue"))

    commitment.refresh_from_db()
    assert commitment.status == Status.PROPOSED


def test_a_status_outside_the_vocabulary_is_refused_in_raw_sql(commitment):
    def write():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE commitments_commitment SET status = 'done' WHERE id = %s", [commitment.pk]
            )

    _refused_by("commitment_status_valid", write)


def test_a_kind_outside_the_vocabulary_is_refused(commitment):
    _refused_by("commitment_kind_valid", _update(commitment, kind="promise"))


def test_a_first_day_after_the_last_day_is_refused(commitment):
    _refused_by(
        "commitment_deadline_first_day_not_after_last_day",
        _update(
            commitment,
            deadline_edtf="2025",
            deadline_first_day=date(2025, 12, 31),
            deadline_last_day=date(2025, 1, 1),
        ),
    )


@pytest.mark.parametrize(
    "half",
    [
        {"deadline_edtf": "2025"},
        {"deadline_edtf": "2025", "deadline_last_day": date(2025, 12, 31)},
        {"deadline_first_day": date(2025, 1, 1), "deadline_last_day": date(2025, 12, 31)},
    ],
)
def test_a_half_deadline_is_refused(commitment, half):
    _refused_by("commitment_deadline_whole_or_absent", _update(commitment, **half))


@pytest.mark.parametrize(
    "values",
    [
        {"overdue_since": date(2025, 1, 1)},
        {"is_overdue": True},
    ],
)
def test_overdue_since_goes_with_the_overdue_flag(commitment, values):
    _refused_by("commitment_overdue_since_iff_overdue", _update(commitment, **values))


def test_the_same_quote_cited_twice_for_one_commitment_is_refused(commitment):
    cited = commitment.citations.get()

    _refused_by(
        "citation_quote_once_per_commitment",
        lambda: Citation.objects.bulk_create(
            [Citation(commitment=commitment, source=cited.source, quote=cited.quote)]
        ),
    )


def test_an_empty_quote_is_refused(commitment, source):
    _refused_by(
        "citation_quote_not_empty",
        lambda: Citation.objects.bulk_create(
            [Citation(commitment=commitment, source=source, quote="")]
        ),
    )


def test_the_same_actor_twice_in_one_role_is_refused(commitment):
    actor = make_actor()
    Party.objects.bulk_create([Party(commitment=commitment, actor=actor, role=PartyRole.PARTNER)])

    _refused_by(
        "party_actor_once_per_role",
        lambda: Party.objects.bulk_create(
            [Party(commitment=commitment, actor=actor, role=PartyRole.PARTNER)]
        ),
    )


def test_a_role_outside_the_vocabulary_is_refused(commitment):
    _refused_by(
        "party_role_valid",
        lambda: Party.objects.bulk_create(
            [Party(commitment=commitment, actor=make_actor(), role="sponsor")]
        ),
    )


def test_a_status_change_that_changes_nothing_is_refused(commitment):
    _refused_by(
        "status_change_changes_the_status",
        lambda: StatusChange.objects.bulk_create(
            [
                StatusChange(
                    commitment=commitment,
                    old_status=Status.PROPOSED,
                    new_status=Status.PROPOSED,
                    effective_on=date(2025, 1, 1),
                    evidence=commitment.citations.get(),
                    version=2,
                )
            ]
        ),
    )


def test_deleting_a_cited_source_is_refused_by_the_database(commitment, source):
    def write():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sources_source WHERE id = %s", [source.pk])
            # Django declares foreign keys DEFERRABLE INITIALLY DEFERRED, so PostgreSQL checks
            # them at commit; the test runs inside a transaction that never commits, so ask
            # for the check now, as the commit would.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        write()

    assert "violates foreign key constraint" in str(refused.value)
    assert 'table "commitments_citation"' in str(refused.value)
    assert Source.objects.filter(pk=source.pk).exists()
