"""The commitment list: what staff see at a glance, how they narrow it, and what it costs."""

from datetime import timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commitments.choices import Status
from commitments.selectors import tracker_today
from commitments.services import commitments_refresh_overdue_flags
from tests.factories import make_actor, make_commitment

LIST_URL = reverse("admin:commitments_commitment_changelist")


def listed(response) -> set[str]:
    return {c.reference for c in response.context["cl"].result_list}


def test_the_list_shows_status_deadline_as_stated_its_last_day_overdue_and_last_change(
    editor_client, source
):
    make_commitment(source=source, reference="LATE-1", deadline="in November 2024")
    commitments_refresh_overdue_flags(today=tracker_today())

    response = editor_client.get(LIST_URL)

    page = response.content.decode()
    assert response.status_code == 200
    for heading in ("Status", "Deadline (as stated)", "Last day", "Overdue", "Last change"):
        assert heading.lower() in page.lower()
    assert "in November 2024" in page
    assert "2024-11-30" in page
    assert 'class="overdue-badge"' in page


def test_filters_narrow_the_list_by_status_kind_overdue_tag_actor_and_deadline(
    editor_client, source
):
    ministry = make_actor(name="Ministry of Communications")
    make_commitment(
        source=source,
        reference="A",
        status=Status.ADOPTED,
        tags=["digital"],
        deadline="2020",
        parties=[(ministry, "responsible")],
    )
    make_commitment(
        source=source,
        reference="B",
        kind="event",
        tags=["energy"],
        parties=[(make_actor(name="Cabinet of Ministers"), "approver")],
    )
    commitments_refresh_overdue_flags(today=tracker_today())

    assert listed(editor_client.get(LIST_URL, {"status__exact": "adopted"})) == {"A"}
    assert listed(editor_client.get(LIST_URL, {"kind__exact": "event"})) == {"B"}
    assert listed(editor_client.get(LIST_URL, {"overdue": "yes"})) == {"A"}
    assert listed(editor_client.get(LIST_URL, {"overdue": "no"})) == {"B"}
    assert listed(editor_client.get(LIST_URL, {"tag": "energy"})) == {"B"}
    assert listed(editor_client.get(LIST_URL, {"parties__actor__id__exact": ministry.pk})) == {"A"}
    assert listed(editor_client.get(LIST_URL, {"has_deadline": "yes"})) == {"A"}
    assert listed(editor_client.get(LIST_URL, {"has_deadline": "no"})) == {"B"}


def test_the_tag_filter_offers_every_tag_in_use(editor_client, source):
    make_commitment(source=source, tags=["digital", "energy"])
    make_commitment(source=source, tags=["energy", "water"])

    response = editor_client.get(LIST_URL)

    tag_filter = next(f for f in response.context["cl"].filter_specs if f.title == "tag")
    assert [value for value, _ in tag_filter.lookup_choices] == ["digital", "energy", "water"]


@time_machine.travel("2025-05-31 20:30:00+00:00", tick=False)
def test_due_this_month_and_quarter_use_the_trackers_time_zone(editor_client, source):
    # 20:30 UTC on 31 May is already 1 June in Ashgabat (UTC+5): "this month" is June.
    make_commitment(source=source, reference="MAY", deadline="2025-05")
    make_commitment(source=source, reference="JUNE", deadline="2025-06")
    make_commitment(source=source, reference="JULY", deadline="2025-07")
    make_commitment(source=source, reference="JUNE-DONE", deadline="2025-06-15")
    done = make_commitment(source=source, reference="JUNE-KEPT", deadline="2025-06-20")
    done.status = Status.COMPLETED
    done.save(update_fields=["status"])  # test set-up only: a final status is not "due"

    assert listed(editor_client.get(LIST_URL, {"due": "this_month"})) == {"JUNE", "JUNE-DONE"}
    assert listed(editor_client.get(LIST_URL, {"due": "this_quarter"})) == {
        "MAY",
        "JUNE",
        "JUNE-DONE",
    }


def test_search_finds_by_title_reference_and_actor_name(editor_client, source):
    turkmenistan = make_actor(name="Government of Turkmenistan", short_name="TKM-GOV")
    make_commitment(source=source, reference="CYB-1", title="Cyber-security programme")
    make_commitment(
        source=source,
        reference="FOR-1",
        title="Regional forum",
        parties=[(turkmenistan, "proposer")],
    )

    assert listed(editor_client.get(LIST_URL, {"q": "cyber"})) == {"CYB-1"}
    assert listed(editor_client.get(LIST_URL, {"q": "FOR-1"})) == {"FOR-1"}
    assert listed(editor_client.get(LIST_URL, {"q": "Turkmenistan"})) == {"FOR-1"}
    assert listed(editor_client.get(LIST_URL, {"q": "TKM-GOV"})) == {"FOR-1"}


def test_the_date_hierarchy_drills_down_by_the_deadlines_last_day(editor_client, source):
    make_commitment(source=source, reference="Y2024", deadline="2024-11")
    make_commitment(source=source, reference="Y2027", deadline="2025/2027")

    response = editor_client.get(LIST_URL, {"deadline_last_day__year": "2027"})

    assert listed(response) == {"Y2027"}


def _many_commitments(count, source, actors):
    for number in range(count):
        make_commitment(
            source=source,
            tags=[f"tag-{number % 3}"],
            deadline=f"{2020 + number % 8}",
            parties=[(actors[number % len(actors)], "responsible")],
        )
    commitments_refresh_overdue_flags(today=tracker_today())


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL)
    assert response.status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_3_rows_as_for_30(editor_client, source):
    actors = [make_actor() for _ in range(4)]
    _many_commitments(3, source, actors)
    few = _list_queries(editor_client)

    _many_commitments(27, source, actors)
    many = _list_queries(editor_client)

    assert many == few


def test_the_list_page_query_count_is_pinned(editor_client, source, django_assert_num_queries):
    actors = [make_actor() for _ in range(4)]
    _many_commitments(30, source, actors)
    editor_client.get(LIST_URL)  # warm the content-type cache, as on a running server

    # The session, the user, the user's own and group permissions; the tag and actor
    # filters' choices; two counts (filtered and total); the page of rows; the date
    # hierarchy's range and its years. None of them per row.
    with django_assert_num_queries(11):
        editor_client.get(LIST_URL)


def test_a_staff_user_outside_the_editors_group_cannot_see_the_list(client, db):
    from tests.factories import make_user

    client.force_login(make_user(is_staff=True))

    assert client.get(LIST_URL).status_code == 403


def test_overdue_badge_says_since_when(editor_client, source):
    commitment = make_commitment(source=source, deadline="2020-03")
    commitments_refresh_overdue_flags(today=tracker_today())

    page = editor_client.get(LIST_URL).content.decode()

    assert f'title="Overdue since {commitment.deadline_last_day + timedelta(days=1)}"' in page
