"""Profiles in the mentoring domain: who sees one (mentorship.policy.profile_visible), the
person's page, the cards on the pairing page and the mentee's dashboard, and matching by
what profiles say."""

import pytest
from django.urls import reverse

from accounts.services import update_profile
from core.viewer import Viewer
from mentorship import policy, selectors
from mentorship.models import Membership, PairingStatus, Role
from tests.factories import MembershipFactory, PairingFactory, UserFactory

pytestmark = pytest.mark.django_db


def person_url(user) -> str:
    return reverse("mentorship:person", args=[user.uuid])


@pytest.fixture
def mia_profile(mentee):
    return update_profile(
        user=mentee,
        headline="Junior analyst",
        bio="I present our numbers every month.",
        wants="public speaking",
        languages=["en", "de"],
        meeting_times=["evening"],
        hours_per_month=3,
        link="https://example.com/mia",
        pronouns="she/her",
    )


# --- Who sees a profile ---------------------------------------------------------------------


def test_every_persona_of_the_access_matrix(
    client,
    mia_profile,
    mentee,
    other_mentee,
    mentor,
    other_mentor,
    admin,
    other_admin,
    stranger,
    pairing,
):
    """Mia's profile: herself, her mentor (an active pairing) and her program's admin; not
    another mentee or mentor of the program, another program's admin, or a stranger."""
    url = person_url(mentee)
    assert client.get(url)["Location"].startswith(reverse("account_login"))
    expected = {
        mentee: 200,
        mentor: 200,
        admin: 200,
        other_mentee: 404,
        other_mentor: 404,
        other_admin: 404,
        stranger: 404,
    }
    for user, status in expected.items():
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == status, user.email
        if status == 200:
            assert "Junior analyst" in response.content.decode()
        assert client.post(url).status_code == 405
        assert policy.profile_visible(Viewer.of(user), mentee) is (status == 200)


@pytest.mark.parametrize(
    ("status", "seen"),
    [
        (PairingStatus.PROPOSED, True),
        (PairingStatus.ACTIVE, True),
        (PairingStatus.PAUSED, True),
        (PairingStatus.COMPLETED, True),
        (PairingStatus.ENDED, True),
    ],
)
def test_open_and_past_pairings_both_ways(client, program, mentee, other_mentor, status, seen):
    PairingFactory(program=program, mentor=other_mentor, mentee=mentee, status=status)
    for viewer, person in ((other_mentor, mentee), (mentee, other_mentor)):
        client.force_login(viewer)
        assert (client.get(person_url(person)).status_code == 200) is seen


def test_an_admin_sees_the_members_of_programs_they_run_only(client, admin, other_program):
    outsider = MembershipFactory(program=other_program, role=Role.MENTOR).user
    member = MembershipFactory(program=admin.memberships.get().program, role=Role.MENTOR).user
    client.force_login(admin)
    assert client.get(person_url(member)).status_code == 200
    assert client.get(person_url(outsider)).status_code == 404


def test_unknown_and_deactivated_people_are_404(client, mentee, mentor, pairing):
    client.force_login(mentor)
    assert client.get("/people/00000000-0000-0000-0000-000000000000/").status_code == 404
    mentee.is_active = False
    mentee.save()
    assert client.get(person_url(mentee)).status_code == 404


def test_the_matching_hook_grants_nothing_yet(mentee, other_mentor):
    """Match candidates shown to each other: today only admins see suggestions (their rule
    covers it); mentee choice will answer here."""
    assert policy.candidates_shown_to_each_other(Viewer.of(other_mentor), mentee) is False


def test_the_check_reads_only_the_viewers_facts(mentee, mentor, pairing, django_assert_num_queries):
    viewer = Viewer.of(mentor)
    viewer.as_mentor  # noqa: B018 - load the facts
    with django_assert_num_queries(0):
        assert policy.profile_visible(viewer, mentee)


def test_own_page_links_to_editing(client, mentee, mia_profile):
    client.force_login(mentee)
    html = client.get(person_url(mentee)).content.decode()
    assert reverse("accounts:profile") in html and "she/her" in html


# --- Cards ----------------------------------------------------------------------------------


def test_the_pairing_page_shows_the_other_persons_card(client, pairing, mentee, mentor, admin):
    update_profile(user=mentor, headline="Engineering manager", offers="leadership")
    update_profile(user=mentee, headline="Junior analyst")
    url = reverse("mentorship:pairing_detail", args=[pairing.uuid])
    client.force_login(mentee)
    html = client.get(url).content.decode()
    assert "Engineering manager" in html and "Junior analyst" not in html
    assert person_url(mentor) in html
    client.force_login(mentor)
    html = client.get(url).content.decode()
    assert "Junior analyst" in html and "Engineering manager" not in html
    client.force_login(admin)
    html = client.get(url).content.decode()
    assert "Junior analyst" in html and "Engineering manager" in html


def test_a_card_without_a_profile_says_so(client, pairing, mentee):
    client.force_login(mentee)
    html = client.get(reverse("mentorship:pairing_detail", args=[pairing.uuid])).content.decode()
    assert "No profile written yet." in html


def test_the_mentee_dashboard_shows_her_mentors_card(client, pairing, mentee, mentor):
    update_profile(
        user=mentor,
        headline="Engineering manager",
        offers="leadership, public speaking",
        languages=["en", "es"],
        hours_per_month=4,
        meeting_times=["morning"],
        link="https://www.linkedin.com/in/maria",
    )
    client.force_login(mentee)
    response = client.get(reverse("goals:mentee_dashboard"))
    [card] = response.context["dash"].mentor_cards
    assert card.headline == "Engineering manager"
    html = response.content.decode()
    for text in ("leadership, public speaking", "English, Spanish", "4 h a month · Morning"):
        assert text in html
    assert person_url(mentor) in html
    # Once the pairing has ended she has no mentor card on her dashboard.
    pairing.status = PairingStatus.ENDED
    pairing.save()
    response = client.get(reverse("goals:mentee_dashboard"))
    assert response.context["dash"].mentor_cards == []


# --- Matching -------------------------------------------------------------------------------


def test_matching_reasons_come_from_profiles(program, mentor, other_mentor):
    newcomer = UserFactory(email="una@example.com", name="Una", timezone="Europe/Berlin")
    membership = MembershipFactory(program=program, user=newcomer, role=Role.MENTEE)
    update_profile(
        user=newcomer, wants="Public speaking, SQL", languages=["de"], meeting_times=["evening"]
    )
    mentor.timezone = "Europe/Berlin"
    mentor.save()
    other_mentor.timezone = "Asia/Tokyo"
    other_mentor.save()
    update_profile(
        user=mentor, offers="public speaking", languages=["de", "en"], meeting_times=["evening"]
    )
    update_profile(user=other_mentor, offers="sql", languages=["ja"], meeting_times=["evening"])
    membership = Membership.objects.select_related("user__profile").get(pk=membership.pk)
    assert selectors.mentee_match_terms(membership)[:2] == ["public speaking", "sql"]
    first, second = selectors.mentor_suggestions(program, membership)
    assert first.membership.user == mentor
    assert first.shared == ["public speaking"] and first.languages == ["German"]
    assert first.overlap_hours == 4
    assert "Shares: public speaking" in first.reasons
    assert "Both speak German" in first.reasons
    assert "Preferred meeting times overlap by 4 hours" in first.reasons
    assert "Same time zone" in first.reasons
    # Tokyo's evening is Berlin's morning: no hour in common, and no language.
    assert second.shared == ["sql"]
    assert "No language in common" in second.reasons
    assert "Preferred meeting times do not overlap" in second.reasons
    assert second.overlap_hours == 0


def test_matching_says_nothing_about_what_nobody_filled_in(program, mentor, mentee):
    membership = Membership.objects.select_related("user__profile").get(user=mentee)
    [suggestion] = selectors.mentor_suggestions(program, membership)
    assert suggestion.overlap_hours is None and suggestion.languages == []
    assert not any("language" in r or "meeting times" in r for r in suggestion.reasons)


def test_a_filled_profile_completes_the_checklist_item(mentee):
    assert selectors.profile_is_complete(mentee) is False
    update_profile(user=mentee, wants="sql")
    mentee.refresh_from_db()
    assert selectors.profile_is_complete(mentee) is True
