"""The mentee-choice pages make a fixed number of queries however many mentors, requests and
goals the program has: pinned at two sizes.

Each count: the signed-in user's row, the viewer's facts (mentorship, and the notifications'
unread count for the navigation), then the page's own reads:
- choosing: her membership with the program; her requests; her goals' categories and the
  mentors with their load (the suggestions);
- a request: the request with its program and people; the mentee's goals by category; the
  mentor's open pairings;
- the admins' list: the program; the waiting requests; the latest outcomes.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from mentorship.models import Membership, MentorRequest, MentorRequestStatus, Role
from tests.factories import GoalFactory

pytestmark = pytest.mark.django_db

CHOOSE_QUERIES = 7
REQUEST_QUERIES = 6
ADMIN_LIST_QUERIES = 6


@pytest.fixture(params=[5, 50], ids=["5-each", "50-each"])
def grown(request, program, mentee, mentor):
    """`size` more mentors and mentees; each new mentee has asked a mentor (half waiting,
    half answered); Mia has `size` goals and `size` answered requests of her own."""
    size = request.param
    program.mentees_choose = True
    program.save()
    mentors = User.objects.bulk_create(
        [User(email=f"m{n}@example.com", name=f"Mentor {n}") for n in range(size)]
    )
    mentees = User.objects.bulk_create(
        [User(email=f"e{n}@example.com", name=f"Mentee {n}") for n in range(size)]
    )
    Membership.objects.bulk_create(
        [
            Membership(program=program, user=u, role=Role.MENTOR, skills="python, sql")
            for u in mentors
        ]
        + [Membership(program=program, user=u, role=Role.MENTEE) for u in mentees]
    )
    mentor_rows = list(Membership.objects.filter(program=program, role=Role.MENTOR))
    mentee_rows = list(
        Membership.objects.filter(program=program, role=Role.MENTEE).exclude(user=mentee)
    )
    mia = Membership.objects.get(program=program, user=mentee, role=Role.MENTEE)
    later = timezone.now() + timedelta(days=7)
    MentorRequest.objects.bulk_create(
        [
            MentorRequest(
                program=program,
                mentee=row,
                mentor=mentor_rows[n % len(mentor_rows)],
                expires_at=later,
                status=MentorRequestStatus.PENDING if n % 2 else MentorRequestStatus.DECLINED,
                decided_at=None if n % 2 else timezone.now(),
            )
            for n, row in enumerate(mentee_rows)
        ]
        + [
            MentorRequest(
                program=program,
                mentee=mia,
                mentor=mentor_rows[n % len(mentor_rows)],
                expires_at=later,
                status=MentorRequestStatus.LAPSED,
                decided_at=timezone.now(),
            )
            for n in range(size)
        ]
    )
    for n in range(min(size, 20)):
        GoalFactory(mentee=mentee, program=program, category=["communication", "career"][n % 2])
    return size


def test_the_choice_page(client, program, mentee, grown, django_assert_num_queries):
    client.force_login(mentee)
    url = reverse("mentorship:mentor_choose", args=[program.uuid])
    with django_assert_num_queries(CHOOSE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["choices"]) == 5


@pytest.mark.parametrize("viewer", ["mentor", "mentee", "admin"])
def test_a_request_page(
    client, request, program, mentee, mentor, grown, viewer, django_assert_num_queries
):
    mentor_request = MentorRequest.objects.create(
        program=program,
        mentee=Membership.objects.get(program=program, user=mentee, role=Role.MENTEE),
        mentor=Membership.objects.get(program=program, user=mentor, role=Role.MENTOR),
        expires_at=timezone.now() + timedelta(days=7),
        message="Could you help me prepare my first talk?",
    )
    client.force_login(request.getfixturevalue(viewer))
    url = reverse("mentorship:mentor_request_detail", args=[mentor_request.uuid])
    with django_assert_num_queries(REQUEST_QUERIES):
        response = client.get(url)
    assert response.status_code == 200


def test_the_admins_list(client, program, admin, grown, django_assert_num_queries):
    client.force_login(admin)
    url = reverse("mentorship:program_mentor_requests", args=[program.uuid])
    with django_assert_num_queries(ADMIN_LIST_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["pending"]) == grown // 2
