"""Time the CSV import of a 5,000-row participants file (and a pairings file) on SQLite and
on PostgreSQL: the preview (decode and check every row) and the all-or-nothing import, both
through the services and through the pages (upload, preview, confirm).

    .venv/bin/python bench/csv_import_bench.py
    BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/mydb \
        .venv/bin/python bench/csv_import_bench.py

Each database run happens in a child process (settings are read once per process) on a
throw-away test database ("<name>_csvbench"), created and dropped by Django's test machinery.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROWS = int(os.environ.get("BENCH_ROWS", "5000"))
MENTORS = ROWS // 10


def participants_file(existing_every: int = 5) -> str:
    lines = ["email,name,role,skills,interests,capacity"]
    for n in range(ROWS):
        if n < MENTORS:
            lines.append(
                f'mentor{n}@bench.example.com,Mentor {n},mentor,"python; leadership",'
                f"communication,{10 + n % 3}"
            )
        else:
            lines.append(f"mentee{n}@bench.example.com,Mentee {n},mentee,,public speaking,")
    return "\n".join(lines) + "\n"


def pairings_file() -> str:
    lines = ["mentor_email,mentee_email"]
    for n in range(MENTORS, ROWS):
        lines.append(f"mentor{n % MENTORS}@bench.example.com,mentee{n}@bench.example.com")
    return "\n".join(lines) + "\n"


def child() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = ["testserver"]
    setup_test_environment()
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        db.setdefault("TEST", {})["NAME"] = str(Path(tempfile.mkdtemp()) / "csvbench.sqlite3")
    else:
        db.setdefault("TEST", {})["NAME"] = f"{db['NAME']}_csvbench"
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(Client, SimpleUploadedFile, reverse, connection)
    finally:
        connection.creation.destroy_test_db(db["NAME"], verbosity=0)


def run(Client, SimpleUploadedFile, reverse, connection) -> None:  # noqa: N803
    from allauth.account.models import EmailAddress

    from accounts.models import User
    from mentorship import csv_import, services
    from mentorship.models import Invitation, Membership, Pairing, Program, Role

    vendor = connection.vendor
    admin = User.objects.create_user(email="bench-admin@example.com", password="x" * 16)

    def fresh_program(slug):
        program = Program.objects.create(name=slug, slug=slug)
        Membership.objects.create(program=program, user=admin, role=Role.ADMIN)
        return program

    # Some of the people already have accounts (in another program): both paths are taken.
    User.objects.bulk_create(
        [
            User(email=f"mentee{n}@bench.example.com", name=f"Mentee {n}")
            for n in range(MENTORS, ROWS, 5)
        ]
    )
    text = participants_file()
    data = text.encode()

    # 1. Services: preview, then import.
    program = fresh_program("bench-services")
    started = time.perf_counter()
    decoded, errors = csv_import.decode_upload(data)
    preview = csv_import.preview_participants(program, decoded)
    preview_s = time.perf_counter() - started
    assert preview.ok and not errors, preview.errors[:3]
    # The invitations' e-mails go to a worker after the commit: timed apart, as a worker
    # would send them.
    from unittest import mock

    from notifications import delivery
    from notifications import services as notification_services

    held: list[int] = []
    hold = mock.patch.object(
        notification_services, "enqueue_email_delivery", side_effect=held.extend
    )
    with hold:
        started = time.perf_counter()
        result = services.participants_import(program=program, text=decoded, by=admin)
        import_s = time.perf_counter() - started
    # Every row is an invitation (nobody becomes a member without accepting).
    assert result["invitations"] == ROWS, result
    report(vendor, f"participants x{ROWS}, services", preview_s, import_s)
    started = time.perf_counter()
    delivery.deliver_emails(held)
    sent_s = time.perf_counter() - started
    print(f"{vendor:<10} {'  then the worker sends e-mails':<32} {sent_s:6.2f} s", flush=True)

    # 2. Pages: upload and preview, then confirm (what an admin waits for).
    program = fresh_program("bench-pages")
    client = Client()
    client.force_login(admin)
    started = time.perf_counter()
    response = client.post(
        reverse("mentorship:import_upload", args=[program.uuid, "participants"]),
        {"file": SimpleUploadedFile("people.csv", data, content_type="text/csv")},
    )
    preview_s = time.perf_counter() - started
    assert response.status_code == 200 and "token" in response.context, response.status_code
    with hold:
        started = time.perf_counter()
        response = client.post(
            reverse("mentorship:import_confirm", args=[program.uuid, "participants"]),
            {"token": response.context["token"]},
        )
        import_s = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    invited = Invitation.objects.filter(program=program)
    assert invited.count() == ROWS
    report(vendor, f"participants x{ROWS}, pages", preview_s, import_s)
    # Everyone invited signs up (the new ones) and accepts with the address verified
    # (untimed: each is their own request).
    known = set(User.objects.values_list("email", flat=True))
    User.objects.bulk_create(
        [
            User(email=email, name=email.split("@")[0])
            for email in sorted(set(invited.values_list("email", flat=True)) - known)
        ]
    )
    accounts = {u.email: u for u in User.objects.filter(email__in=invited.values("email"))}
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True) for u in accounts.values()]
    )
    for invitation in invited:
        services.invitation_accept(invitation=invitation, user=accounts[invitation.email])
    assert Membership.objects.filter(program=program).count() == ROWS + 1

    # 3. Pairings for the program just imported (every mentee with a mentor). The notices go
    # to a worker after the commit; they are timed apart, as a worker would run them.
    from mentorship import tasks

    ptext = pairings_file()
    started = time.perf_counter()
    preview = csv_import.preview_pairings(program, ptext)
    preview_s = time.perf_counter() - started
    assert preview.ok, preview.errors[:3]
    queued = []
    with mock.patch.object(
        tasks.notify_imported_pairings, "delay", side_effect=lambda *args: queued.append(args)
    ):
        started = time.perf_counter()
        services.pairings_import(program=program, text=ptext, by=admin)
        import_s = time.perf_counter() - started
    assert Pairing.objects.filter(program=program).count() == ROWS - MENTORS
    report(vendor, f"pairings x{ROWS - MENTORS}, services", preview_s, import_s)
    batch = queued[0][0] if queued else None
    started = time.perf_counter()
    ids = list(Pairing.objects.filter(program=program).values_list("pk", flat=True))
    tasks.notify_imported_pairings(batch or "bench", ids)
    notices_s = time.perf_counter() - started
    print(f"{vendor:<10} {'  then the worker sends notices':<32} {notices_s:6.2f} s", flush=True)


def report(vendor: str, what: str, preview_s: float, import_s: float) -> None:
    total = preview_s + import_s
    verdict = "ok" if total < 10 else "OVER 10 s"
    print(
        f"{vendor:<10} {what:<32} preview {preview_s:6.2f} s   import {import_s:6.2f} s   "
        f"total {total:6.2f} s   {verdict}",
        flush=True,
    )


def main() -> int:
    if os.environ.get("CSV_BENCH_CHILD"):
        child()
        return 0
    targets = [
        ("SQLite", f"sqlite:///{tempfile.gettempdir()}/csvbench-base.sqlite3"),
        (
            "PostgreSQL",
            os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/csvbench"),
        ),
    ]
    status = 0
    for label, url in targets:
        env = {**os.environ, "CSV_BENCH_CHILD": "1", "DATABASE_URL": url}
        env.pop("REDIS_URL", None)  # eager tasks: the benchmark measures the import only
        print(f"--- {label} ({url.split('@')[-1]})", flush=True)
        done = subprocess.run([sys.executable, __file__], env=env, cwd=ROOT, check=False)  # noqa: S603
        status = status or done.returncode
    return status


if __name__ == "__main__":
    raise SystemExit(main())
