"""Program admin pages: create and edit, dashboard, member list, CSV export, matching and
manual pairing with clear form errors."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from mentorship import selectors
from mentorship.models import Membership, Pairing, PairingStatus, Program, Role
from tests.factories import (
    CheckInFactory,
    GoalFactory,
    MembershipFactory,
    UserFactory,
)
from tests.spreadsheets import read_csv

pytestmark = pytest.mark.django_db


def program_data(**overrides):
    data = {
        "name": "Spring Cohort",
        "slug": "spring-cohort",
        "description": "",
        "checkin_cadence_days": "7",
        "stall_after_days": "21",
        "max_active_goals": "2",
        "starts_on": "2027-03-01",
        "ends_on": "2027-08-31",
        "is_active": "on",
    }
    return {**data, **overrides}


def test_create_program_makes_the_creator_its_admin(client, admin):
    client.force_login(admin)
    response = client.post(reverse("mentorship:program_create"), program_data())
    program = Program.objects.get(slug="spring-cohort")
    assert response["Location"] == reverse("mentorship:program_dashboard", args=[program.uuid])
    assert program.checkin_cadence_days == 7 and program.max_active_goals == 2
    assert Membership.objects.filter(program=program, user=admin, role=Role.ADMIN).exists()


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("ends_on", "2027-01-01", "cannot end before it starts"),
        ("checkin_cadence_days", "0", "at least 1"),
        ("slug", "northwind", "already exists"),
        ("starts_on", "someday", "Enter a valid date"),
    ],
)
def test_program_form_errors(client, admin, program, field, value, message):
    client.force_login(admin)
    response = client.post(reverse("mentorship:program_create"), program_data(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Program.objects.filter(slug="spring-cohort").exists()


def test_edit_program(client, admin, program):
    client.force_login(admin)
    url = reverse("mentorship:program_edit", args=[program.uuid])
    assert "Northwind Circle" in client.get(url).content.decode()
    client.post(url, program_data(name="Northwind 2", slug="northwind", stall_after_days="10"))
    program.refresh_from_db()
    assert (program.name, program.stall_after_days) == ("Northwind 2", 10)


def test_program_list_is_the_admin_landing_page(client, admin, program, other_program):
    client.force_login(admin)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("mentorship:program_list")
    body = response.content.decode()
    assert "Northwind Circle" in body and "Southside Guild" not in body


def test_program_list_counts(client, admin, program, mentor, other_mentor, mentee, pairing):
    client.force_login(admin)
    body = client.get(reverse("mentorship:program_list")).content.decode()
    assert "2 mentors" in body and "1 mentee" in body and "1 open pairing" in body


def test_nav_shows_links_by_role(client, admin, mentor, stranger, pairing):
    client.force_login(admin)
    body = client.get(reverse("mentorship:program_list")).content.decode()
    assert (
        reverse("mentorship:program_list") in body and reverse("mentorship:my_pairings") not in body
    )
    client.force_login(mentor)
    body = client.get(reverse("mentorship:my_pairings")).content.decode()
    assert 'href="/mentorships/"' in body and 'href="/programs/"' not in body


def test_dashboard(client, program, admin, mentor, other_mentor, mentee, other_mentee, pairing):
    today = date.today()
    Membership.objects.filter(user=mentor, program=program).update(capacity=1)
    pairing.started_on = today - timedelta(days=60)
    pairing.last_checkin_on = today - timedelta(days=45)
    pairing.save()
    client.force_login(admin)
    response = client.get(reverse("mentorship:program_dashboard", args=[program.uuid]))
    dashboard = response.context["dashboard"]
    assert response.context["goal_health"].total == 0  # no goals yet
    assert dashboard.role_counts == {"admin": 1, "mentor": 2, "mentee": 2}
    assert [p.pk for p in dashboard.stalled] == [pairing.pk]
    assert [m.user for m in dashboard.unpaired] == [other_mentee]
    assert [m.user for m in dashboard.at_capacity] == [mentor]
    body = response.content.decode()
    assert "Noah Othermentee" in body and "Find a mentor" in body


def test_recent_checkin_is_not_stalled(program, pairing):
    CheckInFactory(pairing=pairing)
    pairing.last_checkin_on = date.today()
    pairing.save()
    assert not selectors.stalled_pairings(program).exists()


def test_export_pairings_csv(client, program, admin, pairing, other_pairing):
    pairing.last_checkin_on = date(2026, 1, 5)
    pairing.save()
    CheckInFactory(pairing=pairing, occurred_on=date(2026, 1, 5))
    other_pairing.mentee.name = "=HYPERLINK(1)"
    other_pairing.mentee.save()
    client.force_login(admin)
    response = client.get(reverse("mentorship:program_export_pairings", args=[program.uuid]))
    rows = read_csv(response)
    assert len(rows) == 2
    row = next(r for r in rows if r["Mentee's e-mail"] == "mia@example.com")
    assert row["Last check-in"] == "2026-01-05"
    assert row["Status"] == "Active"
    assert any(r["Mentee"] == "'=HYPERLINK(1)" for r in rows)


def test_member_list_search_filter_and_pages(
    client, program, admin, mentor, mentee, other_mentee, pairing
):
    for n in range(30):
        MembershipFactory(
            program=program,
            # Fixed names: a random one ("Mariah", "Jeremiah") would match the searches below.
            user=UserFactory(email=f"bulk{n:02}@example.com", name=f"Bulk Person {n:02}"),
            role=Role.MENTEE,
        )
    client.force_login(admin)
    url = reverse("mentorship:member_list", args=[program.uuid])
    page = client.get(url).context["page"]
    assert page.paginator.count == 34 and len(page.object_list) == 25
    assert client.get(url, {"page": 2}).context["page"].number == 2
    found = client.get(url, {"q": "maria"}).context["page"]
    assert [m.user for m in found] == [mentor]
    mentors = client.get(url, {"role": "mentor"}).context["page"]
    assert {m.user for m in mentors} == {mentor}
    unpaired = client.get(url, {"role": "mentee", "paired": "no"}).context["page"]
    assert unpaired.paginator.count == 31  # Noah and the 30 new mentees; Mia is paired
    assert not client.get(url, {"q": "mia", "paired": "no"}).context["page"].object_list
    paired = client.get(url, {"paired": "yes"}).context["page"]
    assert {m.user for m in paired} == {mentor, mentee}
    # A bad filter value is ignored, not an error.
    assert client.get(url, {"role": "wizard", "page": "x"}).status_code == 200


def test_matching_ranks_by_overlap_capacity_and_timezone(client, program, admin, mentee):
    Membership.objects.filter(user=mentee).update(interests="public speaking, leadership")
    GoalFactory(mentee=mentee, category="networking")
    mentee.timezone = "Europe/Berlin"
    mentee.save()

    def mentor(email, tz, skills, interests="", capacity=3):
        user = UserFactory(email=email, name=email.split("@")[0].title(), timezone=tz)
        MembershipFactory(
            program=program,
            user=user,
            role=Role.MENTOR,
            skills=skills,
            interests=interests,
            capacity=capacity,
        )
        return user

    near_match = mentor(
        "near@example.com", "Europe/Paris", "leadership, public speaking", "networking"
    )
    far_match = mentor(
        "far@example.com", "Pacific/Auckland", "leadership, public speaking", "networking"
    )
    no_match = mentor("none@example.com", "Europe/Berlin", "cooking")
    full = mentor(
        "full@example.com", "Europe/Berlin", "leadership, public speaking, networking", capacity=0
    )
    membership = Membership.objects.get(user=mentee, program=program)
    client.force_login(admin)
    response = client.get(reverse("mentorship:program_match", args=[program.uuid, membership.uuid]))
    ranked = [s.membership.user for s in response.context["suggestions"]]
    assert ranked == [near_match, far_match, no_match, full]
    first = response.context["suggestions"][0]
    assert first.shared == ["public speaking", "leadership", "networking"]
    body = response.content.decode()
    assert "Shares: public speaking, leadership, networking" in body
    assert "Same time zone" in body and "At capacity" in body
    assert "Pair with Near" in body and "Pair with Full" not in body


def test_one_click_pairing_from_suggestions(client, program, admin, mentor, mentee):
    client.force_login(admin)
    response = client.post(
        reverse("mentorship:pairing_new", args=[program.uuid]),
        {"mentor": str(mentor.uuid), "mentee": str(mentee.uuid)},
    )
    pairing = Pairing.objects.get()
    assert response["Location"] == reverse("mentorship:pairing_detail", args=[pairing.uuid])
    assert pairing.status == PairingStatus.PROPOSED


def test_second_open_pairing_is_a_clear_form_error(
    client, program, admin, pairing, other_mentor, mentee
):
    client.force_login(admin)
    response = client.post(
        reverse("mentorship:pairing_new", args=[program.uuid]),
        {"mentor": str(other_mentor.uuid), "mentee": str(mentee.uuid)},
    )
    assert response.status_code == 200
    assert "Mia Mentee already has an open pairing in this program." in response.content.decode()
    assert Pairing.objects.count() == 1


def test_over_capacity_is_a_clear_form_error(client, program, admin, mentor, other_mentee):
    Membership.objects.filter(user=mentor, program=program).update(capacity=0)
    client.force_login(admin)
    response = client.post(
        reverse("mentorship:pairing_new", args=[program.uuid]),
        {"mentor": str(mentor.uuid), "mentee": str(other_mentee.uuid)},
    )
    assert response.status_code == 200
    assert "Maria Mentor is at capacity" in response.content.decode()
    assert not Pairing.objects.exists()


def test_pairing_form_rejects_people_outside_the_program(client, program, admin, mentor, stranger):
    client.force_login(admin)
    response = client.post(
        reverse("mentorship:pairing_new", args=[program.uuid]),
        {"mentor": str(mentor.uuid), "mentee": str(stranger.uuid)},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    response = client.post(
        reverse("mentorship:pairing_new", args=[program.uuid]), {"mentor": "nonsense", "mentee": ""}
    )
    assert response.status_code == 200
    assert not Pairing.objects.exists()


def test_match_for_a_member_of_another_program_is_404(client, program, admin, other_program):
    membership = MembershipFactory(program=other_program, role=Role.MENTEE)
    client.force_login(admin)
    response = client.get(reverse("mentorship:program_match", args=[program.uuid, membership.uuid]))
    assert response.status_code == 404


def test_pairing_admin_list_pages(admin_client, pairing):
    for model in (
        "program",
        "membership",
        "invitation",
        "pairing",
        "pairingevent",
        "agreement",
        "checkin",
        "surveyresponse",
    ):
        response = admin_client.get(reverse(f"admin:mentorship_{model}_changelist"), {"q": "mia"})
        assert response.status_code == 200, model
