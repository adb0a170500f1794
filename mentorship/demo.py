"""Demo data for trying the site: one program with an admin, two mentors and four mentees,
open to applications with one waiting for the admin's approval, and one person imported from a
CSV file who has not joined yet.

Every step looks its rows up before creating them, so running it again creates nothing new.
Later parts of the product (pairings, goals, check-ins) add their own demo data here.
"""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from goals import demo as goals_demo

from . import services
from .models import (
    Application,
    ApplicationStatus,
    Invitation,
    JoinPolicy,
    Membership,
    Pairing,
    Program,
    Role,
)


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    role: str
    timezone: str
    skills: str = ""
    interests: str = ""
    capacity: int = 3


DEMO_PROGRAM = {
    "slug": "demo-2026",
    "name": "Northwind Mentoring Circle 2026",
    "description": (
        "A six-month program pairing experienced engineers and managers with early-career "
        "colleagues. Pairs meet every two weeks."
    ),
}

DEMO_PEOPLE = [
    DemoPerson("admin@example.com", "Priya Raman", Role.ADMIN, "Europe/London"),
    DemoPerson(
        "mentor.ana@example.com",
        "Ana Okafor",
        Role.MENTOR,
        "America/New_York",
        skills="leadership, public speaking, career development",
        interests="communication",
        capacity=3,
    ),
    DemoPerson(
        "mentor.kenji@example.com",
        "Kenji Watanabe",
        Role.MENTOR,
        "Asia/Tokyo",
        skills="python, system design, skill building",
        interests="networking",
        capacity=2,
    ),
    DemoPerson(
        "mentee.lena@example.com",
        "Lena Fischer",
        Role.MENTEE,
        "Europe/Berlin",
        interests="public speaking, leadership",
    ),
    DemoPerson(
        "mentee.omar@example.com",
        "Omar Haddad",
        Role.MENTEE,
        "Asia/Kolkata",
        interests="system design, python",
    ),
    DemoPerson(
        "mentee.sofia@example.com",
        "Sofía Ramírez",
        Role.MENTEE,
        "America/Mexico_City",
        interests="career transition, networking",
    ),
    DemoPerson(
        "mentee.ben@example.com",
        "Ben Carter",
        Role.MENTEE,
        "Australia/Sydney",
        interests="communication, emotional intelligence",
    ),
]


@transaction.atomic
def seed(*, password: str) -> list[tuple[str, str, str]]:
    """Create the demo program and people; return (email, password, role) per login."""
    program, _ = Program.objects.get_or_create(
        slug=DEMO_PROGRAM["slug"],
        defaults={
            "name": DEMO_PROGRAM["name"],
            "description": DEMO_PROGRAM["description"],
            "starts_on": date(2026, 9, 1),
            "ends_on": date(2027, 2, 28),
            # Open with approval: the applicant below waits in the admin's queue.
            "join_policy": JoinPolicy.APPROVAL,
        },
    )
    logins = []
    for person in DEMO_PEOPLE:
        user = User.objects.filter(email=person.email).first()
        if user is None:
            user = User.objects.create_user(
                email=person.email,
                password=password,
                name=person.name,
                timezone=person.timezone,
            )
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(
            user=user, email=person.email, defaults={"verified": True, "primary": True}
        )
        Membership.objects.get_or_create(
            program=program,
            user=user,
            role=person.role,
            defaults={
                "skills": person.skills,
                "interests": person.interests,
                "capacity": person.capacity,
                # The demo mentors have chosen their capacity (their first-steps checklist).
                "capacity_set_at": timezone.now() if person.role == Role.MENTOR else None,
            },
        )
        logins.append((person.email, password, str(person.role)))
    logins.append(_seed_applicant(program, password=password))
    _seed_imported(program)
    _seed_pairings(program)
    goals_demo.seed(program)
    return logins


# Someone who signed up on her own and applied to the demo program: she waits for approval.
DEMO_APPLICANT = DemoPerson(
    "applicant.maya@example.com",
    "Maya Chen",
    "applicant",
    "Europe/Madrid",
    skills="data analysis, sql",
    interests="leadership, public speaking",
)
DEMO_APPLICATION_MESSAGE = (
    "I lead my first small team next spring and want to get better at running meetings and "
    "presenting our results to the rest of the company."
)


def _seed_applicant(program: Program, *, password: str) -> tuple[str, str, str]:
    """The applicant's account (no membership) and her application waiting for approval;
    written directly, so that seeding tells no admin. Her login is printed with the others."""
    person = DEMO_APPLICANT
    user = User.objects.filter(email=person.email).first()
    if user is None:
        user = User.objects.create_user(
            email=person.email, password=password, name=person.name, timezone=person.timezone
        )
    else:
        user.set_password(password)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(
        user=user, email=person.email, defaults={"verified": True, "primary": True}
    )
    if not Application.objects.filter(program=program, user=user).exists():
        # A demo program seeded before programs took applications is opened to them too.
        if program.join_policy == JoinPolicy.INVITE_ONLY:
            program.join_policy = JoinPolicy.APPROVAL
            program.save(update_fields=["join_policy"])
        Application.objects.create(
            program=program,
            user=user,
            role=Role.MENTEE,
            status=ApplicationStatus.PENDING,
            message=DEMO_APPLICATION_MESSAGE,
            skills=person.skills,
            interests=person.interests,
            created_at=timezone.now() - timedelta(days=2),
        )
    return person.email, password, person.role


# Imported from a CSV file three days ago; she has not followed her welcome e-mail's link yet, so
# the admin sees her among the people who have not joined (and can send the e-mail again).
DEMO_IMPORTED = DemoPerson(
    "tomasa.reyes@example.com",
    "Tomasa Reyes",
    Role.MENTEE,
    "America/Mexico_City",
    interests="career growth, negotiation",
)


def _seed_imported(program: Program) -> None:
    """Her invitation, written directly so that seeding sends no e-mail. Nobody holds its link
    (only a hash of a random secret is stored): resending it is how the admin gives her one."""
    person = DEMO_IMPORTED
    if Invitation.objects.filter(program=program, email=person.email).exists():
        return
    admin = Membership.objects.filter(program=program, role=Role.ADMIN).first()
    sent = timezone.now() - timedelta(days=3)
    Invitation.objects.create(
        program=program,
        email=person.email,
        name=person.name,
        role=person.role,
        token_hash=services.invitation_token_hash(secrets.token_urlsafe(32)),
        invited_by=admin.user if admin else None,
        created_at=sent,
        last_sent_at=sent,
        expires_at=sent + timedelta(days=services.INVITATION_VALID_DAYS),
        interests=person.interests,
    )


# (mentor, mentee, days ago of each check-in). Ben stays unpaired so matching has someone to
# suggest mentors for; Kenji and Sofía last met long ago, so the dashboard shows a stall.
DEMO_PAIRINGS = [
    ("mentor.ana@example.com", "mentee.lena@example.com", [35, 21, 7]),
    ("mentor.ana@example.com", "mentee.omar@example.com", [20]),
    ("mentor.kenji@example.com", "mentee.sofia@example.com", [40]),
]


def _seed_pairings(program: Program) -> None:
    """Active pairings with accepted agreements, a few check-ins and their history. Written
    directly rather than through the services so that seeding sends nobody an e-mail; a pair
    that already has a pairing is left alone."""
    from .models import Agreement, CheckIn, PairingEvent, PairingStatus

    admin = User.objects.get(email=DEMO_PEOPLE[0].email)
    today = date.today()
    started = today - timedelta(days=42)
    accepted_at = timezone.now() - timedelta(days=41)
    for mentor_email, mentee_email, checkin_days_ago in DEMO_PAIRINGS:
        mentor = User.objects.get(email=mentor_email)
        mentee = User.objects.get(email=mentee_email)
        if Pairing.objects.filter(program=program, mentor=mentor, mentee=mentee).exists():
            continue
        last = today - timedelta(days=min(checkin_days_ago))
        pairing = Pairing.objects.create(
            program=program,
            mentor=mentor,
            mentee=mentee,
            status=PairingStatus.ACTIVE,
            started_on=started,
            last_checkin_on=last,
            next_checkin_due=last + timedelta(days=program.checkin_cadence_days),
        )
        Agreement.objects.create(
            pairing=pairing,
            meeting_frequency="Every two weeks, 45 minutes by video call",
            expectations="The mentee brings one question or a draft; the mentor answers "
            "messages within two working days.",
            boundaries="No meetings outside working hours; what we discuss stays between us.",
            mentor_accepted_at=accepted_at,
            mentee_accepted_at=accepted_at,
            updated_by=mentor,
        )
        PairingEvent.objects.create(pairing=pairing, actor=admin, action="created")
        PairingEvent.objects.create(pairing=pairing, actor=mentee, action="activated")
        for days_ago in sorted(checkin_days_ago, reverse=True):
            CheckIn.objects.create(
                pairing=pairing,
                occurred_on=today - timedelta(days=days_ago),
                summary="Talked through progress on the current goal and what got in the way.",
                next_steps="Try the next step before we meet again.",
                logged_by=mentor,
            )
        _seed_conversation(pairing)


DEMO_CONVERSATION = (
    # (who writes: "mentor" or "mentee", hours ago, text)
    (
        "mentee",
        50,
        "Thanks for today. I drafted the outline we talked about; shall I send it before Thursday?",
    ),
    ("mentor", 47, "Yes please, by Wednesday evening if you can. Keep it to one page."),
    ("mentee", 26, "Sent! The second section still feels weak to me."),
    (
        "mentor",
        3,
        "Read it: the structure works. Let's spend Thursday on the second section, "
        "bring two examples from your own projects.",
    ),
)


def _seed_conversation(pairing: Pairing) -> None:
    """A few messages between the pair; the mentor's last one is still unread by the mentee
    (her read mark stops at her own last message). Written directly: nobody is e-mailed."""
    from .models import Message, MessageRead

    now = timezone.now()
    last_read = {}
    for side, hours_ago, body in DEMO_CONVERSATION:
        author = pairing.mentor if side == "mentor" else pairing.mentee
        message = Message.objects.create(
            pairing=pairing, author=author, body=body, created_at=now - timedelta(hours=hours_ago)
        )
        last_read[side] = message
    # Each has read up to their own last message; the mentor's newest waits for the mentee.
    for side, user in (("mentor", pairing.mentor), ("mentee", pairing.mentee)):
        MessageRead.objects.create(
            pairing=pairing,
            user=user,
            last_read_message_id=last_read[side].pk,
            read_at=last_read[side].created_at,
        )
