"""The cohort pages make a fixed number of queries however large the cohort: pinned at 5 and
at 50 of everything they count."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from mentorship import cohorts
from mentorship.models import (
    Application,
    Invitation,
    Membership,
    Pairing,
    PairingStatus,
    Program,
    Role,
)

pytestmark = pytest.mark.django_db

# The signed-in user's row, the program (with its cohort links), the viewer's facts (roles and
# access; the unread count for the navigation), then the page's own reads: the end page counts
# what ending does in one query; the next-cohort page counts the admins and mentors and reads
# the short names taken.
END_PAGE_QUERIES = 5
NEXT_PAGE_QUERIES = 6
# An ended program's dashboard, with its "Ended on" and cohort links: as before (8).
DASHBOARD_QUERIES = 8


@pytest.fixture(params=[5, 50], ids=["5", "50"])
def grown(request, program, admin):
    size = request.param
    users = User.objects.bulk_create(
        [User(email=f"c-mentor{n}@example.com", name=f"Mentor {n}") for n in range(size)]
        + [User(email=f"c-mentee{n}@example.com", name=f"Mentee {n}") for n in range(size)]
    )
    mentors, mentees = users[:size], users[size:]
    Membership.objects.bulk_create(
        [Membership(program=program, user=u, role=Role.MENTOR) for u in mentors]
        + [Membership(program=program, user=u, role=Role.MENTEE) for u in mentees]
    )
    Pairing.objects.bulk_create(
        [
            Pairing(program=program, mentor=m, mentee=e, status=PairingStatus.ACTIVE)
            for m, e in zip(mentors, mentees, strict=True)
        ]
    )
    expires = timezone.now() + timedelta(days=5)
    Invitation.objects.bulk_create(
        [
            Invitation(
                program=program,
                email=f"inv{n}@example.com",
                role=Role.MENTEE,
                token_hash=f"c{n:04d}".ljust(64, "z"),
                expires_at=expires,
            )
            for n in range(size)
        ]
    )
    outsiders = User.objects.bulk_create(
        [User(email=f"c-applicant{n}@example.com") for n in range(size)]
    )
    Application.objects.bulk_create(
        [Application(program=program, user=u, role=Role.MENTEE) for u in outsiders]
    )
    for n in range(size):
        Program.objects.create(name=f"Taken {n}", slug=f"{program.slug}-x{n}")
    return size


def test_end_page(client, program, admin, grown, django_assert_num_queries):
    client.force_login(admin)
    with django_assert_num_queries(END_PAGE_QUERIES):
        response = client.get(reverse("mentorship:program_end", args=[program.uuid]))
    assert response.context["preview"].open_pairings == grown


def test_next_cohort_page(client, program, admin, grown, django_assert_num_queries):
    client.force_login(admin)
    with django_assert_num_queries(NEXT_PAGE_QUERIES):
        response = client.get(reverse("mentorship:program_next_cohort", args=[program.uuid]))
    assert response.context["preview"].mentors == grown


def test_an_ended_program_dashboard(client, program, admin, grown, django_assert_num_queries):
    cohorts.program_end(program=program, by=admin)
    new = cohorts.program_start_next(
        program=program, by=admin, name="Next", slug="next", starts_on=timezone.localdate()
    )
    client.force_login(admin)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("mentorship:program_dashboard", args=[program.uuid]))
    page = response.content.decode()
    assert "Ended on" in page and "Next cohort:" in page
    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("mentorship:program_dashboard", args=[new.program.uuid]))
    assert "Previous cohort:" in response.content.decode()
