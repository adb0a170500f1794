"""Demo data for trying the site: one program with an admin, two mentors and four mentees,
open to applications with one waiting for the admin's approval, one person imported from a CSV
file who has not joined yet, and mentees who choose their mentor (Ben has yet to choose).

Every step looks its rows up before creating them, so running it again creates nothing new.
Later parts of the product (pairings, goals, check-ins) add their own demo data here.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from accounts.models import Profile, User
from goals import demo as goals_demo

from . import services
from .models import (
    Application,
    ApplicationStatus,
    Invitation,
    JoinPolicy,
    Membership,
    Pairing,
    PairingStatus,
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


# Every demo person's profile, by e-mail. Languages and preferred meeting times are chosen
# so that matching Ben (unpaired, Sydney) has something to say: both mentors speak English
# with him, and each one's preferred hours overlap his mornings (Ana's New York evenings,
# Kenji's Tokyo mornings), all year round.
DEMO_PROFILES = {
    "admin@example.com": {
        "headline": "Runs the Northwind Mentoring Circle",
        "bio": "People partner for engineering. Ask me anything about the program.",
        "languages": ["en", "ta"],
        "pronouns": "she/her",
    },
    "mentor.ana@example.com": {
        "headline": "Engineering manager, 12 years, two teams",
        "bio": "I moved from backend work into management and like helping others find "
        "their voice in meetings and reviews.",
        "offers": "leadership, public speaking, career development, communication, giving feedback",
        "wants": "coaching",
        "languages": ["en", "es"],
        "hours_per_month": 4,
        "meeting_times": ["evening"],
        "link": "https://www.linkedin.com/in/ana-okafor-demo",
        "pronouns": "she/her",
    },
    "mentor.kenji@example.com": {
        "headline": "Staff engineer, distributed systems",
        "bio": "Python since 2008; I enjoy whiteboard sessions on system design.",
        "offers": "python, system design, code review, emotional intelligence",
        "wants": "public speaking",
        "languages": ["ja", "en"],
        "hours_per_month": 3,
        "meeting_times": ["morning"],
        "pronouns": "he/him",
    },
    "mentee.lena@example.com": {
        "headline": "Product analyst presenting to leadership for the first time",
        "offers": "sql, data visualisation",
        "wants": "public speaking, leadership",
        "languages": ["de", "en"],
        "hours_per_month": 3,
        "meeting_times": ["afternoon", "evening"],
        "pronouns": "she/her",
    },
    "mentee.omar@example.com": {
        "headline": "Backend developer growing into design work",
        "offers": "django, testing",
        "wants": "system design, python",
        "languages": ["ar", "en", "hi"],
        "hours_per_month": 4,
        "meeting_times": ["evening"],
        "pronouns": "he/him",
    },
    "mentee.sofia@example.com": {
        "headline": "Moving from teaching into software",
        "offers": "teaching, facilitation",
        "wants": "career transition, networking",
        "languages": ["es", "en"],
        "hours_per_month": 2,
        "meeting_times": ["evening"],
        "pronouns": "she/her",
    },
    "mentee.ben@example.com": {
        "headline": "New team lead, learning to give feedback",
        "bio": "I lead four developers since March and want to get better at hard conversations.",
        "offers": "mobile development",
        "wants": "communication, emotional intelligence, giving feedback",
        "languages": ["en"],
        "hours_per_month": 4,
        "meeting_times": ["morning"],
        "pronouns": "he/him",
    },
    "applicant.maya@example.com": {
        "headline": "Data analyst about to lead a small team",
        "offers": "data analysis, sql",
        "wants": "leadership, public speaking",
        "languages": ["zh", "en", "es"],
        "meeting_times": ["afternoon"],
    },
}


def _seed_profiles() -> None:
    """A profile for every demo person, written once: a profile changed since is kept."""
    for user in User.objects.filter(email__in=DEMO_PROFILES):
        Profile.objects.get_or_create(user=user, defaults=DEMO_PROFILES[user.email])


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
            # Mentees choose: Ben, unpaired, picks one of his suggested mentors.
            "mentees_choose": True,
        },
    )
    _seed_mentee_choice(program)
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
    _seed_profiles()
    _seed_pairings(program)
    _seed_meetings(program)
    _seed_conversations(program)
    _seed_surveys(program)
    _seed_attention(program)
    goals_demo.seed(program)
    _seed_previous_cohort(program)
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


def _seed_mentee_choice(program: Program) -> None:
    """The demo program lets mentees choose (also one seeded before it could): Ben, the one
    unpaired mentee, signs in to find his best-matched mentors and asks one."""
    if not program.mentees_choose:
        program.mentees_choose = True
        program.save(update_fields=["mentees_choose"])


def _seed_meetings(program: Program) -> None:
    """Ana and Lena: last week's meeting, logged, with its notes and two action items (one
    done, one open), and their next meeting, confirmed for three days from now at 17:00 in
    Lena's time, with an agenda. Ana and Omar: a meeting Omar proposed, waiting for Ana to
    pick a time. Written directly: seeding sends no invitation."""
    from zoneinfo import ZoneInfo

    from notifications.email import mail_domain

    from .models import ActionItem, AgendaItem, CheckIn, Meeting, MeetingStatus

    ana = User.objects.get(email="mentor.ana@example.com")
    lena = User.objects.get(email="mentee.lena@example.com")
    omar = User.objects.get(email="mentee.omar@example.com")
    now = timezone.now().replace(second=0, microsecond=0)
    today = date.today()

    def new_meeting(pairing, **fields) -> Meeting:
        meeting = Meeting(pairing=pairing, duration=45, **fields)
        meeting.uid = f"meeting-{meeting.uuid}@{mail_domain()}"
        meeting.save()
        return meeting

    lena_pairing = Pairing.objects.filter(program=program, mentor=ana, mentee=lena).first()
    if lena_pairing is not None and not lena_pairing.meetings.exists():
        checkin = CheckIn.objects.filter(pairing=lena_pairing).order_by("-occurred_on").first()
        if checkin is not None:
            checkin.summary = (
                "- Outline of the team talk\n- How the first rehearsal went\n"
                "Lena has a clear outline; the middle part runs long."
            )
            checkin.next_steps = ""
            checkin.save(update_fields=["summary", "next_steps"])
            past = new_meeting(
                lena_pairing,
                proposed_by=ana,
                status=MeetingStatus.DONE,
                starts_at=datetime.combine(checkin.occurred_on, time(16, 0), tzinfo=UTC),
                location="https://meet.example.org/ana-lena",
                checkin=checkin,
            )
            ActionItem.objects.create(
                pairing=lena_pairing,
                meeting=past,
                owner=lena,
                title="Cut the middle part of the talk to five minutes",
                due_on=today + timedelta(days=2),
                created_by=ana,
            )
            ActionItem.objects.create(
                pairing=lena_pairing,
                meeting=past,
                owner=ana,
                title="Send Lena two recordings of good internal talks",
                due_on=today - timedelta(days=3),
                done_at=now - timedelta(days=4),
                created_by=ana,
            )
        day = today + timedelta(days=3)
        start = datetime.combine(day, time(17, 0), tzinfo=ZoneInfo(lena.timezone))
        upcoming = new_meeting(
            lena_pairing,
            proposed_by=lena,
            status=MeetingStatus.CONFIRMED,
            starts_at=start.astimezone(UTC),
            candidate_times=[start.astimezone(UTC).isoformat()],
            location="https://meet.example.org/ana-lena",
        )
        for author, text in (
            (lena, "Second rehearsal: what changed"),
            (ana, "Questions the leadership team is likely to ask"),
        ):
            AgendaItem.objects.create(meeting=upcoming, author=author, text=text)
    omar_pairing = Pairing.objects.filter(program=program, mentor=ana, mentee=omar).first()
    if omar_pairing is not None and not omar_pairing.meetings.exists():
        first = datetime.combine(
            today + timedelta(days=5), time(18, 30), tzinfo=ZoneInfo(omar.timezone)
        )
        new_meeting(
            omar_pairing,
            proposed_by=omar,
            status=MeetingStatus.PROPOSED,
            candidate_times=[
                first.astimezone(UTC).isoformat(),
                (first + timedelta(days=1)).astimezone(UTC).isoformat(),
            ],
            location="https://meet.example.org/ana-omar",
        )


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


def _seed_conversations(program: Program) -> None:
    """Each demo pair that has not talked yet (also in a demo seeded before pairs could)."""
    pairings = Pairing.objects.filter(
        program=program,
        mentor__email__in=[mentor for mentor, _, _ in DEMO_PAIRINGS],
        mentee__email__in=[mentee for _, mentee, _ in DEMO_PAIRINGS],
        status=PairingStatus.ACTIVE,
        messages__isnull=True,
    ).select_related("mentor", "mentee")
    for pairing in pairings:
        _seed_conversation(pairing)


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
        MessageRead.objects.update_or_create(
            pairing=pairing,
            user=user,
            defaults={
                "last_read_message_id": last_read[side].pk,
                "read_at": last_read[side].created_at,
            },
        )


# --- The cohort before the demo program ---------------------------------------------------

# The spring cohort that ended the day before the demo program started: Ana and Kenji
# mentored in it too, with mentees of their own who did not come back. Its pairings ran and
# ended (two within three months, with the reason), and its goals were set and some completed
# in it, so that a report comparing cohorts has figures for both.
PREVIOUS_COHORT = {
    "slug": "demo-2026-spring",
    "name": "Northwind Mentoring Circle, spring 2026",
    "description": DEMO_PROGRAM["description"],
}
PREVIOUS_MENTEES = [
    ("mentee.grace@example.com", "Grace Kim", "Europe/Dublin"),
    ("mentee.yusuf@example.com", "Yusuf Demir", "Europe/Istanbul"),
    ("mentee.hana@example.com", "Hana Novák", "Europe/Prague"),
    ("mentee.tomas@example.com", "Tomás Silva", "America/Sao_Paulo"),
]
# mentor, mentee, days after the cohort's start it began and ended, final status, reason,
# and the pair's goal: title, category, done (completed before the end) or not.
PREVIOUS_PAIRINGS = [
    (
        "mentor.ana@example.com",
        "mentee.grace@example.com",
        9,
        None,
        "ended",
        "The cohort ended",
        ("Run the weekly team demo without notes", "communication", True),
    ),
    (
        "mentor.kenji@example.com",
        "mentee.yusuf@example.com",
        11,
        80,
        "ended",
        "Mentee changed teams and had no time left for the program",
        ("Design and ship the caching layer of the reports service", "skill_building", False),
    ),
    (
        "mentor.ana@example.com",
        "mentee.hana@example.com",
        14,
        172,
        "completed",
        "",
        ("Be ready for a promotion to senior analyst", "career_development", True),
    ),
    (
        "mentor.kenji@example.com",
        "mentee.tomas@example.com",
        31,
        101,
        "ended",
        "Our schedules never matched across time zones",
        ("Give a lightning talk at the Python meetup", "networking", False),
    ),
]


def _seed_previous_cohort(program: Program) -> Program:
    """The demo program's previous cohort, ended, linked as the one before it."""
    from goals.models import Goal, GoalStatus, Visibility

    from .models import Agreement, CheckIn, PairingEvent, PairingStatus

    admin = User.objects.get(email=DEMO_PEOPLE[0].email)
    ends = program.starts_on - timedelta(days=1)
    starts = ends - timedelta(days=183)
    ended_at = datetime.combine(ends, time(17), tzinfo=UTC)
    spring, created = Program.objects.get_or_create(
        slug=PREVIOUS_COHORT["slug"],
        defaults={
            "name": PREVIOUS_COHORT["name"],
            "description": PREVIOUS_COHORT["description"],
            "starts_on": starts,
            "ends_on": ends,
            "ended_at": ended_at,
            "ended_by": admin,
            "join_policy": JoinPolicy.INVITE_ONLY,
            "agreement_meeting_frequency": "Every two weeks, 45 minutes by video call",
            "agreement_expectations": "The mentee brings one question or a draft; the mentor "
            "answers messages within two working days.",
            "agreement_boundaries": "No meetings outside working hours; what we discuss stays "
            "between us.",
        },
    )
    if program.previous_cohort_id is None and not (
        Program.objects.filter(previous_cohort=spring).exclude(pk=program.pk).exists()
    ):
        program.previous_cohort = spring
        program.save(update_fields=["previous_cohort"])
    Membership.objects.get_or_create(program=spring, user=admin, role=Role.ADMIN)
    for email in ("mentor.ana@example.com", "mentor.kenji@example.com"):
        source = Membership.objects.get(program=program, user__email=email, role=Role.MENTOR)
        Membership.objects.get_or_create(
            program=spring,
            user=source.user,
            role=Role.MENTOR,
            defaults={
                "capacity": source.capacity,
                "skills": source.skills,
                "interests": source.interests,
                "capacity_set_at": ended_at - timedelta(days=183),
            },
        )
    for email, name, zone in PREVIOUS_MENTEES:
        user = User.objects.filter(email=email).first()
        if user is None:
            # Former mentees who have not come back: no demo login.
            user = User.objects.create_user(email=email, password=None, name=name, timezone=zone)
            EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
        Membership.objects.get_or_create(program=spring, user=user, role=Role.MENTEE)
    for mentor_email, mentee_email, began, ended, status, reason, goal in PREVIOUS_PAIRINGS:
        mentor = User.objects.get(email=mentor_email)
        mentee = User.objects.get(email=mentee_email)
        if Pairing.objects.filter(program=spring, mentor=mentor, mentee=mentee).exists():
            continue
        started_on = starts + timedelta(days=began)
        ended_on = ends if ended is None else starts + timedelta(days=ended)
        pairing = Pairing.objects.create(
            program=spring,
            mentor=mentor,
            mentee=mentee,
            status=PairingStatus.COMPLETED if status == "completed" else PairingStatus.ENDED,
            started_on=started_on,
            ended_on=ended_on,
            end_reason=reason,
            last_checkin_on=ended_on - timedelta(days=7),
        )
        accepted = datetime.combine(started_on, time(10), tzinfo=UTC)
        Agreement.objects.create(
            pairing=pairing,
            meeting_frequency=spring.agreement_meeting_frequency,
            expectations=spring.agreement_expectations,
            boundaries=spring.agreement_boundaries,
            mentor_accepted_at=accepted,
            mentee_accepted_at=accepted,
            updated_by=mentor,
        )
        PairingEvent.objects.create(pairing=pairing, actor=admin, action="created")
        PairingEvent.objects.create(pairing=pairing, actor=mentee, action="activated")
        PairingEvent.objects.create(
            pairing=pairing,
            actor=admin if status == "ended" else mentor,
            action=status,
            detail=reason,
        )
        day = started_on + timedelta(days=7)
        while day < ended_on:
            CheckIn.objects.create(
                pairing=pairing,
                occurred_on=day,
                summary="Went through the goal's next step and what got in the way.",
                logged_by=mentor,
            )
            day += timedelta(days=21)
        title, category, done = goal
        goal_start = started_on + timedelta(days=3)
        Goal.objects.get_or_create(
            mentee=mentee,
            title=title,
            defaults={
                "program": spring,
                "pairing": pairing,
                "category": category,
                "specific": title,
                "metric_name": "Steps done",
                "unit": "steps",
                "baseline_value": 0,
                "target_value": 5,
                "current_value": 5 if done else 2,
                "starts_on": goal_start,
                "target_date": goal_start + timedelta(days=120),
                "status": GoalStatus.COMPLETED if done else GoalStatus.ABANDONED,
                "visibility": Visibility.PROGRAM,
                "completed_at": (
                    datetime.combine(ended_on - timedelta(days=10), time(16), tzinfo=UTC)
                    if done
                    else None
                ),
                "created_at": datetime.combine(goal_start, time(9), tzinfo=UTC),
            },
        )
    return spring


# An earlier round of the program: two pairings that have ended (mentor, mentee, days ago
# started, days ago ended), each answered by both sides in the close-out survey.
DEMO_PAST_PAIRINGS = [
    ("mentor.kenji@example.com", "mentee.omar@example.com", 130, 75),
    ("mentor.ana@example.com", "mentee.sofia@example.com", 120, 70),
]
# Pulse 1 of the active pairings (they started 42 days ago): (pairing's mentee, author,
# match, progress, comment, shared). Omar has yet to answer his, so his dashboard asks.
DEMO_PULSE_ANSWERS = [
    ("mentee.lena@example.com", "mentee.lena@example.com", 5, 4, "Ana's questions help.", True),
    ("mentee.lena@example.com", "mentor.ana@example.com", 4, 4, "", False),
    ("mentee.omar@example.com", "mentor.ana@example.com", 3, 3, "Slow start.", False),
    ("mentee.sofia@example.com", "mentee.sofia@example.com", 3, 2, "We rarely meet.", False),
    ("mentee.sofia@example.com", "mentor.kenji@example.com", 3, 3, "", False),
]
# Close-out answers of the past pairings: (mentee, author, match, progress, goals, recommend).
DEMO_CLOSE_OUT_ANSWERS = [
    ("mentee.omar@example.com", "mentee.omar@example.com", 5, 5, "yes", 10),
    ("mentee.omar@example.com", "mentor.kenji@example.com", 4, 4, "yes", 9),
    ("mentee.sofia@example.com", "mentee.sofia@example.com", 3, 3, "partly", 7),
    ("mentee.sofia@example.com", "mentor.ana@example.com", 4, 3, "partly", 6),
]


def _seed_surveys(program: Program) -> None:
    """Survey answers enough for the program dashboard to show real figures (three or more
    of each kind): pulse answers on the active pairings, one of them shared with the other
    side, and close-outs of two pairings of an earlier round. Written directly (seeding sends
    nothing); an answer or a past pairing already there is left alone."""
    from .models import PairingEvent, SurveyKind, SurveyResponse

    today = date.today()
    people = {u.email: u for u in User.objects.filter(email__endswith="@example.com")}
    past = {}
    for mentor_email, mentee_email, started, ended in DEMO_PAST_PAIRINGS:
        mentor, mentee = people[mentor_email], people[mentee_email]
        pairing, created = Pairing.objects.get_or_create(
            program=program,
            mentor=mentor,
            mentee=mentee,
            status=PairingStatus.COMPLETED,
            defaults={
                "started_on": today - timedelta(days=started),
                "ended_on": today - timedelta(days=ended),
            },
        )
        if created:
            PairingEvent.objects.create(pairing=pairing, actor=mentee, action="activated")
            PairingEvent.objects.create(pairing=pairing, actor=mentor, action="completed")
        past[mentee_email] = pairing
    active = {
        p.mentee.email: p
        for p in Pairing.objects.filter(
            program=program,
            status=PairingStatus.ACTIVE,
            mentee__email__in=past.keys() | {mentee for _, mentee, _ in DEMO_PAIRINGS},
        ).select_related("mentee")
    }
    answered_at = timezone.now() - timedelta(days=10)
    for mentee_email, author, match, progress, comment, shared in DEMO_PULSE_ANSWERS:
        if mentee_email not in active:
            continue
        SurveyResponse.objects.get_or_create(
            pairing=active[mentee_email],
            author=people[author],
            kind=SurveyKind.PULSE,
            round=1,
            defaults={
                "match_score": match,
                "progress_score": progress,
                "comment": comment,
                "shared": shared,
                "created_at": answered_at,
                "updated_at": answered_at,
            },
        )
    for mentee_email, author, match, progress, goals, recommend in DEMO_CLOSE_OUT_ANSWERS:
        pairing = past[mentee_email]
        moment = timezone.make_aware(
            datetime.combine(pairing.ended_on + timedelta(days=1), time(10))
        )
        SurveyResponse.objects.get_or_create(
            pairing=pairing,
            author=people[author],
            kind=SurveyKind.CLOSE_OUT,
            round=0,
            defaults={
                "match_score": match,
                "progress_score": progress,
                "goals_met": goals,
                "recommend": recommend,
                "created_at": moment,
                "updated_at": moment,
            },
        )


def _seed_attention(program: Program) -> None:
    """Leave the needs-attention list something to show (mentorship.occasions): Ben has
    waited for a mentor for ten days, and Omar and Sofia have not met for longer than the
    check-in cadence (from _seed_pairings). Written directly, so seeding sends nobody
    anything; run again, it changes nothing."""
    ten_days_ago = timezone.now() - timedelta(days=10)
    Membership.objects.filter(
        program=program, role=Role.MENTEE, user__email="mentee.ben@example.com"
    ).filter(joined_at__gt=ten_days_ago).update(joined_at=ten_days_ago)
