"""The Django side of bench/run_bench.py, run in a subprocess with the benchmark's settings
(DJANGO_SETTINGS_MODULE=bench.settings) against the benchmark's database. Prints JSON.

    python -m bench.probe pages SCALE      the measured pages: [name, path, cookie header]
    python -m bench.probe personas SCALE   accounts for the mixed workload (bench/locustfile.py)
    python -m bench.probe queries SCALE    queries per page: [name, path, status, queries]

Personas are signed in by creating their sessions directly (no password hashing), each with a
CSRF cookie, as a browser that signed in earlier keeps them.
"""

import json
import sys
from importlib import import_module

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.db import connection  # noqa: E402
from django.middleware.csrf import _get_new_csrf_string  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from accounts.models import User  # noqa: E402
from goals.models import Goal, GoalStatus  # noqa: E402
from mentorship.models import Program  # noqa: E402

SessionStore = import_module(settings.SESSION_ENGINE).SessionStore

# Distinct accounts for the mixed workload, more than it signs in at once.
MIXED_MENTEES = 60
MIXED_MENTORS = 10
MIXED_ADMINS = 10


def cookie_for(email: str) -> str:
    user = User.objects.get(email=email)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    csrf = f"{settings.CSRF_COOKIE_NAME}={_get_new_csrf_string()}"
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {csrf}"


def first_url(*candidates: tuple) -> str | None:
    """The first of (name, arg...) that reverses: pages keep working while URLs are renamed."""
    for name, *args in candidates:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return None


def program_url(program: Program) -> str | None:
    return first_url(
        ("mentorship:program_dashboard", program.uuid),
        ("mentorship:program_dashboard", program.slug),
        ("mentorship:program_detail", program.uuid),
    )


def goal_url(goal: Goal) -> str | None:
    return first_url(("goals:goal_detail", goal.uuid))


def page_specs(scale: int) -> list[tuple[str, str | None, str | None]]:
    """(page, path, email of the viewer or None) for every measured page."""
    mentee = f"scale{scale}.p0.mentee0@example.com"
    mentor = f"scale{scale}.p0.mentor0@example.com"
    admin = f"scale{scale}.admin0@example.com"
    program = Program.objects.get(slug=f"scale{scale}-program-0")
    goal = Goal.objects.filter(mentee__email=mentee).order_by("priority").first()
    return [
        ("trivial view", first_url(("ping",)), None),
        ("plain Django page", first_url(("bench_plain",)), mentee),
        ("mentee dashboard", first_url(("goals:mentee_dashboard",)), mentee),
        ("mentor dashboard (10 mentees)", first_url(("goals:mentor_dashboard",)), mentor),
        ("goal page", goal_url(goal), mentee),
        ("review queue", first_url(("goals:review_queue",)), mentor),
        ("program dashboard", program_url(program), admin),
        ("API goal list", "/api/v1/goals/", mentee),
    ]


def pages(scale: int) -> list:
    return [
        [name, path, cookie_for(email) if email else None]
        for name, path, email in page_specs(scale)
    ]


def personas(scale: int) -> dict:
    """Mentees of several programs and the busy mentor and admin of each program: the
    mentors' review queues fill with the mentees' updates as the workload runs."""
    programs = 10 * scale
    mentees = [
        f"scale{scale}.p{p}.mentee{e}@example.com" for e in range(10) for p in range(programs)
    ][:MIXED_MENTEES]
    result = {
        "urls": {
            "mentee dashboard": first_url(("goals:mentee_dashboard",)),
            "goal list": first_url(("goals:goal_list",)),
            "mentor dashboard": first_url(("goals:mentor_dashboard",)),
            "review queue": first_url(("goals:review_queue",)),
        },
        "mentee": [],
        "mentor": [],
        "admin": [],
    }
    for email in mentees:
        goals = Goal.objects.filter(mentee__email=email, status=GoalStatus.ACTIVE)
        result["mentee"].append(
            {
                "email": email,
                "cookie": cookie_for(email),
                "goals": [goal_url(goal) for goal in goals.order_by("priority")],
            }
        )
    for p in range(min(programs, MIXED_MENTORS)):
        email = f"scale{scale}.p{p}.mentor0@example.com"
        result["mentor"].append({"email": email, "cookie": cookie_for(email)})
    for p in range(min(programs, MIXED_ADMINS)):
        email = f"scale{scale}.admin{p}@example.com"
        program = Program.objects.get(slug=f"scale{scale}-program-{p}")
        result["admin"].append(
            {"email": email, "cookie": cookie_for(email), "program": program_url(program)}
        )
    return result


def queries(scale: int) -> list:
    """Queries of each page for a viewer who has just seen it (session and caches warm),
    counted with Django's test client through the whole middleware stack."""
    rows = []
    for name, path, email in page_specs(scale):
        if not path:
            rows.append([name, None, None, None])
            continue
        client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
        if email:
            client.force_login(User.objects.get(email=email))
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        rows.append([name, path, response.status_code, len(captured.captured_queries)])
    return rows


COMMANDS = {"pages": pages, "personas": personas, "queries": queries}

if __name__ == "__main__":
    command, scale = sys.argv[1], int(sys.argv[2])
    print(json.dumps(COMMANDS[command](scale)))
