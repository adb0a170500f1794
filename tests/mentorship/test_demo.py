"""seed_demo's mentoring part: three active pairings with accepted agreements and check-ins,
Ben left unpaired for matching, and nothing new on a second run."""

import pytest
from django.core import mail

from accounts.models import User
from mentorship import demo, selectors
from mentorship.models import CheckIn, Pairing, PairingStatus, Program

pytestmark = pytest.mark.django_db


def test_demo_pairings_are_idempotent():
    demo.seed(password="demo-mentoring-2026")
    demo.seed(password="demo-mentoring-2026")
    program = Program.objects.get(slug="demo-2026")
    pairs = set(
        Pairing.objects.filter(program=program, status=PairingStatus.ACTIVE).values_list(
            "mentor__email", "mentee__email"
        )
    )
    assert pairs == {
        ("mentor.ana@example.com", "mentee.lena@example.com"),
        ("mentor.ana@example.com", "mentee.omar@example.com"),
        ("mentor.kenji@example.com", "mentee.sofia@example.com"),
    }
    for pairing in Pairing.objects.filter(program=program, status=PairingStatus.ACTIVE):
        assert pairing.agreement.is_accepted_by_both
        assert pairing.last_checkin_on == pairing.checkins.first().occurred_on
    assert CheckIn.objects.filter(pairing__program=program).count() == 5
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


def test_one_imported_person_has_not_joined_yet():
    """The admin's list of people who have not joined shows the demo's imported person, whose
    invitation nobody can use until the admin sends it again (seeding sends no e-mail)."""
    demo.seed(password="demo-mentoring-2026")
    demo.seed(password="demo-mentoring-2026")
    program = Program.objects.get(slug=demo.DEMO_PROGRAM["slug"])
    waiting = list(selectors.pending_invitations(program))
    assert [i.email for i in waiting] == [demo.DEMO_IMPORTED.email]
    assert not User.objects.filter(email=demo.DEMO_IMPORTED.email).exists()
    assert mail.outbox == []


def test_every_demo_person_has_a_profile_that_matching_uses():
    from accounts.models import Profile

    demo.seed(password="demo-mentoring-2026")
    demo.seed(password="demo-mentoring-2026")
    people = {p.email for p in demo.DEMO_PEOPLE} | {demo.DEMO_APPLICANT.email}
    assert set(demo.DEMO_PROFILES) == people
    profiles = Profile.objects.filter(user__email__in=people)
    former = [email for email, _name, _zone in demo.PREVIOUS_MENTEES]
    assert profiles.count() == len(people) == User.objects.exclude(email__in=former).count()
    assert all(profile.is_filled and profile.languages for profile in profiles)
    program = Program.objects.get(slug="demo-2026")
    ben = selectors.unpaired_mentees(program).get()
    reasons = {
        s.membership.user.email: s.reasons for s in selectors.mentor_suggestions(program, ben)
    }
    # What Ben wants to learn (his profile) is what Ana offers (her profile).
    ana = reasons["mentor.ana@example.com"]
    assert any(r.startswith("Shares:") and "giving feedback" in r for r in ana)
    for mentor_reasons in reasons.values():
        assert "Both speak English" in mentor_reasons
        assert any(r.startswith("Preferred meeting times overlap by") for r in mentor_reasons)


def test_the_demo_shows_a_mentee_choosing_a_mentor(client):
    """The demo program lets mentees choose; Ben, unpaired, has not asked anyone yet: his
    dashboard's checklist leads to his suggested mentors, each of whom he may ask."""
    from django.urls import reverse

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


def test_demo_meetings_past_upcoming_and_proposed_without_email():
    from mentorship.models import ActionItem, Meeting, MeetingStatus
    from notifications.models import OutboxEmail

    demo.seed(password="demo-mentoring-2026")
    demo.seed(password="demo-mentoring-2026")
    lena = Pairing.objects.get(mentee__email="mentee.lena@example.com")
    past = Meeting.objects.get(pairing=lena, status=MeetingStatus.DONE)
    assert past.checkin is not None and "outline" in past.checkin.summary
    items = ActionItem.objects.filter(meeting=past)
    assert sorted(i.done_at is None for i in items) == [False, True]
    upcoming = Meeting.objects.get(pairing=lena, status=MeetingStatus.CONFIRMED)
    assert upcoming.agenda_items.count() == 2 and upcoming.starts_at > past.starts_at
    proposed = Meeting.objects.get(
        pairing__mentee__email="mentee.omar@example.com", status=MeetingStatus.PROPOSED
    )
    assert len(proposed.candidate_times) == 2
    assert Meeting.objects.count() == 3
    assert not OutboxEmail.objects.exists() and not mail.outbox
    block = selectors.meeting_block(lena)
    assert block.next_meeting.agenda and [a.title for a in block.open_actions]


def test_a_demo_seeded_before_conversations_gets_them_on_the_next_run():
    from mentorship.models import Message

    demo.seed(password="demo-mentoring-2026")
    per_pair = len(demo.DEMO_CONVERSATION)
    assert Message.objects.count() == per_pair * len(demo.DEMO_PAIRINGS)
    Message.objects.all().delete()
    demo.seed(password="demo-mentoring-2026")
    demo.seed(password="demo-mentoring-2026")
    assert Message.objects.count() == per_pair * len(demo.DEMO_PAIRINGS)


def test_the_demo_program_follows_an_ended_cohort_with_real_figures():
    """The spring cohort before the demo program: ended, linked as its previous cohort, with
    pairings that ran and ended (two within three months, with the reason), and goals set and
    completed in it. Seeding again adds nothing."""
    from datetime import timedelta

    from goals.models import Goal, GoalStatus

    demo.seed(password="demo-mentoring-2026")
    demo.seed(password="demo-mentoring-2026")
    program = Program.objects.get(slug="demo-2026")
    spring = program.previous_cohort
    assert spring.slug == "demo-2026-spring" and spring.ended_at is not None
    assert spring.ends_on < program.starts_on
    pairings = list(Pairing.objects.filter(program=spring))
    assert len(pairings) == 4
    assert not any(p.is_open for p in pairings)
    early = [p for p in pairings if p.ended_on - p.started_on < timedelta(days=90)]
    assert len(early) == 2 and all(p.end_reason for p in early)
    goals = Goal.objects.filter(program=spring)
    assert goals.count() == 4
    assert goals.filter(status=GoalStatus.COMPLETED, completed_at__isnull=False).count() == 2
    # The same mentors in both cohorts; the spring mentees did not come back.
    assert set(spring.memberships.filter(role="mentor").values_list("user__email", flat=True)) == {
        "mentor.ana@example.com",
        "mentor.kenji@example.com",
    }
    assert CheckIn.objects.filter(pairing__program=spring).exists()


def test_demo_surveys_give_real_figures_and_one_shared_answer():
    from mentorship.models import SurveyResponse

    demo.seed(password="demo-mentoring-2026")
    demo.seed(password="demo-mentoring-2026")
    program = Program.objects.get(slug="demo-2026")
    summary = selectors.survey_summary(program=program)
    assert summary["pulse"]["count"] >= 3 and summary["pulse"]["match_score"] is not None
    assert summary["close_out"]["count"] >= 3 and summary["close_out"]["nps"] is not None
    assert SurveyResponse.objects.filter(shared=True).count() == 1
    # Two ended pairings of an earlier round; the active three are as before.
    assert Pairing.objects.filter(program=program, status=PairingStatus.COMPLETED).count() == 2
    omar = User.objects.get(email="mentee.omar@example.com")
    assert [p.kind for p in selectors.open_surveys_for(omar)] == ["pulse"]
