"""First steps: a new member's checklist on their dashboard (mentee: profile, agreement, first
goal; mentor: profile, capacity, agreement), a new program's setup checklist on its dashboard
(cadence, stall threshold, people invited, first pairing), each item read from the data and
the whole closed for good once dismissed; and a stall threshold shorter than the check-in
cadence refused alike on the page and in the API."""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import update_profile
from api.services import api_token_create
from mentorship import selectors, services
from mentorship.models import Membership, Program, Role
from tests.factories import (
    AgreementFactory,
    GoalFactory,
    MembershipFactory,
    PairingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def items(checklist) -> dict[str, bool]:
    return {item.label: item.done for item in checklist.items}


def only_checklist(user, role):
    [checklist] = selectors.member_checklists(user, role)
    return checklist


# --- A new member's first steps -----------------------------------------------------------------


def test_a_new_mentees_items_follow_her_data(client, program, mentor):
    newcomer = UserFactory(email="nia@example.com", name="")
    MembershipFactory(program=program, user=newcomer, role=Role.MENTEE)
    assert items(only_checklist(newcomer, Role.MENTEE)) == {
        "Complete your profile": False,
        "Accept your agreement": False,
        "Create your first goal": False,
    }
    client.force_login(newcomer)
    html = client.get(reverse("goals:mentee_dashboard")).content.decode()
    assert "First steps in Northwind Circle" in html and "0 of 3 done" in html
    assert f'href="{reverse("accounts:profile")}"' in html
    assert f'href="{reverse("goals:goal_create")}"' in html
    assert "once you are paired" in html

    # A name alone is not a profile; a headline (or what she offers or wants) is.
    newcomer.name = "Nia Newcomer"
    newcomer.save()
    assert items(only_checklist(newcomer, Role.MENTEE))["Complete your profile"] is False
    update_profile(user=newcomer, headline="Junior analyst learning to present", wants="")
    GoalFactory(mentee=newcomer, program=program)
    pairing = PairingFactory(program=program, mentor=mentor, mentee=newcomer)
    agreement = AgreementFactory(pairing=pairing, mentee_accepted_at=None)
    checklist = only_checklist(newcomer, Role.MENTEE)
    assert items(checklist) == {
        "Complete your profile": True,
        "Accept your agreement": False,
        "Create your first goal": True,
    }
    assert checklist.items[1].url == reverse("mentorship:my_pairings")
    agreement.mentee_accepted_at = timezone.now()
    agreement.save()
    # Everything done: the checklist is gone.
    assert selectors.member_checklists(newcomer, Role.MENTEE) == []
    html = client.get(reverse("goals:mentee_dashboard")).content.decode()
    assert "First steps in" not in html


def test_a_new_mentors_items_and_his_capacity_page(client, program):
    newcomer = UserFactory(email="max@example.com", name="Max Mentor")
    membership = MembershipFactory(program=program, user=newcomer, role=Role.MENTOR)
    assert items(only_checklist(newcomer, Role.MENTOR)) == {
        "Complete your profile": False,
        "Set your capacity": False,
        "Accept your agreement": False,
    }
    update_profile(user=newcomer, offers="Python, code review")
    assert items(only_checklist(newcomer, Role.MENTOR))["Complete your profile"] is True
    # Tags that are only separators are no profile: the row stays unfilled.
    update_profile(user=newcomer, offers=" , ;")
    assert items(only_checklist(newcomer, Role.MENTOR))["Complete your profile"] is False
    update_profile(user=newcomer, offers="Python")
    client.force_login(newcomer)
    url = reverse("mentorship:my_capacity", args=[membership.uuid])
    html = client.get(reverse("goals:mentor_dashboard")).content.decode()
    assert "First steps in Northwind Circle" in html and f'href="{url}"' in html
    assert client.get(url).status_code == 200
    response = client.post(url, {"capacity": "2"})
    assert response["Location"] == reverse("goals:mentor_dashboard")
    membership.refresh_from_db()
    assert membership.capacity == 2 and membership.capacity_set_at is not None
    assert items(only_checklist(newcomer, Role.MENTOR))["Set your capacity"] is True
    # Out of range: the form says so.
    assert "Ensure this value is less than or equal to 50" in (
        client.post(url, {"capacity": "99"}).content.decode()
    )


def test_a_capacity_below_the_open_pairings_is_refused(client, program, mentor, pairing):
    membership = Membership.objects.get(program=program, user=mentor, role=Role.MENTOR)
    client.force_login(mentor)
    response = client.post(
        reverse("mentorship:my_capacity", args=[membership.uuid]), {"capacity": "0"}
    )
    assert response.status_code == 200
    assert "You mentor 1 people now: the capacity cannot be lower." in response.content.decode()
    membership.refresh_from_db()
    assert membership.capacity == 3


def test_the_capacity_page_is_the_mentors_own(client, program, mentor, admin, mentee):
    membership = Membership.objects.get(program=program, user=mentor, role=Role.MENTOR)
    url = reverse("mentorship:my_capacity", args=[membership.uuid])
    for other in (admin, mentee):
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert client.post(url, {"capacity": "1"}).status_code == 404
    # A mentee's own membership has no capacity page either.
    client.force_login(mentee)
    own = Membership.objects.get(program=program, user=mentee)
    assert client.get(reverse("mentorship:my_capacity", args=[own.uuid])).status_code == 404


def test_a_capacity_chosen_by_an_admin_counts(program, admin):
    newcomer = UserFactory(name="Max Mentor")
    membership = MembershipFactory(program=program, user=newcomer, role=Role.MENTOR)
    services.membership_update(
        membership=membership, by=admin, role=Role.MENTOR, capacity=4, skills="", interests=""
    )
    assert items(only_checklist(newcomer, Role.MENTOR))["Set your capacity"] is True


def test_dismissing_sticks_and_is_per_membership(client, program, other_program):
    newcomer = UserFactory(email="nia@example.com", name="")
    here = MembershipFactory(program=program, user=newcomer, role=Role.MENTEE)
    MembershipFactory(program=other_program, user=newcomer, role=Role.MENTEE)
    assert len(selectors.member_checklists(newcomer, Role.MENTEE)) == 2
    client.force_login(newcomer)
    dashboard = reverse("goals:mentee_dashboard")
    response = client.post(
        reverse("mentorship:checklist_dismiss", args=[here.uuid]), {"next": dashboard}
    )
    assert response["Location"] == dashboard
    here.refresh_from_db()
    assert here.checklist_dismissed_at is not None
    [left] = selectors.member_checklists(newcomer, Role.MENTEE)
    assert left.program_name == "Southside Guild"
    html = client.get(dashboard).content.decode()
    assert "First steps in Southside Guild" in html and "First steps in Northwind" not in html
    # Still closed later, whatever changes; a second dismissal changes nothing.
    first = here.checklist_dismissed_at
    client.post(reverse("mentorship:checklist_dismiss", args=[here.uuid]))
    here.refresh_from_db()
    assert here.checklist_dismissed_at == first
    # Another address than this site's is not followed.
    response = client.post(
        reverse("mentorship:checklist_dismiss", args=[here.uuid]),
        {"next": "https://elsewhere.example/"},
    )
    assert response["Location"] == dashboard


def test_only_the_member_dismisses_their_checklist(client, program, admin, mentee):
    membership = Membership.objects.get(program=program, user=mentee)
    client.force_login(admin)
    assert (
        client.post(reverse("mentorship:checklist_dismiss", args=[membership.uuid])).status_code
        == 404
    )
    membership.refresh_from_db()
    assert membership.checklist_dismissed_at is None


# --- A new program's setup ------------------------------------------------------------------------


def test_a_new_programs_setup_checklist(client, admin, mentor, mentee):
    client.force_login(admin)
    created = client.post(
        reverse("mentorship:program_create"),
        {
            "name": "Spring Cohort",
            "slug": "spring",
            "join_policy": "invite_only",
            "checkin_cadence_days": "14",
            "stall_after_days": "30",
            "max_active_goals": "3",
            "starts_on": "2027-03-01",
            "is_active": "on",
        },
    )
    program = Program.objects.get(slug="spring")
    assert created["Location"] == reverse("mentorship:program_dashboard", args=[program.uuid])
    dashboard = reverse("mentorship:program_dashboard", args=[program.uuid])
    html = client.get(dashboard).content.decode()
    assert "Set up the program" in html and "2 of 4 done" in html
    assert "every 14 days" in html
    assert f'href="{reverse("mentorship:program_invite", args=[program.uuid])}"' in html

    def setup():
        return items(selectors.program_setup_checklist(selectors.program_dashboard(program)))

    assert setup() == {
        "Set the check-in cadence": True,
        "Set the stall threshold": True,
        "Invite people": False,
        "Make the first pairing": False,
    }
    services.invitation_create(
        program=program, email="new@example.com", role=Role.MENTEE, invited_by=admin
    )
    assert setup()["Invite people"] is True
    MembershipFactory(program=program, user=mentor, role=Role.MENTOR)
    MembershipFactory(program=program, user=mentee, role=Role.MENTEE)
    services.pairing_create(program=program, mentor=mentor, mentee=mentee, by=admin)
    # Done: gone.
    assert selectors.program_setup_checklist(selectors.program_dashboard(program)) is None
    assert "Set up the program" not in client.get(dashboard).content.decode()


def test_an_old_stall_threshold_below_the_cadence_is_an_open_item(program):
    Program.objects.filter(pk=program.pk).update(checkin_cadence_days=30, stall_after_days=10)
    program.refresh_from_db()
    checklist = selectors.program_setup_checklist(selectors.program_dashboard(program))
    assert items(checklist)["Set the stall threshold"] is False


def test_the_setup_checklist_is_dismissed_for_good(client, admin, mentee):
    program = services.program_create(created_by=admin, name="Autumn", slug="autumn")
    client.force_login(admin)
    dashboard = reverse("mentorship:program_dashboard", args=[program.uuid])
    assert "Set up the program" in client.get(dashboard).content.decode()
    dismiss = reverse("mentorship:program_setup_dismiss", args=[program.uuid])
    assert client.post(dismiss)["Location"] == dashboard
    assert "Set up the program" not in client.get(dashboard).content.decode()
    # Its members cannot (403); nobody else may know it (404).
    MembershipFactory(program=program, user=mentee, role=Role.MENTEE)
    client.force_login(mentee)
    assert client.post(dismiss).status_code == 403


# --- Stall threshold and cadence ---------------------------------------------------------------

CADENCE_MESSAGE = "A pairing cannot stall before its next check-in is due"


def program_form(**overrides):
    data = {
        "name": "Northwind Circle",
        "slug": "northwind",
        "join_policy": "approval",
        "checkin_cadence_days": "14",
        "stall_after_days": "30",
        "max_active_goals": "3",
        "starts_on": "2026-01-01",
        "is_active": "on",
    }
    return {**data, **overrides}


def test_the_settings_page_refuses_a_stall_threshold_below_the_cadence(client, admin, program):
    client.force_login(admin)
    url = reverse("mentorship:program_edit", args=[program.uuid])
    response = client.post(url, program_form(checkin_cadence_days="21", stall_after_days="10"))
    assert response.status_code == 200
    form = response.context["form"]
    assert CADENCE_MESSAGE in form.errors["stall_after_days"][0]
    assert "(21 days)" in form.errors["stall_after_days"][0]
    program.refresh_from_db()
    assert (program.checkin_cadence_days, program.stall_after_days) == (14, 30)
    # Equal is fine, and the policy is saved with the rest.
    response = client.post(url, program_form(checkin_cadence_days="21", stall_after_days="21"))
    assert response.status_code == 302
    program.refresh_from_db()
    assert (program.stall_after_days, program.join_policy) == (21, "approval")


def test_a_form_without_the_join_policy_keeps_the_programs(client, admin, program):
    Program.objects.filter(pk=program.pk).update(join_policy="open")
    client.force_login(admin)
    data = program_form()
    del data["join_policy"]
    client.post(reverse("mentorship:program_edit", args=[program.uuid]), data)
    program.refresh_from_db()
    assert program.join_policy == "open"


def api_as(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=user, name='t').secret}")
    return client


def test_the_api_refuses_it_the_same_way(admin, program):
    api = api_as(admin)
    url = reverse("api:program-detail", args=[program.uuid])
    response = api.patch(url, {"stall_after_days": 7}, format="json")
    assert response.status_code == 400
    assert CADENCE_MESSAGE in response.json()["stall_after_days"][0]
    program.refresh_from_db()
    assert program.stall_after_days == 30
    created = api.post(
        reverse("api:program-list"),
        {"name": "Fast", "slug": "fast", "checkin_cadence_days": 20, "stall_after_days": 5},
        format="json",
    )
    assert created.status_code == 400 and "stall_after_days" in created.json()
    assert not Program.objects.filter(slug="fast").exists()
    # The policy is a field of the API too.
    response = api.patch(url, {"join_policy": "open"}, format="json")
    assert response.status_code == 200 and response.json()["join_policy"] == "open"
    assert api.patch(url, {"join_policy": "anyone"}, format="json").status_code == 400
