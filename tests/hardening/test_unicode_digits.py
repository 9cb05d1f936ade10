"""Unicode digits ('³', '٣') pass str.isdigit() but not int(): as ids they are refused or not
found, never a 500. Schemathesis found `?parent=³` on deadlines.ics."""

import pytest

from tests.factories import make_commitment

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/commitments/?parent=%C2%B3",
        "/api/v1/commitments/?actor=%D9%A3",
        "/api/v1/deadlines.ics?parent=%C2%B3",
        "/api/v1/alerts/?actor=%C2%B3",
    ],
)
def test_a_unicode_digit_given_as_an_id_is_a_client_error_not_a_500(client, path):
    make_commitment(deadline="2025")

    response = client.get(path)

    assert 400 <= response.status_code < 500, response.content[:300]


def test_an_actor_looked_up_by_a_unicode_digit_is_not_found(client):
    response = client.get("/api/v1/actors/%C2%B3/")

    assert response.status_code == 404
