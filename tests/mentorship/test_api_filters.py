"""The API's pairing, check-in and membership list filters (django-filter FilterSets): the
same query parameters as before, a bad value answers 400 JSON naming the parameter."""

from datetime import date

import pytest
from django.urls import reverse

from mentorship.models import PairingStatus
from tests.factories import CheckInFactory, PairingFactory

pytestmark = pytest.mark.django_db


def listed(client, name, **params) -> set[str]:
    response = client.get(reverse(name), params, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    return {row["uuid"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    "name,params",
    [
        ("api:pairing-list", {"status": "nonsense"}),
        ("api:pairing-list", {"program": "not-a-uuid"}),
        ("api:pairing-list", {"role": "boss"}),
        ("api:pairing-list", {"checkin_due_after": "yesterday"}),
        ("api:pairing-list", {"checkin_due_before": "2030-13-01"}),
        ("api:checkin-list", {"pairing": "42"}),
        ("api:checkin-list", {"occurred_after": "soon"}),
        ("api:checkin-list", {"occurred_before": "01/02/2030"}),
    ],
)
def test_bad_filter_values_are_400_naming_the_parameter(client, admin, name, params):
    client.force_login(admin)
    response = client.get(reverse(name), params, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_bad_membership_role_is_400(client, admin, mentor, program):
    client.force_login(admin)
    url = reverse("api:program-memberships", args=[program.uuid])
    response = client.get(url, {"role": "boss"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and set(response.json()) == {"role"}
    ok = client.get(url, {"role": "mentor"}, HTTP_ACCEPT="application/json")
    assert ok.status_code == 200
    assert {m["role"] for m in ok.json()["results"]} == {"mentor"}


def test_pairing_filters(client, program, other_program, admin, mentor, pairing, other_pairing):
    pairing.next_checkin_due = date(2030, 1, 10)
    pairing.save()
    other_pairing.status = PairingStatus.PAUSED
    other_pairing.next_checkin_due = date(2030, 2, 10)
    other_pairing.save()
    PairingFactory(program=other_program)  # not the admin's
    mine, theirs = str(pairing.uuid), str(other_pairing.uuid)
    client.force_login(admin)
    assert listed(client, "api:pairing-list") == {mine, theirs}
    assert listed(client, "api:pairing-list", status="paused") == {theirs}
    assert listed(client, "api:pairing-list", program=str(program.uuid)) == {mine, theirs}
    assert listed(client, "api:pairing-list", program=str(other_program.uuid)) == set()
    assert listed(client, "api:pairing-list", role="admin") == {mine, theirs}
    assert listed(client, "api:pairing-list", role="mentor") == set()
    assert listed(client, "api:pairing-list", checkin_due_before="2030-01-31") == {mine}
    assert listed(client, "api:pairing-list", checkin_due_after="2030-01-10") == {mine, theirs}
    assert listed(client, "api:pairing-list", checkin_due_after="2030-01-11") == {theirs}
    client.force_login(mentor)
    assert listed(client, "api:pairing-list") == {mine}
    assert listed(client, "api:pairing-list", role="mentor") == {mine}
    assert listed(client, "api:pairing-list", role="mentee") == set()
    assert listed(client, "api:pairing-list", role="admin") == set()


def test_checkin_filters(client, admin, mentee, pairing, other_pairing):
    early = CheckInFactory(pairing=pairing, occurred_on=date(2026, 1, 1))
    late = CheckInFactory(pairing=pairing, occurred_on=date(2026, 3, 1))
    other = CheckInFactory(pairing=other_pairing, occurred_on=date(2026, 2, 1))
    client.force_login(admin)
    every = {str(c.uuid) for c in (early, late, other)}
    assert listed(client, "api:checkin-list") == every
    assert listed(client, "api:checkin-list", pairing=str(pairing.uuid)) == {
        str(early.uuid),
        str(late.uuid),
    }
    assert listed(client, "api:checkin-list", occurred_after="2026-02-01") == {
        str(other.uuid),
        str(late.uuid),
    }
    assert listed(client, "api:checkin-list", occurred_before="2026-02-01") == {
        str(early.uuid),
        str(other.uuid),
    }
    client.force_login(mentee)
    assert listed(client, "api:checkin-list") == {str(early.uuid), str(late.uuid)}
