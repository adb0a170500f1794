"""Demo goals for the people in mentorship/demo.py: realistic goals with milestones, progress
updates (some waiting for the mentor) and feedback.

Rows are written directly rather than through the services so that seeding sends nobody a
notification. A goal is looked up by mentee and title first, so running it again creates
nothing new. Goals attach to the program, and to the mentee's open pairing when there is one.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from mentorship.models import OPEN_PAIRING_STATUSES, Pairing

from .models import (
    Category,
    Comment,
    Goal,
    GoalEvent,
    GoalStatus,
    Milestone,
    MilestoneKind,
    ProgressUpdate,
    StepCompletion,
    Visibility,
)
from .weeks import week_number, week_start


def _at(days_ago: int, hour: int = 9) -> datetime:
    moment = timezone.now() - timedelta(days=days_ago)
    return moment.replace(hour=hour, minute=15, second=0, microsecond=0)


def _goals(today: date) -> list[dict]:
    """Per goal: fields, milestones (title, kind, due in days, done days ago or None),
    updates (days ago, value, note, confidence, acknowledged), comments (days ago, by mentor,
    body, kudos)."""
    d = timedelta
    return [
        {
            "mentee": "mentee.lena@example.com",
            "fields": {
                "title": "Deliver a 15-minute roadmap presentation to the product stakeholders",
                "category": Category.COMMUNICATION,
                "specific": "Present our team's Q1 roadmap at the stakeholder review, including "
                "five minutes of questions, without reading from notes.",
                "metric_name": "Practice runs with feedback",
                "unit": "runs",
                "baseline_value": Decimal(0),
                "target_value": Decimal(6),
                "current_value": Decimal(3),
                "achievable": "Ana will watch two practice runs; my manager booked the slot.",
                "relevant": "My last review asked me to speak up more with stakeholders.",
                "starts_on": today - d(days=40),
                "target_date": today + d(days=50),
                "status": GoalStatus.ACTIVE,
                "visibility": Visibility.MENTOR,
                "priority": 0,
            },
            "milestones": [
                ("Outline the talk and agree it with my manager", MilestoneKind.MILESTONE, -30, 31),
                ("Practice run in front of the team", MilestoneKind.MILESTONE, -10, 12),
                ("Record myself and cut the talk to 15 minutes", MilestoneKind.MILESTONE, -2, None),
                ("Deliver the presentation", MilestoneKind.MILESTONE, 45, None),
                ("Rehearse the opening two minutes", MilestoneKind.ACTION, 3, None),
            ],
            "updates": [
                (30, Decimal(1), "First run-through alone. Way over time (24 minutes).", 3, True),
                (
                    12,
                    Decimal(2),
                    "Ran it for the team. Feedback: fewer slides, one story.",
                    4,
                    True,
                ),
                (2, Decimal(3), "Cut to 17 minutes 🎉 Still nervous about the Q&A part.", 3, False),
            ],
            "comments": [
                (
                    12,
                    True,
                    "Huge step to run it in front of the team. The story about the "
                    "support ticket landed really well.",
                    True,
                ),
                (11, False, "Thanks! I'll keep that story as the opening.", False),
            ],
        },
        {
            "mentee": "mentee.lena@example.com",
            "fields": {
                "title": "Lead four team meetings on my own this quarter",
                "category": Category.LEADERSHIP,
                "specific": "Plan the agenda, facilitate and send notes for the weekly sync.",
                "metric_name": "Meetings led",
                "unit": "meetings",
                "baseline_value": Decimal(0),
                "target_value": Decimal(4),
                "current_value": Decimal(0),
                "achievable": "My lead will hand over the meeting from next month.",
                "relevant": "I want to be considered for the team lead role next year.",
                "starts_on": today - d(days=35),
                "target_date": today + d(days=55),
                "status": GoalStatus.ACTIVE,
                "visibility": Visibility.PROGRAM,
                "priority": 1,
            },
            "milestones": [
                ("Co-facilitate one meeting with my lead", MilestoneKind.MILESTONE, -5, None),
            ],
            "updates": [
                (
                    6,
                    None,
                    "The handover slipped: my lead was travelling. Asked again today.",
                    2,
                    False,
                ),
            ],
            "comments": [],
        },
        {
            "mentee": "mentee.lena@example.com",
            "fields": {
                "title": "Get better at saying no",
                "category": Category.EMOTIONAL_INTELLIGENCE,
                "starts_on": today,
                "status": GoalStatus.DRAFT,
                "visibility": Visibility.PRIVATE,
                "priority": 2,
            },
            "milestones": [],
            "updates": [],
            "comments": [],
        },
        {
            "mentee": "mentee.omar@example.com",
            "fields": {
                "title": "Reduce the p95 response time of the search API from 800 ms to 200 ms",
                "category": Category.SKILL_BUILDING,
                "specific": "Profile the search endpoint, fix the slowest queries and add caching "
                "where the data allows it.",
                "metric_name": "p95 response time",
                "unit": "ms",
                "baseline_value": Decimal(800),
                "target_value": Decimal(200),
                "current_value": Decimal(560),
                "achievable": "Kenji's team did the same for orders last year; I have Fridays.",
                "relevant": "Owning a performance project is the gap to senior engineer.",
                "starts_on": today - d(days=30),
                "target_date": today + d(days=30),
                "status": GoalStatus.ACTIVE,
                "visibility": Visibility.MENTOR,
                "priority": 0,
            },
            "milestones": [
                ("Add tracing to the search endpoint", MilestoneKind.MILESTONE, -20, 21),
                ("Fix the three slowest queries", MilestoneKind.MILESTONE, 10, None),
                ("Cache the facet counts", MilestoneKind.MILESTONE, 25, None),
                ("Profile one slow query every Monday", MilestoneKind.ACTION, 2, None),
            ],
            "updates": [
                (18, Decimal(700), "Tracing shows two N+1 queries. Fixed the first one.", 4, True),
                (3, Decimal(560), "Second N+1 gone. Facet counts are next.", 4, False),
            ],
            "comments": [
                (
                    17,
                    True,
                    "Good find. Write down the before/after numbers for your promo "
                    "packet as you go.",
                    False,
                ),
            ],
        },
        {
            "mentee": "mentee.sofia@example.com",
            "fields": {
                "title": "Move from customer support into a product manager role by summer",
                "category": Category.CAREER_TRANSITION,
                "specific": "Build a portfolio of two product discovery write-ups and apply for "
                "the associate PM opening.",
                "achievable": "The product lead offered to review my write-ups.",
                "relevant": "I already spend half my time relaying customer needs to product.",
                "starts_on": today - d(days=70),
                "target_date": today + d(days=110),
                "status": GoalStatus.ACTIVE,
                "visibility": Visibility.PROGRAM,
                "priority": 0,
            },
            "milestones": [
                ("Shadow three product discovery interviews", MilestoneKind.MILESTONE, -40, 45),
                ("Write the first discovery write-up", MilestoneKind.MILESTONE, -7, None),
                ("Get feedback from the product lead", MilestoneKind.MILESTONE, 30, None),
                ("Apply for the associate PM opening", MilestoneKind.MILESTONE, 100, None),
            ],
            "updates": [
                (9, None, "Draft of the write-up is half done; support queue was heavy.", 3, False),
            ],
            "comments": [],
        },
        {
            "mentee": "mentee.ben@example.com",
            "fields": {
                "title": "Have ten coffee chats with people outside my team this quarter",
                "category": Category.NETWORKING,
                "specific": "Thirty minutes each with people in design, sales and support.",
                "metric_name": "Coffee chats",
                "unit": "chats",
                "baseline_value": Decimal(0),
                "target_value": Decimal(10),
                "current_value": Decimal(2),
                "achievable": "One chat a week fits my calendar.",
                "relevant": "I want to understand how the company makes money.",
                "starts_on": today - d(days=20),
                "target_date": today + d(days=70),
                "status": GoalStatus.ACTIVE,
                "visibility": Visibility.MENTOR,
                "priority": 0,
            },
            "milestones": [("List twenty people to meet", MilestoneKind.MILESTONE, -10, 15)],
            "updates": [(4, Decimal(2), "Two chats done, both great.", 4, False)],
            "comments": [],
        },
    ]


@transaction.atomic
def seed(program) -> int:
    """Create the demo goals for `program`; returns how many goals were created."""
    today = timezone.localdate()
    created = 0
    for spec in _goals(today):
        mentee = User.objects.filter(email=spec["mentee"]).first()
        if mentee is None:
            continue
        fields = spec["fields"]
        if Goal.objects.filter(mentee=mentee, title=fields["title"]).exists():
            continue
        pairing = (
            Pairing.objects.filter(program=program, mentee=mentee, status__in=OPEN_PAIRING_STATUSES)
            .select_related("mentor")
            .first()
        )
        mentor = pairing.mentor if pairing else None
        goal = Goal.objects.create(
            mentee=mentee,
            program=program,
            pairing=pairing,
            created_at=_at(abs((today - fields["starts_on"]).days)),
            **fields,
        )
        created += 1
        GoalEvent.objects.create(
            goal=goal, actor=mentee, action="created", detail=goal.title, created_at=goal.created_at
        )
        for position, (title, kind, due_in, done_ago) in enumerate(spec["milestones"]):
            Milestone.objects.create(
                goal=goal,
                title=title,
                kind=kind,
                position=position,
                due_on=today + timedelta(days=due_in),
                completed_at=_at(done_ago, 17) if done_ago is not None else None,
                completion_count=1 if done_ago is not None else 0,
            )
            if done_ago is not None:
                GoalEvent.objects.create(
                    goal=goal,
                    actor=mentee,
                    action="milestone_completed",
                    detail=title,
                    created_at=_at(done_ago, 17),
                )
        updates = []
        for days_ago, value, note, confidence, acknowledged in spec["updates"]:
            acked = acknowledged and mentor is not None
            update = ProgressUpdate.objects.create(
                goal=goal,
                author=mentee,
                value=value,
                note=note,
                confidence=confidence,
                created_at=_at(days_ago, 18),
                occurred_on=timezone.localtime(_at(days_ago, 18), mentee.tzinfo).date(),
                acknowledged_by=mentor if acked else None,
                acknowledged_at=_at(days_ago - 1 if days_ago > 1 else 0, 8) if acked else None,
            )
            updates.append(update)
            GoalEvent.objects.create(
                goal=goal,
                actor=mentee,
                action="update_logged",
                detail="" if value is None else f"{value.normalize():f}",
                created_at=update.created_at,
            )
        for days_ago, by_mentor, body, kudos in spec["comments"]:
            author = mentor if by_mentor else mentee
            if author is None:
                continue
            near = min(
                updates, key=lambda u: abs((u.created_at - _at(days_ago)).days), default=None
            )
            Comment.objects.create(
                goal=goal,
                author=author,
                body=body,
                is_kudos=kudos,
                update=near,
                created_at=_at(days_ago, 12),
            )
            GoalEvent.objects.create(
                goal=goal,
                actor=author,
                action="kudos" if kudos else "comment",
                detail=body[:200],
                created_at=_at(days_ago, 12),
            )
    if created:
        _showcase(today)
    return created


def _showcase(today: date) -> None:
    """What a program's daily life leaves behind, on Lena's presentation goal: a weekly plan
    with this week's steps, an update logged today for an earlier day, a comment corrected
    after it was sent; and a goal she parked and archived."""
    goal = (
        Goal.objects.filter(mentee__email="mentee.lena@example.com", title__startswith="Deliver")
        .select_related("mentee")
        .first()
    )
    if goal is None:
        return
    mentee = goal.mentee
    local_today = timezone.localtime(timezone.now(), mentee.tzinfo).date()
    this_week = week_number(goal.starts_on, local_today)
    plan = [
        ("Research: watch three stakeholder talks and note what works", 1, 1, None),
        ("Gather samples: collect the questions from the last two reviews", 2, 3, None),
        ("Build the slides: one story, at most eight slides", this_week, this_week + 1, None),
        ("Practise the talk aloud for 20 minutes", 1, None, goal.target_date),
    ]
    last = goal.milestones.count()
    steps = []
    for offset, (title, week_from, week_to, until) in enumerate(plan):
        steps.append(
            Milestone.objects.create(
                goal=goal,
                title=title,
                kind=MilestoneKind.ACTION,
                position=last + offset,
                week_from=week_from,
                week_to=week_to,
                repeats_until=until,
            )
        )
        GoalEvent.objects.create(goal=goal, actor=mentee, action="step_added", detail=title)
    # Last week's practice was done; this week's steps wait on her dashboard.
    last_monday = week_start(local_today) - timedelta(days=7)
    if week_number(goal.starts_on, last_monday) >= 1:
        StepCompletion.objects.create(step=steps[-1], week_start=last_monday, done_by=mentee)
    # Logged today for three days ago (she forgot on the day).
    ProgressUpdate.objects.create(
        goal=goal,
        author=mentee,
        value=goal.current_value,
        note="Practised the Q&A with a friend on Saturday; forgot to log it.",
        confidence=4,
        created_at=timezone.now(),
        occurred_on=local_today - timedelta(days=3),
    )
    GoalEvent.objects.create(
        goal=goal, actor=mentee, action="update_logged", detail=f"{goal.current_value:f}"
    )
    comment = goal.comments.filter(author__email="mentee.lena@example.com").first()
    if comment is not None:
        comment.body += " (And the one about the late release as the close.)"
        comment.edited_at = comment.created_at + timedelta(hours=1)
        comment.save(update_fields=["body", "edited_at"])
        GoalEvent.objects.create(
            goal=goal,
            actor=mentee,
            action="comment_edited",
            detail=comment.body[:200],
            created_at=comment.edited_at,
        )
    parked = Goal.objects.create(
        mentee=mentee,
        program=goal.program,
        pairing=goal.pairing,
        title="Read one leadership book a month",
        category=Category.LEADERSHIP,
        starts_on=today - timedelta(days=60),
        target_date=today + timedelta(days=120),
        status=GoalStatus.ON_HOLD,
        visibility=Visibility.MENTOR,
        priority=3,
        created_at=_at(60),
        archived_at=_at(9),
    )
    GoalEvent.objects.create(goal=parked, actor=mentee, action="created", detail=parked.title)
    GoalEvent.objects.create(
        goal=parked, actor=mentee, action="archived", detail=parked.get_status_display()
    )
