"""seed_demo's mentoring part: three active pairings with accepted agreements and check-ins,
Ben left unpaired for matching, and nothing new on a second run."""

import pytest

from mentorship import demo, selectors
from mentorship.models import CheckIn, Pairing, PairingStatus, Program

pytestmark = pytest.mark.django_db


def test_demo_pairings_are_idempotent():
    demo.seed(password="demo-mentoring-2026")
    demo.seed(password="demo-mentoring-2026")
    program = Program.objects.get(slug="demo-2026")
    pairs = set(
        Pairing.objects.filter(program=program).values_list("mentor__email", "mentee__email")
    )
    assert pairs == {
        ("mentor.ana@example.com", "mentee.lena@example.com"),
        ("mentor.ana@example.com", "mentee.omar@example.com"),
        ("mentor.kenji@example.com", "mentee.sofia@example.com"),
    }
    for pairing in Pairing.objects.filter(program=program):
        assert pairing.status == PairingStatus.ACTIVE
        assert pairing.agreement.is_accepted_by_both
        assert pairing.last_checkin_on == pairing.checkins.first().occurred_on
    assert CheckIn.objects.count() == 5
    unpaired = [m.user.email for m in selectors.unpaired_mentees(program)]
    assert unpaired == ["mentee.ben@example.com"]
    ben = selectors.unpaired_mentees(program).get()
    suggestions = selectors.mentor_suggestions(program, ben)
    # Both demo mentors share something with Ben (his interests, his goals' categories).
    assert len(suggestions) == 2
    assert all(s.shared and s.can_pair for s in suggestions)


def test_the_demo_program_takes_applications_and_one_waits():
    from mentorship.models import Application, ApplicationStatus, JoinPolicy

    logins = demo.seed(password="demo-mentoring-2026")
    assert ("applicant.maya@example.com", "demo-mentoring-2026", "applicant") in logins
    program = Program.objects.get(slug="demo-2026")
    assert program.join_policy == JoinPolicy.APPROVAL
    [waiting] = selectors.application_queue(program)
    assert waiting.user.email == "applicant.maya@example.com"
    assert waiting.status == ApplicationStatus.PENDING and waiting.role == "mentee"
    assert not program.memberships.filter(user=waiting.user).exists()
    demo.seed(password="demo-mentoring-2026")
    assert Application.objects.count() == 1


def test_the_demo_shows_a_mentee_choosing_a_mentor(client):
    """The demo program lets mentees choose; Ben, unpaired, has not asked anyone yet: his
    dashboard's checklist leads to his suggested mentors, each of whom he may ask."""
    from django.urls import reverse

    from accounts.models import User
    from mentorship.models import MentorRequest, Role

    demo.seed(password="demo-mentoring-2026")
    demo.seed(password="demo-mentoring-2026")
    program = Program.objects.get(slug="demo-2026")
    assert program.mentees_choose
    ben = program.memberships.get(user__email="mentee.ben@example.com", role=Role.MENTEE)
    assert not MentorRequest.objects.filter(mentee=ben).exists()
    choices = selectors.mentor_choices(ben)
    assert [c.membership.user.email for c in choices if c.can_pair] == [
        c.membership.user.email for c in choices
    ]
    assert len(choices) == 2
    [checklist] = selectors.member_checklists(ben.user, Role.MENTEE)
    choose_url = reverse("mentorship:mentor_choose", args=[program.uuid])
    item = next(i for i in checklist.items if i.url == choose_url)
    assert item.label == "Choose your mentor" and not item.done
    client.force_login(User.objects.get(email="mentee.ben@example.com"))
    html = client.get(reverse("goals:mentee_dashboard")).content.decode()
    assert choose_url in html
    page = client.get(choose_url).content.decode()
    assert "Send my request" in page
    assert "Ana Okafor" in page and "Kenji Watanabe" in page
