"""The seed dataset after one scan on 23 November 2026: what a reader of the articles expects
to be overdue, is."""

import datetime as dt

import pytest
from django.core.management import call_command

from commitments.models import Commitment
from tracker.models import Alert
from tracker.services import deadlines_scan

pytestmark = pytest.mark.django_db


def test_after_one_scan_the_seed_dataset_has_the_overdue_items_a_reader_expects(db, clock):
    clock(dt.date(2026, 11, 23))
    # Entered today: what is past its deadline is flagged, with its alert, as it is loaded.
    call_command("load_seed_data", verbosity=0)

    summary = deadlines_scan()

    overdue = set(Commitment.objects.filter(is_overdue=True).values_list("reference", flat=True))
    assert {
        "TM-2024-04",  # the Ashgabat dialogue, "in November 2024"
        "TM-2024-07",  # the work with the UN Counter-Terrorism Office, "in 2024-2025"
        "TM-DE-PROG-2021",  # the digital-economy programme, "for 2021-2025"
    } <= overdue
    assert "TM-2024-05" not in overdue  # the cyber-security programme runs "for 2025-2027"
    # The other two past deadlines of open commitments: nothing else is flagged.
    assert overdue - {"TM-2024-04", "TM-2024-07", "TM-DE-PROG-2021"} == {
        "OTS-2022-01",  # an adopted November 2022 meeting, never reported held
        "TM-DE-CONCEPT-2019",  # the 2019-2025 digital-economy concept
    }
    assert Commitment.objects.get(reference="TM-2024-04").overdue_since == dt.date(2024, 12, 1)
    assert sorted(
        Alert.objects.filter(kind="overdue").values_list("commitment__reference", flat=True)
    ) == sorted(overdue)
    assert summary.alerts_created == 0  # the load flagged them: the scan has nothing to add
