"""Mentee choice: an unpaired mentee in a program where mentees choose asks one of her top
suggested mentors; the mentor accepts (a proposed pairing, through pairing_create) or
declines; she withdraws; an unanswered request lapses (the beat task, once); hand pairing
withdraws her request; one request waits at a time; a full mentor cannot be asked or accept;
the pages are 404 outside the request."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from mentorship import selectors, services
from mentorship.models import (
    Membership,
    MentorRequest,
    MentorRequestStatus,
    Pairing,
    PairingStatus,
    Role,
)
from mentorship.tasks import mentor_requests_lapse
from notifications.kinds import Kind
from notifications.models import Notification
from tests.factories import GoalFactory, MembershipFactory, PairingFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def choosing(program):
    program.mentees_choose = True
    program.request_expires_days = 5
    program.save()
    return program


def membership(program, user, role=Role.MENTEE) -> Membership:
    return Membership.objects.select_related("program", "user").get(
        program=program, user=user, role=role
    )


def ask(client, program, mentor_membership, message="I want to speak at our all-hands."):
    return client.post(
        reverse("mentorship:mentor_choose", args=[program.uuid]),
        {"mentor": str(mentor_membership.uuid), "message": message},
    )


def test_the_mentee_sees_her_top_suggestions_and_asks_one(client, choosing, mentee, mentor):
    client.force_login(mentee)
    page = client.get(reverse("mentorship:mentor_choose", args=[choosing.uuid]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Maria Mentor" in html and "Send my request" in html
    maria = membership(choosing, mentor, Role.MENTOR)
    response = ask(client, choosing, maria)
    mentor_request = MentorRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "mentorship:mentor_request_detail", args=[mentor_request.uuid]
    )
    assert mentor_request.status == MentorRequestStatus.PENDING
    assert mentor_request.mentor == maria
    assert mentor_request.message == "I want to speak at our all-hands."
    expected = mentor_request.created_at + timedelta(days=5)
    assert abs((mentor_request.expires_at - expected).total_seconds()) < 5
    # The mentor is told in the inbox and by e-mail, with a link to the request.
    notice = Notification.objects.get(recipient=mentor, kind=Kind.MENTOR_REQUEST_RECEIVED)
    assert notice.send_email and "Mia Mentee" in notice.title
    assert notice.url == reverse("mentorship:mentor_request_detail", args=[mentor_request.uuid])
    # The page now shows the request waiting, and no form to ask a second mentor.
    html = client.get(reverse("mentorship:mentor_choose", args=[choosing.uuid])).content.decode()
    assert "is waiting for an answer" in html and "Send my request" not in html


def test_only_the_top_five_are_shown_and_a_full_mentor_cannot_be_asked(
    client, choosing, mentee, mentor
):
    for n in range(6):
        MembershipFactory(
            program=choosing,
            user=UserFactory(email=f"extra{n}@example.com", name=f"Extra {n}"),
            role=Role.MENTOR,
            capacity=2,
        )
    maria = membership(choosing, mentor, Role.MENTOR)
    maria.capacity = 0
    maria.save()
    mia = membership(choosing, mentee)
    choices = selectors.mentor_choices(mia)
    assert len(choices) == 5
    assert all(c.can_pair for c in choices)  # the full mentor ranks last, out of the five
    client.force_login(mentee)
    response = ask(client, choosing, maria)
    assert response.status_code == 400
    assert not MentorRequest.objects.exists()
    with pytest.raises(services.MentorshipError):
        services.mentor_request_create(mentee_membership=mia, mentor_membership=maria)


def test_a_full_mentor_is_shown_but_not_choosable(client, choosing, mentee, mentor):
    maria = membership(choosing, mentor, Role.MENTOR)
    maria.capacity = 0
    maria.save()
    client.force_login(mentee)
    html = client.get(reverse("mentorship:mentor_choose", args=[choosing.uuid])).content.decode()
    assert "Maria Mentor" in html and "No free place" in html
    assert f'value="{maria.uuid}"' not in html
    with pytest.raises(services.MentorshipConflict, match="no free place"):
        services.mentor_request_create(
            mentee_membership=membership(choosing, mentee), mentor_membership=maria
        )


def test_the_mentor_sees_the_goals_summary_and_accepts(client, choosing, mentee, mentor, admin):
    GoalFactory(mentee=mentee, program=choosing, title="Secret title", category="communication")
    mentor_request = services.mentor_request_create(
        mentee_membership=membership(choosing, mentee),
        mentor_membership=membership(choosing, mentor, Role.MENTOR),
        message="Hello",
    )
    client.force_login(mentor)
    page = client.get(reverse("mentorship:mentor_request_detail", args=[mentor_request.uuid]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "1 open goal, in: Communication" in html
    assert "Secret title" not in html  # the goals themselves wait for an active pairing
    assert "Accept" in html and "Decline" in html
    response = client.post(reverse("mentorship:mentor_request_accept", args=[mentor_request.uuid]))
    pairing = Pairing.objects.get(program=choosing, mentee=mentee)
    assert response.status_code == 302
    assert response["Location"] == reverse("mentorship:pairing_detail", args=[pairing.uuid])
    # The pairing is proposed with its agreement, as any pairing: both accept it to start.
    assert pairing.mentor == mentor and pairing.status == PairingStatus.PROPOSED
    assert pairing.agreement.mentor_accepted_at is None
    assert set(pairing.events.values_list("action", flat=True)) == {"created", "from_request"}
    mentor_request.refresh_from_db()
    assert mentor_request.status == MentorRequestStatus.ACCEPTED
    assert mentor_request.pairing == pairing and mentor_request.decided_at
    # The mentee hears of her new pairing (pairing_create's notice, by e-mail too).
    notice = Notification.objects.get(recipient=mentee, kind=Kind.PAIRING_CHANGED)
    assert "Maria Mentor mentors Mia Mentee" in notice.title
    # Accepting again is refused with a message.
    client.post(reverse("mentorship:mentor_request_accept", args=[mentor_request.uuid]))
    assert Pairing.objects.filter(mentee=mentee).count() == 1
    # The mentee's page says she has a mentor.
    client.force_login(mentee)
    html = client.get(reverse("mentorship:mentor_choose", args=[choosing.uuid])).content.decode()
    assert "You have a mentor in this program." in html


def test_the_mentor_declines_with_a_reason_and_she_asks_another(
    client, choosing, mentee, mentor, other_mentor
):
    mentor_request = services.mentor_request_create(
        mentee_membership=membership(choosing, mentee),
        mentor_membership=membership(choosing, mentor, Role.MENTOR),
    )
    client.force_login(mentor)
    response = client.post(
        reverse("mentorship:mentor_request_decline", args=[mentor_request.uuid]),
        {"reason": "My calendar is full until spring."},
    )
    assert response.status_code == 302
    mentor_request.refresh_from_db()
    assert mentor_request.status == MentorRequestStatus.DECLINED
    assert mentor_request.decline_reason == "My calendar is full until spring."
    notice = Notification.objects.get(recipient=mentee, kind=Kind.MENTOR_REQUEST_ANSWERED)
    assert "declined" in notice.title and "My calendar is full" in notice.body
    assert notice.send_email
    assert not Pairing.objects.exists()
    client.force_login(mentee)
    response = ask(client, choosing, membership(choosing, other_mentor, Role.MENTOR))
    assert response.status_code == 302
    assert MentorRequest.objects.filter(status=MentorRequestStatus.PENDING).count() == 1


def test_a_reason_over_500_characters_is_refused(client, choosing, mentee, mentor):
    mentor_request = services.mentor_request_create(
        mentee_membership=membership(choosing, mentee),
        mentor_membership=membership(choosing, mentor, Role.MENTOR),
    )
    client.force_login(mentor)
    response = client.post(
        reverse("mentorship:mentor_request_decline", args=[mentor_request.uuid]),
        {"reason": "x" * 501},
    )
    assert response.status_code == 400
    mentor_request.refresh_from_db()
    assert mentor_request.is_pending


def test_the_mentee_withdraws_and_the_mentors_notice_goes(client, choosing, mentee, mentor):
    mentor_request = services.mentor_request_create(
        mentee_membership=membership(choosing, mentee),
        mentor_membership=membership(choosing, mentor, Role.MENTOR),
    )
    assert Notification.objects.filter(recipient=mentor).count() == 1
    client.force_login(mentee)
    response = client.post(
        reverse("mentorship:mentor_request_withdraw", args=[mentor_request.uuid])
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mentorship:mentor_choose", args=[choosing.uuid])
    mentor_request.refresh_from_db()
    assert mentor_request.status == MentorRequestStatus.WITHDRAWN
    # Not sent yet: withdrawn with the request.
    assert not Notification.objects.filter(recipient=mentor).exists()
    # The mentor can no longer accept it.
    client.force_login(mentor)
    client.post(reverse("mentorship:mentor_request_accept", args=[mentor_request.uuid]))
    assert not Pairing.objects.exists()


def test_one_request_waits_at_a_time(choosing, mentee, mentor, other_mentor):
    mia = membership(choosing, mentee)
    services.mentor_request_create(
        mentee_membership=mia, mentor_membership=membership(choosing, mentor, Role.MENTOR)
    )
    with pytest.raises(services.MentorshipConflict, match="Withdraw that request first"):
        services.mentor_request_create(
            mentee_membership=mia,
            mentor_membership=membership(choosing, other_mentor, Role.MENTOR),
        )
    # The database refuses a second waiting request too (two posts at once).
    first = MentorRequest.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        MentorRequest.objects.create(
            program=choosing,
            mentee=mia,
            mentor=membership(choosing, other_mentor, Role.MENTOR),
            expires_at=first.expires_at,
        )


def test_requests_lapse_through_the_beat_task_once(choosing, mentee, mentor):
    mentor_request = services.mentor_request_create(
        mentee_membership=membership(choosing, mentee),
        mentor_membership=membership(choosing, mentor, Role.MENTOR),
    )
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        assert mentor_requests_lapse() == 0
    mentor_request.refresh_from_db()
    assert mentor_request.is_pending
    with time_machine.travel(timezone.now() + timedelta(days=5, minutes=1)):
        assert mentor_requests_lapse() == 1
        assert mentor_requests_lapse() == 0  # idempotent
    mentor_request.refresh_from_db()
    assert mentor_request.status == MentorRequestStatus.LAPSED
    notices = Notification.objects.filter(recipient=mentee, kind=Kind.MENTOR_REQUEST_ANSWERED)
    assert notices.count() == 1
    assert "lapsed" in notices.get().title
    assert notices.get().url == reverse("mentorship:mentor_choose", args=[choosing.uuid])
    with pytest.raises(services.MentorshipConflict, match="lapsed"):
        services.mentor_request_accept(mentor_request=mentor_request, by=mentor)
    # She may ask again.
    services.mentor_request_create(
        mentee_membership=membership(choosing, mentee),
        mentor_membership=membership(choosing, mentor, Role.MENTOR),
    )


def test_an_expired_request_cannot_be_accepted_before_the_sweep(choosing, mentee, mentor):
    mentor_request = services.mentor_request_create(
        mentee_membership=membership(choosing, mentee),
        mentor_membership=membership(choosing, mentor, Role.MENTOR),
    )
    with (
        time_machine.travel(timezone.now() + timedelta(days=6)),
        pytest.raises(services.MentorshipConflict, match="lapsed"),
    ):
        services.mentor_request_accept(mentor_request=mentor_request, by=mentor)
    assert not Pairing.objects.exists()


def test_the_lapse_notice_is_sent_by_email(
    choosing, mentee, mentor, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.mentor_request_create(
        mentee_membership=membership(choosing, mentee),
        mentor_membership=membership(choosing, mentor, Role.MENTOR),
    )
    mail.outbox.clear()
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        with django_capture_on_commit_callbacks(execute=True):
            mentor_requests_lapse()
        with django_capture_on_commit_callbacks(execute=True):
            mentor_requests_lapse()
    lapse = [m for m in mail.outbox if "lapsed" in m.subject]
    assert len(lapse) == 1 and lapse[0].to == [mentee.email]


def test_pairing_by_hand_withdraws_her_request_with_notice(
    client, choosing, mentee, mentor, other_mentor, admin
):
    mentor_request = services.mentor_request_create(
        mentee_membership=membership(choosing, mentee),
        mentor_membership=membership(choosing, mentor, Role.MENTOR),
    )
    client.force_login(admin)
    response = client.post(
        reverse("mentorship:pairing_new", args=[choosing.uuid]),
        {"mentor": str(other_mentor.uuid), "mentee": str(mentee.uuid)},
    )
    assert response.status_code == 302
    mentor_request.refresh_from_db()
    assert mentor_request.status == MentorRequestStatus.WITHDRAWN
    notice = Notification.objects.get(recipient=mentee, kind=Kind.MENTOR_REQUEST_ANSWERED)
    assert "Otto Othermentor" in notice.title and "withdrawn" in notice.title
    assert Notification.objects.filter(
        recipient=mentor, kind=Kind.MENTOR_REQUEST_RECEIVED, title__contains="withdrawn"
    ).exists()
    # Maria's answer now comes too late.
    with pytest.raises(services.MentorshipConflict, match="withdrawn"):
        services.mentor_request_accept(mentor_request=mentor_request, by=mentor)


def test_a_mentee_with_a_mentor_or_a_program_without_choice_cannot_ask(
    client, program, mentee, mentor
):
    mia = membership(program, mentee)
    maria = membership(program, mentor, Role.MENTOR)
    with pytest.raises(services.MentorshipError, match="admins pair"):
        services.mentor_request_create(mentee_membership=mia, mentor_membership=maria)
    client.force_login(mentee)
    html = client.get(reverse("mentorship:mentor_choose", args=[program.uuid])).content.decode()
    assert "the admins pair mentees" in html and "Send my request" not in html
    program.mentees_choose = True
    program.save()
    PairingFactory(program=program, mentor=mentor, mentee=mentee)
    with pytest.raises(services.MentorshipConflict, match="have a mentor"):
        services.mentor_request_create(
            mentee_membership=membership(program, mentee), mentor_membership=maria
        )


def test_a_full_mentor_cannot_accept(choosing, mentee, mentor, other_mentee):
    maria = membership(choosing, mentor, Role.MENTOR)
    mentor_request = services.mentor_request_create(
        mentee_membership=membership(choosing, mentee), mentor_membership=maria
    )
    maria.capacity = 1
    maria.save()
    PairingFactory(program=choosing, mentor=mentor, mentee=other_mentee)
    with pytest.raises(services.MentorshipConflict, match="no free place left"):
        services.mentor_request_accept(mentor_request=mentor_request, by=mentor)
    mentor_request.refresh_from_db()
    assert mentor_request.is_pending


def test_request_pages_are_404_outside_the_request(
    client, choosing, mentee, mentor, other_mentor, other_mentee, admin, other_admin, stranger
):
    mentor_request = services.mentor_request_create(
        mentee_membership=membership(choosing, mentee),
        mentor_membership=membership(choosing, mentor, Role.MENTOR),
    )
    detail = reverse("mentorship:mentor_request_detail", args=[mentor_request.uuid])
    posts = [
        reverse(f"mentorship:mentor_request_{action}", args=[mentor_request.uuid])
        for action in ("accept", "decline", "withdraw")
    ]
    for outsider in (other_mentor, other_mentee, other_admin, stranger):
        client.force_login(outsider)
        assert client.get(detail).status_code == 404, outsider
        for url in posts:
            assert client.post(url).status_code == 404, (outsider, url)
    # The admins see it, but do not answer or withdraw it; neither does the other side.
    client.force_login(admin)
    assert client.get(detail).status_code == 200
    assert all(client.post(url).status_code == 403 for url in posts)
    client.force_login(mentee)
    assert client.post(posts[0]).status_code == 403
    client.force_login(mentor)
    assert client.post(posts[2]).status_code == 403
    # The choice page is the mentee's own.
    choose = reverse("mentorship:mentor_choose", args=[choosing.uuid])
    for other in (mentor, admin, stranger, other_admin):
        client.force_login(other)
        assert client.get(choose).status_code == 404
    # Wrong method.
    client.force_login(mentor)
    assert client.get(posts[0]).status_code == 405
    mentor_request.refresh_from_db()
    assert mentor_request.is_pending


def test_the_admins_see_the_waiting_requests(client, choosing, mentee, mentor, admin):
    services.mentor_request_create(
        mentee_membership=membership(choosing, mentee),
        mentor_membership=membership(choosing, mentor, Role.MENTOR),
    )
    client.force_login(admin)
    url = reverse("mentorship:program_mentor_requests", args=[choosing.uuid])
    html = client.get(url).content.decode()
    assert "1 request waiting for a mentor" in html and "Mia Mentee asked Maria Mentor" in html
    dashboard = client.get(reverse("mentorship:program_dashboard", args=[choosing.uuid]))
    assert url in dashboard.content.decode()


def test_the_checklist_leads_a_choosing_mentee_to_her_mentors(client, choosing, mentee):
    client.force_login(mentee)
    html = client.get(reverse("goals:mentee_dashboard")).content.decode()
    assert reverse("mentorship:mentor_choose", args=[choosing.uuid]) in html
    assert "Choose your mentor" in html


def test_program_settings_take_choice_and_the_answer_time(client, program, admin):
    client.force_login(admin)
    url = reverse("mentorship:program_edit", args=[program.uuid])
    data = {
        "name": program.name,
        "slug": program.slug,
        "join_policy": program.join_policy,
        "checkin_cadence_days": 14,
        "stall_after_days": 30,
        "max_active_goals": 3,
        "starts_on": program.starts_on.isoformat(),
        "is_active": "on",
        "mentees_choose": "on",
        "request_expires_days": 31,
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Give mentors from 1 to 30 days to answer a request." in response.content.decode()
    data["request_expires_days"] = 10
    assert client.post(url, data).status_code == 302
    program.refresh_from_db()
    assert program.mentees_choose and program.request_expires_days == 10


def test_the_api_shows_the_settings(client, program, admin):
    client.force_login(admin)
    url = reverse("api:program-detail", args=[program.uuid])
    body = client.get(url).json()
    assert body["mentees_choose"] is False and body["request_expires_days"] == 7
    # Read-only there: they are changed on the program's settings page.
    response = client.patch(
        url, {"mentees_choose": True, "request_expires_days": 3}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    program.refresh_from_db()
    assert not program.mentees_choose and program.request_expires_days == 7


def test_pairing_from_a_csv_import_withdraws_her_request(
    choosing, mentee, mentor, other_mentor, admin
):
    mentor_request = services.mentor_request_create(
        mentee_membership=membership(choosing, mentee),
        mentor_membership=membership(choosing, mentor, Role.MENTOR),
    )
    services.pairings_import(
        program=choosing,
        text=f"mentor_email,mentee_email\n{other_mentor.email},{mentee.email}\n",
        by=admin,
    )
    mentor_request.refresh_from_db()
    assert mentor_request.status == MentorRequestStatus.WITHDRAWN
    assert Notification.objects.filter(
        recipient=mentee, kind=Kind.MENTOR_REQUEST_ANSWERED, title__contains="withdrawn"
    ).exists()


def test_the_people_a_choice_shows_to_each_other_see_each_others_profiles(
    client, program, mentee, mentor
):
    """A mentee choosing her mentor sees the profiles of her program's mentors, and a mentor
    the profile of the mentee who asked him while the request waits; before the program lets
    mentees choose, neither does (404), and neither does a mentor who was not asked."""
    maria_page = reverse("mentorship:person", args=[mentor.uuid])
    mia_page = reverse("mentorship:person", args=[mentee.uuid])
    other_mentor = UserFactory(name="Otto Other")
    MembershipFactory(program=program, user=other_mentor, role=Role.MENTOR, capacity=2)
    client.force_login(mentee)
    assert client.get(maria_page).status_code == 404
    program.mentees_choose = True
    program.save()
    page = client.get(maria_page)
    assert page.status_code == 200 and "Maria Mentor" in page.content.decode()
    # The choice page shows each suggested mentor's card with a link to the whole profile.
    choose = client.get(reverse("mentorship:mentor_choose", args=[program.uuid])).content
    assert maria_page in choose.decode()

    client.force_login(mentor)
    assert client.get(mia_page).status_code == 404
    client.force_login(mentee)
    ask(client, program, membership(program, mentor, Role.MENTOR))
    client.force_login(mentor)
    page = client.get(mia_page)
    assert page.status_code == 200 and "Mia Mentee" in page.content.decode()
    request_page = client.get(
        reverse("mentorship:mentor_request_detail", args=[MentorRequest.objects.get().uuid])
    )
    assert mia_page in request_page.content.decode()
    client.force_login(other_mentor)
    assert client.get(mia_page).status_code == 404
