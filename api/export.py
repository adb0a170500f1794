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

from accounts.models import PROFILE_FIELDS, profile_of
from core.csvsafe import csv_cell
from goals.models import (
    COMMENT_FIELDS,
    GOAL_FIELDS,
    MILESTONE_FIELDS,
    PROGRESS_UPDATE_FIELDS,
    Comment,
    Goal,
    Milestone,
    ProgressUpdate,
)
from goals.policy import visible_goals_q
from mentorship.models import (
    CHECKIN_FIELDS,
    MEMBERSHIP_FIELDS,
    PAIRING_FIELDS,
    CheckIn,
    Membership,
    Pairing,
    SurveyResponse,
)
from mentorship.selectors import program_memberships
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
    """The rows as CSV, every cell made safe to open in a spreadsheet (core.csvsafe)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(fieldnames), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                k: csv_cell(json.dumps(v) if isinstance(v, dict | list) else v)
                for k, v in row.items()
            }
        )
    return out.getvalue()


def _user_ref(user) -> str | None:
    return user.display_name if user is not None else None


def _rows(objects, columns: dict) -> list[dict]:
    return [{name: plain(get(obj)) for name, get in columns.items()} for obj in objects]


def _fields(names) -> dict:
    """Columns that are the object's own fields of these names (an entity's field list)."""
    return {name: (lambda n: lambda obj: getattr(obj, n))(name) for name in names}


def user_export_data(user) -> dict[str, tuple[list[str], list[dict]]]:
    """Every data set the user owns: name -> (column names, rows). Twelve queries (the
    profile's row is one)."""
    own = user.pk
    profile = profile_of(user)
    sets = {
        "profile": (
            [user],
            {
                "uuid": lambda u: u.uuid,
                "email": lambda u: u.email,
                "name": lambda u: u.name,
                "timezone": lambda u: u.timezone,
                "date_joined": lambda u: u.date_joined,
                **{
                    name: (lambda n: lambda u: getattr(profile, n))(name) for name in PROFILE_FIELDS
                },
            },
        ),
        "memberships": (
            Membership.objects.filter(user=user).select_related("program"),
            {
                "uuid": lambda m: m.uuid,
                "program": lambda m: m.program.name,
                "program_uuid": lambda m: m.program.uuid,
                **_fields(MEMBERSHIP_FIELDS),
                "joined_at": lambda m: m.joined_at,
            },
        ),
        "goals": (
            Goal.objects.filter(mentee=user).select_related("program", "pairing"),
            {
                **_fields(
                    (
                        "uuid",
                        *GOAL_FIELDS,
                        "current_value",
                        "priority",
                        "status",
                        "completed_at",
                        "created_at",
                        "updated_at",
                        "archived_at",
                    )
                ),
                "archived": lambda g: g.archived_at is not None,
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
                **_fields(MILESTONE_FIELDS),
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
                **_fields(PROGRESS_UPDATE_FIELDS),
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
                **_fields(COMMENT_FIELDS),
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
                "mentor": lambda p: p.mentor_name,
                "mentee": lambda p: p.mentee_name,
                **_fields(PAIRING_FIELDS),
            },
        ),
        "checkins": (
            CheckIn.objects.filter(Q(pairing__mentor=user) | Q(pairing__mentee=user))
            .select_related("pairing", "logged_by")
            .order_by("occurred_on", "pk"),
            {
                "uuid": lambda c: c.uuid,
                "pairing_uuid": lambda c: c.pairing.uuid,
                **_fields(CHECKIN_FIELDS),
                "logged_by": lambda c: _user_ref(c.logged_by),
                "created_at": lambda c: c.created_at,
            },
        ),
        "survey_answers": (
            SurveyResponse.objects.filter(author=user)
            .select_related("pairing")
            .order_by("created_at", "pk"),
            {
                "uuid": lambda r: r.uuid,
                "pairing_uuid": lambda r: r.pairing.uuid,
                "kind": lambda r: r.kind,
                "round": lambda r: r.round,
                "match_score": lambda r: r.match_score,
                "progress_score": lambda r: r.progress_score,
                "goals_met": lambda r: r.goals_met,
                "recommend": lambda r: r.recommend,
                "comment": lambda r: r.comment,
                "shared": lambda r: r.shared,
                "created_at": lambda r: r.created_at,
                "updated_at": lambda r: r.updated_at,
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


def program_export_rows(*, program, part: str, viewer) -> tuple[list[str], list[dict]]:
    """One CSV's columns and rows. The caller has checked that the viewer runs `program`;
    only what the access policy shows admins is included: memberships, pairings, check-in
    dates (not what was said) and, of goals, title, status, progress and health."""
    if part == "members":
        cols = {
            "uuid": lambda m: m.uuid,
            "name": lambda m: m.user.display_name,
            "email": lambda m: m.user.email,
            **_fields(MEMBERSHIP_FIELDS),
            "joined_at": lambda m: m.joined_at,
        }
        objs = program_memberships(program)
    elif part == "pairings":
        cols = {
            "uuid": lambda p: p.uuid,
            "mentor": lambda p: p.mentor_name,
            "mentor_email": lambda p: p.mentor.email if p.mentor else "",
            "mentee": lambda p: p.mentee_name,
            "mentee_email": lambda p: p.mentee.email if p.mentee else "",
            **_fields(PAIRING_FIELDS),
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
            "mentor": lambda c: c.pairing.mentor_name,
            "mentee": lambda c: c.pairing.mentee_name,
            "occurred_on": lambda c: c.occurred_on,
        }
        objs = (
            CheckIn.objects.filter(pairing__program=program)
            .select_related("pairing__mentor", "pairing__mentee")
            .order_by("-occurred_on", "pk")
        )
    elif part == "goals":
        return program_goal_rows(program=program, viewer=viewer)
    else:
        raise ValueError(part)
    return list(cols), _rows(objs, cols)


def program_goal_rows(*, program, viewer) -> tuple[list[str], list[dict]]:
    """Goal progress of the program: the goals the admin may know exist
    (goals.policy.visible_goals_q: private goals are left out), with the summary the policy
    lets admins see: title, status, progress and health."""
    from goals.selectors import program_goals, with_progress

    goals = with_progress(
        program_goals(program)
        .filter(visible_goals_q(viewer))
        .select_related("mentee")
        .order_by("mentee__email", "priority", "pk")
    )
    cols = {
        "uuid": lambda g: g.uuid,
        "mentee": lambda g: g.mentee.display_name,
        "title": lambda g: g.title,
        "status": lambda g: g.status,
        "archived": lambda g: g.archived_at is not None,
        "progress_percent": lambda g: g.progress.percent,
        "expected_percent": lambda g: g.progress.expected_percent,
        "health": lambda g: g.progress.health,
    }
    return list(cols), _rows(goals, cols)


def program_export_csv(*, program, part: str, viewer) -> str:
    """One part of a program's export as CSV text; `viewer` is a viewer or a user."""
    fields, rows = program_export_rows(program=program, part=part, viewer=viewer)
    return rows_to_csv(rows, fields)
