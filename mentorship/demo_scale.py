"""Realistic data in bulk, for benchmarks and for seeing the pages with a full program.

At scale 1: 1,000 mentees, 200 mentors, 5,000 goals, 20,000 milestones, 50,000 progress
updates and 10,000 check-ins, spread over 10 programs; scale N is N times that.

1. People are inserted with one precomputed password hash (hashing 1,200 passwords one by one
   would take minutes and measures nothing).
2. Every table is filled with bulk_create in large batches, children after parents, reading
   back only the ids needed to link them.
3. The whole run is one transaction: a failed run leaves nothing half made.
"""

import random
import time
from datetime import timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from goals.models import Category, Comment, Goal, GoalStatus, Milestone, ProgressUpdate, Visibility

from .models import Agreement, CheckIn, Membership, Pairing, PairingStatus, Program, Role

BATCH = 5000
MENTEES_PER_PROGRAM = 100
MENTORS_PER_PROGRAM = 20
GOALS_PER_MENTEE = 5
MILESTONES_PER_GOAL = 4
UPDATES_PER_GOAL = 10
CHECKINS_PER_PAIRING = 10
BUSY_MENTOR_LOAD = 10

TIMEZONES = [
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "Africa/Lagos",
]
SKILLS = [
    "leadership",
    "public speaking",
    "python",
    "system design",
    "negotiation",
    "career development",
    "networking",
    "product management",
    "data analysis",
    "communication",
    "emotional intelligence",
    "hiring",
]
GOAL_TITLES = [
    (
        "Deliver a 15-minute roadmap presentation to stakeholders",
        Category.COMMUNICATION,
        "Practice runs",
        "runs",
        0,
        8,
    ),
    (
        "Reduce code review turnaround from 48 to 12 hours",
        Category.SKILL_BUILDING,
        "Median review time",
        "hours",
        48,
        12,
    ),
    (
        "Lead the quarterly planning for my team",
        Category.LEADERSHIP,
        "Planning sessions led",
        "sessions",
        0,
        3,
    ),
    ("Meet 12 people outside my department", Category.NETWORKING, "Conversations", "people", 0, 12),
    (
        "Complete the data engineering certificate",
        Category.CAREER_TRANSITION,
        "Modules finished",
        "modules",
        0,
        10,
    ),
    (
        "Give written feedback to each report every month",
        Category.EMOTIONAL_INTELLIGENCE,
        "Feedback notes",
        "notes",
        0,
        24,
    ),
]


def scale_program_slug(scale: int, index: int) -> str:
    return f"scale{scale}-program-{index}"


@transaction.atomic
def seed_scale(*, scale: int, password: str, stdout=None) -> dict[str, int]:
    """Create the bulk data set for `scale` unless it is already there; return row counts."""
    if Program.objects.filter(slug=scale_program_slug(scale, 0)).exists():
        return {}
    rng = random.Random(scale)  # the same data every time for the same scale
    started = time.monotonic()
    today = timezone.localdate()
    password_hash = make_password(password)
    programs_count = 10 * scale
    counts: dict[str, int] = {}

    programs = Program.objects.bulk_create(
        [
            Program(
                name=f"Scale {scale} program {i + 1}",
                slug=scale_program_slug(scale, i),
                starts_on=today - timedelta(days=120),
                ends_on=today + timedelta(days=240),
            )
            for i in range(programs_count)
        ]
    )
    counts["programs"] = len(programs)

    # People: per program one admin, mentors and mentees.
    users = []
    layout = []  # (program index, role, index within role)
    for p in range(programs_count):
        users.append(
            User(
                email=f"scale{scale}.admin{p}@example.com",
                name=f"Admin {p}",
                password=password_hash,
                timezone="Europe/London",
            )
        )
        layout.append((p, Role.ADMIN, 0))
        for m in range(MENTORS_PER_PROGRAM):
            users.append(
                User(
                    email=f"scale{scale}.p{p}.mentor{m}@example.com",
                    name=f"Mentor {p}-{m}",
                    password=password_hash,
                    timezone=rng.choice(TIMEZONES),
                )
            )
            layout.append((p, Role.MENTOR, m))
        for e in range(MENTEES_PER_PROGRAM):
            users.append(
                User(
                    email=f"scale{scale}.p{p}.mentee{e}@example.com",
                    name=f"Mentee {p}-{e}",
                    password=password_hash,
                    timezone=rng.choice(TIMEZONES),
                )
            )
            layout.append((p, Role.MENTEE, e))
    users = User.objects.bulk_create(users, batch_size=BATCH)
    counts["users"] = len(users)
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
        batch_size=BATCH,
    )
    memberships = []
    by_program: dict[int, dict[str, list[User]]] = {}
    for user, (p, role, _) in zip(users, layout, strict=True):
        by_program.setdefault(p, {}).setdefault(role, []).append(user)
        memberships.append(
            Membership(
                program=programs[p],
                user=user,
                role=role,
                capacity=BUSY_MENTOR_LOAD,
                skills=", ".join(rng.sample(SKILLS, 3)) if role == Role.MENTOR else "",
                interests=", ".join(rng.sample(SKILLS, 2)),
            )
        )
    Membership.objects.bulk_create(memberships, batch_size=BATCH)

    # Pairings: every mentee with a mentor, five mentees per mentor.
    pairings = []
    for p, people in by_program.items():
        mentors = people[Role.MENTOR]
        for i, mentee in enumerate(people[Role.MENTEE]):
            # The first mentor of each program has a full load of ten mentees (the mentor
            # dashboard benchmark signs in as one); the others share the rest.
            if i < BUSY_MENTOR_LOAD:
                mentor = mentors[0]
            else:
                mentor = mentors[1 + (i - BUSY_MENTOR_LOAD) % (len(mentors) - 1)]
            started_on = today - timedelta(days=rng.randint(30, 110))
            pairings.append(
                Pairing(
                    program=programs[p],
                    mentor=mentor,
                    mentee=mentee,
                    status=PairingStatus.ACTIVE,
                    started_on=started_on,
                    next_checkin_due=today + timedelta(days=rng.randint(-20, 14)),
                    last_checkin_on=today - timedelta(days=rng.randint(1, 40)),
                )
            )
    pairings = Pairing.objects.bulk_create(pairings, batch_size=BATCH)
    counts["pairings"] = len(pairings)
    now = timezone.now()
    Agreement.objects.bulk_create(
        [
            Agreement(
                pairing=pairing,
                meeting_frequency="Every two weeks, 45 minutes",
                expectations="Come with one question; share updates before we meet.",
                boundaries="Messages on weekdays only.",
                mentor_accepted_at=now,
                mentee_accepted_at=now,
            )
            for pairing in pairings
        ],
        batch_size=BATCH,
    )
    checkins = []
    for pairing in pairings:
        for c in range(CHECKINS_PER_PAIRING):
            checkins.append(
                CheckIn(
                    pairing=pairing,
                    occurred_on=pairing.started_on + timedelta(days=c * 10),
                    summary=f"Meeting {c + 1}: reviewed progress and blockers.",
                    next_steps="Prepare the next milestone.",
                    logged_by=pairing.mentor if c % 2 else pairing.mentee,
                )
            )
    CheckIn.objects.bulk_create(checkins, batch_size=BATCH)
    counts["checkins"] = len(checkins)

    # Goals with milestones, progress updates and a few comments.
    goals = []
    for pairing in pairings:
        for g in range(GOALS_PER_MENTEE):
            title, category, metric, unit, baseline, target = GOAL_TITLES[
                (g + pairing.mentee_id) % len(GOAL_TITLES)
            ]
            starts_on = pairing.started_on
            goals.append(
                Goal(
                    mentee=pairing.mentee,
                    program=pairing.program,
                    pairing=pairing,
                    title=title,
                    category=category,
                    specific=title,
                    metric_name=metric,
                    unit=unit,
                    baseline_value=Decimal(baseline),
                    target_value=Decimal(target),
                    current_value=Decimal(baseline),
                    achievable="I have two hours a week for this.",
                    relevant="It is the next step towards a senior role.",
                    starts_on=starts_on,
                    target_date=starts_on + timedelta(days=180),
                    priority=g,
                    status=GoalStatus.ACTIVE if g < 3 else GoalStatus.DRAFT,
                    visibility=Visibility.PROGRAM if g == 0 else Visibility.MENTOR,
                )
            )
    goals = Goal.objects.bulk_create(goals, batch_size=BATCH)
    counts["goals"] = len(goals)

    milestones = []
    updates = []
    comments = []
    for goal in goals:
        for m in range(MILESTONES_PER_GOAL):
            due = goal.starts_on + timedelta(days=30 * (m + 1))
            milestones.append(
                Milestone(
                    goal=goal,
                    title=f"Step {m + 1} of {goal.title[:40]}",
                    due_on=due,
                    completed_at=now if due < today and rng.random() < 0.7 else None,
                    position=m,
                )
            )
        step = (goal.target_value - goal.baseline_value) / (UPDATES_PER_GOAL * 2)
        value = goal.baseline_value
        for u in range(UPDATES_PER_GOAL):
            value += step
            created = now - timedelta(days=(UPDATES_PER_GOAL - u) * 7)
            acknowledged = u < UPDATES_PER_GOAL - 2
            updates.append(
                ProgressUpdate(
                    goal=goal,
                    author_id=goal.mentee_id,
                    value=value.quantize(Decimal("0.01")),
                    note=f"Week {u + 1}: kept going.",
                    confidence=rng.randint(2, 5),
                    created_at=created,
                    acknowledged_by_id=goal.pairing.mentor_id if acknowledged else None,
                    acknowledged_at=created + timedelta(days=1) if acknowledged else None,
                )
            )
        goal.current_value = value.quantize(Decimal("0.01"))
        comments.append(
            Comment(
                goal=goal,
                author_id=goal.pairing.mentor_id,
                body="Good progress, keep the rhythm.",
                is_kudos=True,
            )
        )
    Milestone.objects.bulk_create(milestones, batch_size=BATCH)
    ProgressUpdate.objects.bulk_create(updates, batch_size=BATCH)
    Comment.objects.bulk_create(comments, batch_size=BATCH)
    Goal.objects.bulk_update(goals, ["current_value"], batch_size=BATCH)
    counts.update(milestones=len(milestones), updates=len(updates), comments=len(comments))
    counts["seconds"] = round(time.monotonic() - started, 1)
    return counts
