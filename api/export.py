"""Data export: everything a user owns as a zip of JSON and CSV.

Each data set is written twice, as `<name>.json` (typed, nested where natural) and
`<name>.csv` (flat, for spreadsheets). A fixed number of queries, however much data.
"""

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.db.models import Q
from django.utils import timezone

from goals.models import Comment, Goal, Milestone, ProgressUpdate
from mentorship.models import CheckIn, Membership, MentorshipFeedback, Pairing
from notifications.models import Notification

from .models import ApiToken

SCHEMA_VERSION = 1


def plain(value):
    """A value JSON and CSV can hold."""
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def rows_to_csv(rows: list[dict], fieldnames: Iterable[str]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(fieldnames), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                k: json.dumps(v) if isinstance(v, dict | list) else ("" if v is None else v)
                for k, v in row.items()
            }
        )
    return out.getvalue()


def _user_ref(user) -> str | None:
    return user.display_name if user is not None else None


def _rows(objects, columns: dict) -> list[dict]:
    return [{name: plain(get(obj)) for name, get in columns.items()} for obj in objects]


def user_export_data(user) -> dict[str, tuple[list[str], list[dict]]]:
    """Every data set the user owns: name -> (column names, rows). Eleven queries."""
    own = user.pk
    sets = {
        "profile": (
            [user],
            {
                "uuid": lambda u: u.uuid,
                "email": lambda u: u.email,
                "name": lambda u: u.name,
                "timezone": lambda u: u.timezone,
                "date_joined": lambda u: u.date_joined,
            },
        ),
        "memberships": (
            Membership.objects.filter(user=user).select_related("program"),
            {
                "uuid": lambda m: m.uuid,
                "program": lambda m: m.program.name,
                "program_uuid": lambda m: m.program.uuid,
                "role": lambda m: m.role,
                "capacity": lambda m: m.capacity,
                "skills": lambda m: m.skills,
                "interests": lambda m: m.interests,
                "joined_at": lambda m: m.joined_at,
            },
        ),
        "goals": (
            Goal.objects.filter(mentee=user).select_related("program", "pairing"),
            {
                **{
                    field: (lambda f: lambda g: getattr(g, f))(field)
                    for field in (
                        "uuid",
                        "title",
                        "category",
                        "specific",
                        "metric_name",
                        "unit",
                        "baseline_value",
                        "target_value",
                        "current_value",
                        "achievable",
                        "relevant",
                        "starts_on",
                        "target_date",
                        "priority",
                        "status",
                        "visibility",
                        "completed_at",
                        "created_at",
                        "updated_at",
                    )
                },
                "program": lambda g: g.program.name if g.program else None,
                "pairing_uuid": lambda g: g.pairing.uuid if g.pairing else None,
            },
        ),
        "milestones": (
            Milestone.objects.filter(goal__mentee=user).select_related("goal"),
            {
                "uuid": lambda m: m.uuid,
                "goal_uuid": lambda m: m.goal.uuid,
                "goal": lambda m: m.goal.title,
                "title": lambda m: m.title,
                "kind": lambda m: m.kind,
                "due_on": lambda m: m.due_on,
                "completed_at": lambda m: m.completed_at,
                "position": lambda m: m.position,
                "created_at": lambda m: m.created_at,
            },
        ),
        "progress_updates": (
            ProgressUpdate.objects.filter(goal__mentee=user).select_related(
                "goal", "author", "acknowledged_by"
            ),
            {
                "uuid": lambda u: u.uuid,
                "goal_uuid": lambda u: u.goal.uuid,
                "goal": lambda u: u.goal.title,
                "author": lambda u: _user_ref(u.author),
                "value": lambda u: u.value,
                "note": lambda u: u.note,
                "confidence": lambda u: u.confidence,
                "created_at": lambda u: u.created_at,
                "acknowledged_by": lambda u: _user_ref(u.acknowledged_by),
                "acknowledged_at": lambda u: u.acknowledged_at,
            },
        ),
        # Comments the user wrote, anywhere. On someone else's goal only the goal's UUID is
        # given: its title is the other person's data.
        "comments": (
            Comment.objects.filter(author=user).select_related("goal"),
            {
                "uuid": lambda c: c.uuid,
                "goal_uuid": lambda c: c.goal.uuid,
                "on_own_goal": lambda c: c.goal.mentee_id == own,
                "goal": lambda c: c.goal.title if c.goal.mentee_id == own else None,
                "body": lambda c: c.body,
                "is_kudos": lambda c: c.is_kudos,
                "created_at": lambda c: c.created_at,
            },
        ),
        "pairings": (
            Pairing.objects.filter(Q(mentor=user) | Q(mentee=user)).select_related(
                "program", "mentor", "mentee"
            ),
            {
                "uuid": lambda p: p.uuid,
                "program": lambda p: p.program.name,
                "my_role": lambda p: "mentor" if p.mentor_id == own else "mentee",
                "mentor": lambda p: p.mentor.display_name,
                "mentee": lambda p: p.mentee.display_name,
                "status": lambda p: p.status,
                "started_on": lambda p: p.started_on,
                "ended_on": lambda p: p.ended_on,
                "next_checkin_due": lambda p: p.next_checkin_due,
                "last_checkin_on": lambda p: p.last_checkin_on,
            },
        ),
        "checkins": (
            CheckIn.objects.filter(Q(pairing__mentor=user) | Q(pairing__mentee=user))
            .select_related("pairing", "logged_by")
            .order_by("occurred_on", "pk"),
            {
                "uuid": lambda c: c.uuid,
                "pairing_uuid": lambda c: c.pairing.uuid,
                "occurred_on": lambda c: c.occurred_on,
                "summary": lambda c: c.summary,
                "next_steps": lambda c: c.next_steps,
                "logged_by": lambda c: _user_ref(c.logged_by),
                "created_at": lambda c: c.created_at,
            },
        ),
        "feedback": (
            MentorshipFeedback.objects.filter(author=user).select_related("pairing"),
            {
                "uuid": lambda f: f.uuid,
                "pairing_uuid": lambda f: f.pairing.uuid,
                "rating": lambda f: f.rating,
                "comment": lambda f: f.comment,
                "shared_with_partner": lambda f: f.shared_with_partner,
                "is_final": lambda f: f.is_final,
                "created_at": lambda f: f.created_at,
            },
        ),
        "notifications": (
            Notification.objects.filter(recipient=user),
            {
                "uuid": lambda n: n.uuid,
                "kind": lambda n: n.kind,
                "title": lambda n: n.title,
                "body": lambda n: n.body,
                "url": lambda n: n.url,
                "created_at": lambda n: n.created_at,
                "sent_at": lambda n: n.sent_at,
                "read_at": lambda n: n.read_at,
            },
        ),
        "api_tokens": (
            ApiToken.objects.filter(user=user),
            {
                "uuid": lambda t: t.uuid,
                "name": lambda t: t.name,
                "prefix": lambda t: t.prefix,
                "created_at": lambda t: t.created_at,
                "last_used_at": lambda t: t.last_used_at,
                "revoked_at": lambda t: t.revoked_at,
            },
        ),
    }
    return {name: (list(cols), _rows(objs, cols)) for name, (objs, cols) in sets.items()}


def user_export_zip(user) -> bytes:
    data = user_export_data(user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            "Your data from the mentorship goal tracker, exported "
            f"{timezone.now():%Y-%m-%d %H:%M} UTC.\n"
            "Each data set is here twice: NAME.json (for programs) and NAME.csv (for "
            "spreadsheets). Dates are ISO 8601; times are in UTC.\n",
        )
        for name, (fields, rows) in data.items():
            archive.writestr(
                f"{name}.json",
                json.dumps({"version": SCHEMA_VERSION, name: rows}, indent=2, ensure_ascii=False),
            )
            archive.writestr(f"{name}.csv", rows_to_csv(rows, fields))
    return buffer.getvalue()


# --- Program export (program admins) --------------------------------------------------------

PROGRAM_EXPORT_PARTS = ("members", "pairings", "checkins", "goals")


def program_export_rows(*, program, part: str, user) -> tuple[list[str], list[dict]]:
    """One CSV's columns and rows. The caller has checked that `user` runs `program`; only
    what the access policy shows admins is included: memberships, pairings, check-in dates
    (not what was said) and, of goals, title, status, progress and health."""
    if part == "members":
        cols = {
            "uuid": lambda m: m.uuid,
            "name": lambda m: m.user.display_name,
            "email": lambda m: m.user.email,
            "role": lambda m: m.role,
            "capacity": lambda m: m.capacity,
            "skills": lambda m: m.skills,
            "interests": lambda m: m.interests,
            "joined_at": lambda m: m.joined_at,
        }
        objs = (
            Membership.objects.filter(program=program)
            .select_related("user")
            .order_by("role", "user__email", "pk")
        )
    elif part == "pairings":
        cols = {
            "uuid": lambda p: p.uuid,
            "mentor": lambda p: p.mentor.display_name,
            "mentor_email": lambda p: p.mentor.email,
            "mentee": lambda p: p.mentee.display_name,
            "mentee_email": lambda p: p.mentee.email,
            "status": lambda p: p.status,
            "started_on": lambda p: p.started_on,
            "ended_on": lambda p: p.ended_on,
            "end_reason": lambda p: p.end_reason,
            "next_checkin_due": lambda p: p.next_checkin_due,
            "last_checkin_on": lambda p: p.last_checkin_on,
        }
        objs = (
            Pairing.objects.filter(program=program)
            .select_related("mentor", "mentee")
            .order_by("-created_at", "pk")
        )
    elif part == "checkins":
        cols = {
            "uuid": lambda c: c.uuid,
            "pairing_uuid": lambda c: c.pairing.uuid,
            "mentor": lambda c: c.pairing.mentor.display_name,
            "mentee": lambda c: c.pairing.mentee.display_name,
            "occurred_on": lambda c: c.occurred_on,
        }
        objs = (
            CheckIn.objects.filter(pairing__program=program)
            .select_related("pairing__mentor", "pairing__mentee")
            .order_by("-occurred_on", "pk")
        )
    elif part == "goals":
        return program_goal_rows(program=program, user=user)
    else:
        raise ValueError(part)
    return list(cols), _rows(objs, cols)


def program_goal_rows(*, program, user) -> tuple[list[str], list[dict]]:
    """Goal progress of the program: the goals the admin may know exist
    (Goal.objects.visible_to: private goals are left out), with the summary the policy lets
    admins see: title, status, progress and health."""
    from goals.selectors import program_goals, with_progress

    goals = with_progress(
        program_goals(program)
        .filter(pk__in=Goal.objects.visible_to(user).values("pk"))
        .select_related("mentee")
        .order_by("mentee__email", "priority", "pk")
    )
    cols = {
        "uuid": lambda g: g.uuid,
        "mentee": lambda g: g.mentee.display_name,
        "title": lambda g: g.title,
        "status": lambda g: g.status,
        "progress_percent": lambda g: g.progress.percent,
        "expected_percent": lambda g: g.progress.expected_percent,
        "health": lambda g: g.progress.health,
    }
    return list(cols), _rows(goals, cols)


def program_export_csv(*, program, part: str, user) -> str:
    fields, rows = program_export_rows(program=program, part=part, user=user)
    return rows_to_csv(rows, fields)
