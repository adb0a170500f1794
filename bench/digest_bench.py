"""Benchmark (not a test): compose weekly digests for 10,000 recipients.

    .venv/bin/python bench/digest_bench.py                       # SQLite file in /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/digest_bench.py

Creates 5,000 mentor-mentee pairs (10,000 recipients) with goals, progress updates,
milestones and comments using bulk_create, composes every mentor and mentee digest the way
the dispatcher does (batches of 500, a fixed number of queries per batch), and prints digests
per second and queries per 1,000 recipients. Everything runs in one transaction that is
rolled back at the end, so the database is left as it was. Target: 2,000 digests/s or more.
"""

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/digest_bench.sqlite3")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from goals.models import Comment, Goal, GoalStatus, Milestone, ProgressUpdate  # noqa: E402
from mentorship.models import Membership, Pairing, PairingStatus, Program, Role  # noqa: E402
from notifications import dispatch  # noqa: E402
from notifications.email import build_notification_email  # noqa: E402
from notifications.kinds import Kind  # noqa: E402
from notifications.models import Notification  # noqa: E402

ZONES = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe"]


class Rollback(Exception):
    pass


def make_data(pairs: int) -> tuple[list[int], list[int]]:
    rng = random.Random(5)
    now = timezone.now()
    today = now.date()
    program = Program.objects.create(name="Bench program", slug=f"bench-{int(time.time())}")
    users = User.objects.bulk_create(
        User(
            email=f"bench{i}@example.com",
            name=f"Bench Person {i}",
            password="!",
            timezone=ZONES[i % len(ZONES)],
        )
        for i in range(pairs * 2)
    )
    mentors, mentees = users[:pairs], users[pairs:]
    Membership.objects.bulk_create(
        [Membership(program=program, user=u, role=Role.MENTOR) for u in mentors]
        + [Membership(program=program, user=u, role=Role.MENTEE) for u in mentees],
        batch_size=2000,
    )
    pairings = Pairing.objects.bulk_create(
        (
            Pairing(
                program=program,
                mentor=mentor,
                mentee=mentee,
                status=PairingStatus.ACTIVE,
                started_on=today - timedelta(days=60),
                next_checkin_due=today + timedelta(days=rng.randint(-3, 14)),
            )
            for mentor, mentee in zip(mentors, mentees, strict=True)
        ),
        batch_size=2000,
    )
    goals = Goal.objects.bulk_create(
        (
            Goal(
                mentee_id=p.mentee_id,
                pairing=p,
                program=program,
                title=f"Goal {g} of {p.id}",
                baseline_value=Decimal(0),
                target_value=Decimal(10),
                current_value=Decimal(rng.randint(0, 10)),
                status=GoalStatus.ACTIVE,
                starts_on=today - timedelta(days=30),
                target_date=today + timedelta(days=60),
            )
            for p in pairings
            for g in range(2)
        ),
        batch_size=2000,
    )
    ProgressUpdate.objects.bulk_create(
        (
            ProgressUpdate(
                goal=goal,
                author_id=goal.mentee_id,
                value=Decimal(u),
                note="Practised again",
                created_at=now - timedelta(days=rng.randint(0, 10)),
            )
            for goal in goals
            for u in range(3)
        ),
        batch_size=5000,
    )
    Milestone.objects.bulk_create(
        (
            Milestone(
                goal=goal,
                title=f"Step {m}",
                due_on=today + timedelta(days=rng.randint(-7, 14)),
                completed_at=now - timedelta(days=1) if m == 0 else None,
                position=m,
            )
            for goal in goals
            for m in range(2)
        ),
        batch_size=5000,
    )
    mentor_of = {p.mentee_id: p.mentor_id for p in pairings}
    Comment.objects.bulk_create(
        (
            Comment(goal=goal, author_id=mentor_of[goal.mentee_id], body="Well done, keep going")
            for goal in goals
        ),
        batch_size=5000,
    )
    return [u.id for u in mentors], [u.id for u in mentees]


def compose(kind: str, ids: list[int], batch: int) -> tuple[int, float, int]:
    now = timezone.now()
    composed = 0
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        for start in range(0, len(ids), batch):
            chunk = [
                {"id": user_id, "key": f"{kind}:bench:{user_id}"}
                for user_id in ids[start : start + batch]
            ]
            composed += len(dispatch.digest_rows(kind, chunk, now=now, moments={}))
        elapsed = time.perf_counter() - started
    return composed, elapsed, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5000, help="pairs (recipients = 2 x pairs)")
    parser.add_argument("--batch", type=int, default=dispatch.BATCH_SIZE)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    reverse("home")  # load the URLconf now: a one-time import, not part of composing
    vendor = connection.vendor
    try:
        with transaction.atomic():
            started = time.perf_counter()
            mentor_ids, mentee_ids = make_data(args.pairs)
            if vendor == "postgresql":
                # Planner statistics for the fresh rows, as autovacuum would have them on a
                # live database (ANALYZE, unlike VACUUM, runs inside the transaction).
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            print(
                f"[{vendor}] data for {2 * args.pairs} recipients made in "
                f"{time.perf_counter() - started:.1f}s"
            )

            total, total_time, total_queries = 0, 0.0, 0
            for kind, ids in ((Kind.DIGEST_MENTOR, mentor_ids), (Kind.DIGEST_MENTEE, mentee_ids)):
                n, elapsed, queries = compose(kind, ids, args.batch)
                total, total_time, total_queries = (
                    total + n,
                    total_time + elapsed,
                    total_queries + queries,
                )
                print(
                    f"[{vendor}] {kind}: {n} digests in {elapsed:.2f}s = {n / elapsed:,.0f}/s, "
                    f"{queries} queries ({1000 * queries / len(ids):.1f} per 1,000 recipients)"
                )
            print(
                f"[{vendor}] composed {total} digests in {total_time:.2f}s: "
                f"{total / total_time:,.0f} digests/s, "
                f"{1000 * total_queries / total:.1f} queries per 1,000 recipients "
                f"(batches of {args.batch})"
            )

            # Storing them, as the dispatcher does, and rendering a sample of e-mails.
            rows = dispatch.digest_rows(
                Kind.DIGEST_MENTOR,
                [{"id": i, "key": f"bench:store:{i}"} for i in mentor_ids[:1000]],
                now=timezone.now(),
                moments={},
            )
            started = time.perf_counter()
            Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
            stored = time.perf_counter() - started
            sample = list(
                Notification.objects.filter(dedupe_key__startswith="bench:store:").select_related(
                    "recipient"
                )[:500]
            )
            started = time.perf_counter()
            for row in sample:
                build_notification_email([row]).message()
            rendered = time.perf_counter() - started
            print(
                f"[{vendor}] stored 1,000 digests in {stored:.2f}s; rendered {len(sample)} "
                f"e-mails (text + HTML) at {len(sample) / rendered:,.0f}/s"
            )
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
