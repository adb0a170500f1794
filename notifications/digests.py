"""Weekly digests, composed for a batch of recipients at a time.

Each compose function takes a batch of recipient ids and returns {recipient_id: payload}
with a fixed number of queries for the whole batch (never one per recipient). Payloads are
plain JSON stored on the Notification row, so the e-mail rendered later (and any resend)
says exactly what was composed.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

from django.db.models import Count, F, Q, Value
from django.db.models.functions import Coalesce

from goals.models import Comment, Goal, GoalStatus, Milestone, MilestoneKind, ProgressUpdate
from goals.policy import SHARED_WITH_MENTOR
from goals.progress import Progress, Source, goal_progress
from mentorship.models import (
    DELETED_USER,
    OPEN_PAIRING_STATUSES,
    ActionItem,
    Application,
    ApplicationStatus,
    Invitation,
    Membership,
    Pairing,
    PairingStatus,
    Role,
)
from mentorship.report import program_reports

from . import links

OPEN_GOAL_STATUSES = (GoalStatus.ACTIVE, GoalStatus.ON_HOLD)
LIST_LIMIT = 5  # items listed per section; the counts are always complete
NOTE_LIMIT = 280
UPCOMING_DAYS = 14


def person_name(name: str | None, email: str | None) -> str:
    """accounts.User.display_name from the two columns; "a deleted user" when the account
    is gone (both None)."""
    if email is None:
        return str(DELETED_USER)
    return name or email.split("@")[0]


def _short(text: str, limit: int = NOTE_LIMIT) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _num(value) -> str | None:
    if value is None:
        return None
    value = Decimal(value)
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


def progress_of(goal_row: dict, counts: dict, today: date) -> Progress:
    """The goals app's own progress and health (goals.progress), from a values() row and
    milestone counts fetched for the whole batch: the same verdict as on the goal's page."""
    c = counts.get(goal_row["id"], {"total": 0, "done": 0})
    goal = SimpleNamespace(
        baseline_value=goal_row["baseline_value"],
        target_value=goal_row["target_value"],
        current_value=goal_row["current_value"],
        starts_on=goal_row["starts_on"],
        target_date=goal_row["target_date"],
        status=goal_row["status"],
        milestones_total=c["total"],
        milestones_done=c["done"],
    )
    return goal_progress(goal, today=today)


MILESTONE_COUNTS = {
    "total": Count("id", filter=Q(kind=MilestoneKind.MILESTONE)),
    "done": Count("id", filter=Q(kind=MilestoneKind.MILESTONE, completed_at__isnull=False)),
}


def _open_action_items(owner_ids, today: date) -> dict[int, list[dict]]:
    """Each person's open action items in their active pairings, soonest due first: one
    query for the whole batch."""
    items: dict[int, list[dict]] = defaultdict(list)
    for row in (
        ActionItem.objects.filter(
            owner_id__in=owner_ids,
            done_at__isnull=True,
            pairing__status=PairingStatus.ACTIVE,
            pairing__program__is_active=True,
        )
        .order_by("due_on", "id")
        .values("owner_id", "title", "due_on", "pairing__uuid")
    ):
        due = row["due_on"]
        items[row["owner_id"]].append(
            {
                "title": row["title"],
                "url": links.pairing_path(row["pairing__uuid"]) + "#actions",
                "due_on": due.isoformat() if due else None,
                "overdue": bool(due and due < today),
            }
        )
    return items


def _add_action_items(payloads: dict[int, dict], items: dict[int, list[dict]]) -> None:
    for person_id, payload in payloads.items():
        own = items.get(person_id, [])
        payload["action_items"] = own[:LIST_LIMIT]
        payload["action_items_count"] = len(own)


def compose_mentor(
    mentor_ids: list[int], *, now: datetime, since: dict[int, datetime]
) -> dict[int, dict]:
    """Per mentee of each mentor: progress since the last digest, updates awaiting review,
    milestones hit and missed, next check-in; and the mentor's own open action items. Five
    queries per batch."""
    today = now.date()
    min_since = min(since.values()) if since else now - timedelta(days=7)
    pairings = list(
        Pairing.objects.filter(
            mentor_id__in=mentor_ids, status=PairingStatus.ACTIVE, program__is_active=True
        )
        .order_by("mentor_id", "mentee__name", "id")
        .values(
            "uuid",
            "mentor_id",
            "mentee_id",
            "mentee__name",
            "mentee__email",
            "next_checkin_due",
            "program_id",
            "program__name",
        )
    )
    mentee_ids = {p["mentee_id"] for p in pairings}
    shared = Q(
        goal__mentee_id__in=mentee_ids,
        goal__visibility__in=SHARED_WITH_MENTOR,
        goal__archived_at__isnull=True,
    )
    # A pairing reaches the goals of its program and those without one (goals.policy): the
    # rows are keyed by mentee and goal program, and each pairing takes its two keys.
    awaiting = {
        (mentee_id, program_id): n
        for mentee_id, program_id, n in ProgressUpdate.objects.filter(
            shared, acknowledged_at__isnull=True
        )
        .values("goal__mentee_id", "goal__program_id")
        .annotate(n=Count("id"))
        .values_list("goal__mentee_id", "goal__program_id", "n")
    }
    updates_by_mentee: dict[tuple, list[dict]] = defaultdict(list)
    for row in (
        ProgressUpdate.objects.filter(shared, created_at__gte=min_since)
        .order_by("-created_at", "-id")
        .values(
            "goal__mentee_id",
            "goal__program_id",
            "goal__title",
            "goal__uuid",
            "value",
            "note",
            "created_at",
        )
    ):
        updates_by_mentee[row["goal__mentee_id"], row["goal__program_id"]].append(row)
    milestones_by_mentee: dict[tuple, list[dict]] = defaultdict(list)
    for row in (
        Milestone.objects.filter(shared)
        .filter(
            Q(completed_at__gte=min_since)
            | Q(completed_at__isnull=True, due_on__gte=min_since.date(), due_on__lt=today)
        )
        .order_by("due_on", "id")
        .values(
            "goal__mentee_id", "goal__program_id", "title", "goal__title", "due_on", "completed_at"
        )
    ):
        milestones_by_mentee[row["goal__mentee_id"], row["goal__program_id"]].append(row)

    def of_pairing(rows: dict, p: dict) -> list:
        keys = ((p["mentee_id"], p["program_id"]), (p["mentee_id"], None))
        return [row for key in keys for row in rows.get(key, ())]

    payloads: dict[int, dict] = {}
    for p in pairings:
        mentor_since = since.get(p["mentor_id"], min_since)
        updates = sorted(
            (u for u in of_pairing(updates_by_mentee, p) if u["created_at"] >= mentor_since),
            key=lambda u: u["created_at"],
            reverse=True,
        )
        hit, missed = [], []
        for m in sorted(of_pairing(milestones_by_mentee, p), key=lambda m: m["due_on"] or today):
            if m["completed_at"] is not None:
                if m["completed_at"] >= mentor_since:
                    hit.append({"title": m["title"], "goal": m["goal__title"]})
            elif m["due_on"] >= mentor_since.date():
                missed.append(
                    {
                        "title": m["title"],
                        "goal": m["goal__title"],
                        "due_on": m["due_on"].isoformat(),
                    }
                )
        due = p["next_checkin_due"]
        payload = payloads.setdefault(
            p["mentor_id"], {"since": mentor_since.isoformat(), "mentees": []}
        )
        payload["mentees"].append(
            {
                "name": person_name(p["mentee__name"], p["mentee__email"]),
                "program": p["program__name"],
                "url": links.pairing_path(p["uuid"]),
                "updates_count": len(updates),
                "updates": [
                    {
                        "goal": u["goal__title"],
                        "url": links.goal_path(u["goal__uuid"]),
                        "value": _num(u["value"]),
                        "note": _short(u["note"]),
                    }
                    for u in updates[:LIST_LIMIT]
                ],
                "awaiting_review": awaiting.get((p["mentee_id"], p["program_id"]), 0)
                + awaiting.get((p["mentee_id"], None), 0),
                "milestones_hit": hit[:LIST_LIMIT],
                "milestones_hit_count": len(hit),
                "milestones_missed": missed[:LIST_LIMIT],
                "milestones_missed_count": len(missed),
                "next_checkin": due.isoformat() if due else None,
                "checkin_overdue": bool(due and due < today),
            }
        )
    _add_action_items(payloads, _open_action_items(list(payloads), today))
    return payloads


def compose_mentee(
    mentee_ids: list[int], *, now: datetime, since: dict[int, datetime]
) -> dict[int, dict]:
    """Own progress per open goal (off-track ones called out), overdue and upcoming
    milestones, feedback received (comments and acknowledged updates), the next check-in of
    each active pairing, her open action items. Eight queries per batch."""
    today = now.date()
    min_since = min(since.values()) if since else now - timedelta(days=7)
    goals = list(
        Goal.objects.filter(
            mentee_id__in=mentee_ids, status__in=OPEN_GOAL_STATUSES, archived_at__isnull=True
        )
        .order_by("mentee_id", "priority", "created_at")
        .values(
            "id",
            "uuid",
            "mentee_id",
            "title",
            "baseline_value",
            "target_value",
            "current_value",
            "unit",
            "starts_on",
            "status",
            "target_date",
        )
    )
    open_goals = Q(
        goal__mentee_id__in=mentee_ids,
        goal__status__in=OPEN_GOAL_STATUSES,
        goal__archived_at__isnull=True,
    )
    counts = {
        row["goal_id"]: row
        # Filtered by mentee (a join) rather than by a list of goal ids: fewer parameters to
        # bind, the same rows.
        for row in Milestone.objects.filter(open_goals)
        .values("goal_id")
        .annotate(**MILESTONE_COUNTS)
    }
    updates_since: dict[int, list[datetime]] = defaultdict(list)
    for goal_id, created_at in ProgressUpdate.objects.filter(
        open_goals, created_at__gte=min_since
    ).values_list("goal_id", "created_at"):
        updates_since[goal_id].append(created_at)
    upcoming: dict[int, list[dict]] = defaultdict(list)
    overdue: dict[int, list[dict]] = defaultdict(list)
    for row in (
        Milestone.objects.filter(
            goal__mentee_id__in=mentee_ids,
            goal__status__in=OPEN_GOAL_STATUSES,
            goal__archived_at__isnull=True,
            completed_at__isnull=True,
            due_on__lte=today + timedelta(days=UPCOMING_DAYS),
        )
        .order_by("due_on", "id")
        .values("goal__mentee_id", "title", "goal__title", "goal__uuid", "due_on")
    ):
        (overdue if row["due_on"] < today else upcoming)[row["goal__mentee_id"]].append(row)
    checkins: dict[int, list[dict]] = defaultdict(list)
    for row in (
        Pairing.objects.filter(
            mentee_id__in=mentee_ids, status=PairingStatus.ACTIVE, program__is_active=True
        )
        .order_by("next_checkin_due", "id")
        .values("mentee_id", "uuid", "next_checkin_due", "mentor__name", "mentor__email")
    ):
        checkins[row["mentee_id"]].append(row)
    feedback: dict[int, list[dict]] = defaultdict(list)
    for row in (
        Comment.objects.filter(goal__mentee_id__in=mentee_ids, created_at__gte=min_since)
        .exclude(author_id=F("goal__mentee_id"))
        .order_by("-created_at", "-id")
        .values(
            "goal__mentee_id",
            "goal__title",
            "goal__uuid",
            "author__name",
            "author__email",
            "body",
            "is_kudos",
            "created_at",
        )
    ):
        feedback[row["goal__mentee_id"]].append(row)
    acknowledged: dict[int, list[datetime]] = defaultdict(list)
    for mentee_id, at in ProgressUpdate.objects.filter(
        goal__mentee_id__in=mentee_ids, acknowledged_at__gte=min_since
    ).values_list("goal__mentee_id", "acknowledged_at"):
        acknowledged[mentee_id].append(at)

    goals_by_mentee: dict[int, list[dict]] = defaultdict(list)
    for g in goals:
        goals_by_mentee[g["mentee_id"]].append(g)
    payloads: dict[int, dict] = {}
    for mentee_id in mentee_ids:
        mentee_since = since.get(mentee_id, min_since)
        goal_items = []
        for g in goals_by_mentee[mentee_id]:
            progress = progress_of(g, counts, today)
            goal_items.append(
                {
                    "title": g["title"],
                    "url": links.goal_path(g["uuid"]),
                    "percent": None if progress.source == Source.NONE else progress.percent,
                    "health": str(progress.health),
                    "updates_count": sum(1 for t in updates_since[g["id"]] if t >= mentee_since),
                }
            )
        received = [f for f in feedback[mentee_id] if f["created_at"] >= mentee_since]
        off_track = [g for g in goal_items if g["health"] == "off_track"]
        payloads[mentee_id] = {
            "since": mentee_since.isoformat(),
            "goals": goal_items,
            "off_track": [{"title": g["title"], "url": g["url"]} for g in off_track],
            "overdue": [
                {
                    "title": m["title"],
                    "goal": m["goal__title"],
                    "url": links.goal_path(m["goal__uuid"]),
                    "due_on": m["due_on"].isoformat(),
                }
                for m in overdue[mentee_id][:LIST_LIMIT]
            ],
            "overdue_count": len(overdue[mentee_id]),
            "checkins": [
                {
                    "mentor": person_name(c["mentor__name"], c["mentor__email"]),
                    "url": links.pairing_path(c["uuid"]),
                    "due_on": c["next_checkin_due"].isoformat() if c["next_checkin_due"] else None,
                    "overdue": bool(c["next_checkin_due"] and c["next_checkin_due"] < today),
                }
                for c in checkins[mentee_id]
            ],
            "upcoming": [
                {
                    "title": m["title"],
                    "goal": m["goal__title"],
                    "url": links.goal_path(m["goal__uuid"]),
                    "due_on": m["due_on"].isoformat(),
                }
                for m in upcoming[mentee_id][:LIST_LIMIT]
            ],
            "upcoming_count": len(upcoming[mentee_id]),
            "feedback": [
                {
                    "author": person_name(f["author__name"], f["author__email"]),
                    "goal": f["goal__title"],
                    "url": links.goal_path(f["goal__uuid"]),
                    "body": _short(f["body"]),
                    "kudos": f["is_kudos"],
                }
                for f in received[:LIST_LIMIT]
            ],
            "feedback_count": len(received),
            "acknowledged_count": sum(1 for at in acknowledged[mentee_id] if at >= mentee_since),
        }
    _add_action_items(payloads, _open_action_items(mentee_ids, today))
    return payloads


def compose_admin(
    admin_ids: list[int], *, now: datetime, since: dict[int, datetime]
) -> dict[int, dict]:
    """Per program each admin runs: stalled pairings, pairings waiting for acceptance, overdue
    check-ins, unpaired mentees, open invitations and applications waiting, goal health, and
    the outcomes report's headline figures. Nine queries per batch."""
    today = now.date()
    memberships = list(
        Membership.objects.filter(user_id__in=admin_ids, role=Role.ADMIN, program__is_active=True)
        .order_by("user_id", "program__name")
        .values(
            "user_id",
            "program_id",
            "program__name",
            "program__uuid",
            "program__stall_after_days",
            "program__meeting_rule",
            "program__checkin_cadence_days",
        )
    )
    program_ids = {m["program_id"] for m in memberships}
    stall_days = {m["program_id"]: m["program__stall_after_days"] for m in memberships}
    stalled: dict[int, list[dict]] = defaultdict(list)
    waiting: dict[int, list[dict]] = defaultdict(list)
    overdue: dict[int, list[dict]] = defaultdict(list)
    paired: dict[int, set[int]] = defaultdict(set)
    for p in (
        Pairing.objects.filter(program_id__in=program_ids, status__in=OPEN_PAIRING_STATUSES)
        .annotate(last=Coalesce("last_checkin_on", "started_on"))
        .order_by("last", "id")
        .values(
            "program_id",
            "uuid",
            "status",
            "mentee_id",
            "last",
            "next_checkin_due",
            "created_at",
            "mentor__name",
            "mentor__email",
            "mentee__name",
            "mentee__email",
        )
    ):
        paired[p["program_id"]].add(p["mentee_id"])
        who = {
            "mentor": person_name(p["mentor__name"], p["mentor__email"]),
            "mentee": person_name(p["mentee__name"], p["mentee__email"]),
            "url": links.pairing_path(p["uuid"]),
        }
        if p["status"] == PairingStatus.PROPOSED:
            waiting[p["program_id"]].append({**who, "days": (today - p["created_at"].date()).days})
            continue
        due = p["next_checkin_due"]
        if p["status"] == PairingStatus.ACTIVE and due and due < today:
            overdue[p["program_id"]].append({**who, "due_on": due.isoformat()})
        if p["status"] != PairingStatus.ACTIVE or p["last"] is None:
            continue
        days = (today - p["last"]).days
        if days > stall_days[p["program_id"]]:
            stalled[p["program_id"]].append({**who, "days": days})
    unpaired: dict[int, list[str]] = defaultdict(list)
    for m in (
        Membership.objects.filter(program_id__in=program_ids, role=Role.MENTEE)
        .order_by("user__name", "id")
        .values("program_id", "user_id", "user__name", "user__email")
    ):
        if m["user_id"] not in paired[m["program_id"]]:
            unpaired[m["program_id"]].append(person_name(m["user__name"], m["user__email"]))
    # Invitations not answered and applications waiting for approval, by program: one
    # query (a UNION), so the batch's count stays as it was before applications existed.
    open_invitations = (
        Invitation.objects.filter(
            program_id__in=program_ids,
            accepted_at__isnull=True,
            declined_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        )
        .values("program_id")
        .annotate(n=Count("id"), what=Value("invitations"))
        .values_list("what", "program_id", "n")
        .order_by()
    )
    waiting_applications = (
        Application.objects.filter(program_id__in=program_ids, status=ApplicationStatus.PENDING)
        .values("program_id")
        .annotate(n=Count("id"), what=Value("applications"))
        .values_list("what", "program_id", "n")
        .order_by()
    )
    invitations: dict[int, int] = {}
    applications: dict[int, int] = {}
    for what, program_id, n in open_invitations.union(waiting_applications, all=True):
        (invitations if what == "invitations" else applications)[program_id] = n
    # Admins see a summary of the goals shared beyond the mentee (goals.policy), never a
    # private one, not even in a count.
    goals = list(
        Goal.objects.filter(
            status=GoalStatus.ACTIVE, visibility__in=SHARED_WITH_MENTOR, archived_at__isnull=True
        )
        .filter(Q(program_id__in=program_ids) | Q(pairing__program_id__in=program_ids))
        .values(
            "id",
            "program_id",
            "pairing__program_id",
            "baseline_value",
            "target_value",
            "current_value",
            "starts_on",
            "status",
            "target_date",
        )
    )
    counts = {
        row["goal_id"]: row
        for row in Milestone.objects.filter(
            goal__status=GoalStatus.ACTIVE,
            goal__visibility__in=SHARED_WITH_MENTOR,
            goal__archived_at__isnull=True,
        )
        .filter(Q(goal__program_id__in=program_ids) | Q(goal__pairing__program_id__in=program_ids))
        .values("goal_id")
        .annotate(**MILESTONE_COUNTS)
    }
    health: dict[int, dict[str, int]] = defaultdict(
        lambda: {"on_track": 0, "at_risk": 0, "off_track": 0, "unknown": 0}
    )
    for g in goals:
        program_id = g["program_id"] or g["pairing__program_id"]
        state = progress_of(g, counts, today).health
        key = state if state in ("on_track", "at_risk", "off_track") else "unknown"
        health[program_id][key] += 1

    # The outcomes report's headline figures of each program (three queries for the batch).
    outcomes = program_reports(
        {
            m["program_id"]: SimpleNamespace(
                pk=m["program_id"],
                meeting_rule=m["program__meeting_rule"],
                checkin_cadence_days=m["program__checkin_cadence_days"],
            )
            for m in memberships
        }.values(),
        today=today,
    )

    payloads: dict[int, dict] = {}
    for m in memberships:
        program_id = m["program_id"]
        payload = payloads.setdefault(m["user_id"], {"programs": []})
        payload["programs"].append(
            {
                "name": m["program__name"],
                "url": links.program_path(m["program__uuid"]),
                "stalled": stalled[program_id][:LIST_LIMIT],
                "stalled_count": len(stalled[program_id]),
                "unpaired": unpaired[program_id][:LIST_LIMIT],
                "unpaired_count": len(unpaired[program_id]),
                "waiting": waiting[program_id][:LIST_LIMIT],
                "waiting_count": len(waiting[program_id]),
                "checkins_overdue": overdue[program_id][:LIST_LIMIT],
                "checkins_overdue_count": len(overdue[program_id]),
                "invitations_open": invitations.get(program_id, 0),
                "invitations_url": links.path_to("mentorship:program_invite", m["program__uuid"]),
                "applications_waiting": applications.get(program_id, 0),
                "applications_url": links.path_to(
                    "mentorship:application_queue", m["program__uuid"]
                ),
                "health": dict(health[program_id]),
                "stall_after_days": stall_days[program_id],
                "outcomes": outcomes[program_id].as_headlines(),
                "report_url": links.path_to("mentorship:program_report", m["program__uuid"]),
            }
        )
    return payloads
