"""The status vocabulary and its published mapping (docs/architecture.md, "Statuses")."""

from commitments.choices import FINAL_STATUSES, OPEN_STATUSES, STATUS_MAPPINGS, Status

# status: (final, PolitiFact meter, OGP/IRM completion, iCalendar VTODO), as published
PUBLISHED_TABLE = {
    "proposed": (False, "Not Yet Rated", "Not Started", "NEEDS-ACTION"),
    "adopted": (False, "Not Yet Rated", "Not Started", "NEEDS-ACTION"),
    "in_progress": (False, "In the Works", "Limited / Substantial", "IN-PROCESS"),
    "stalled": (False, "Stalled", "Limited", "IN-PROCESS"),
    "completed": (True, "Promise Kept", "Complete", "COMPLETED"),
    "partially_completed": (True, "Compromise", "Substantial", "COMPLETED"),
    "abandoned": (True, "Promise Broken", "Withdrawn", "CANCELLED"),
}


def test_the_vocabulary_is_the_seven_published_statuses_in_order():
    assert Status.values == list(PUBLISHED_TABLE)


def test_each_status_maps_to_politifact_ogp_irm_and_icalendar_as_published():
    assert {
        status: (m.is_final, m.politifact, m.ogp_irm, m.icalendar)
        for status, m in STATUS_MAPPINGS.items()
    } == PUBLISHED_TABLE
    assert all(m.description for m in STATUS_MAPPINGS.values())


def test_final_and_open_statuses_split_the_vocabulary():
    assert FINAL_STATUSES == ("completed", "partially_completed", "abandoned")
    assert OPEN_STATUSES == ("proposed", "adopted", "in_progress", "stalled")
