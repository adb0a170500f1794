"""Load benchmark: the main pages against the plain-Django ceiling, at scale 1 and scale 10.

1. Prepares a PostgreSQL database (BENCH_DATABASE_URL) with `seed_demo --scale 1`.
2. Starts gunicorn (2 workers, production settings, Redis at BENCH_REDIS_URL for the cache
   and sessions, emptied first) on 127.0.0.1:BENCH_PORT.
3. Signs the personas in by creating their sessions directly, warms every page up, then
   drives each for BENCH_SECONDS at 8 connections with wrk and reads its latency report.
4. Prints a table (requests/s, p50, p99, errors, ratio to the trivial view measured in the
   same run) and writes it to bench/results.md.
5. Measures the same pages again with the page cache off, so the cost of a render is on
   record too.
6. Adds scale-10 data and repeats the dashboards (cached and not), comparing with scale 1.

Run with `make bench`. Needs wrk (Debian package), PostgreSQL and Redis.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mentorship_bench"
)
PORT = int(os.environ.get("BENCH_PORT", "8100"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "20"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
BASE = f"http://127.0.0.1:{PORT}"

ENV = {
    **os.environ,
    "DATABASE_URL": DATABASE_URL,
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-" + "x" * 50,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "LOG_LEVEL": "WARNING",
}
# Production runs with Redis: the cache (pages, the signed-in user, rate limits) and sessions
# are shared by the workers. The benchmark's Redis database is emptied before each run.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
ENV["REDIS_URL"] = REDIS_URL
# One persona sends thousands of requests a second here; the API's per-user rate limit
# (1,200 a minute) would answer most of them 429. The throttle still runs on every request.
ENV["API_THROTTLE_USER"] = "10000000/minute"

# Shell out to Django inside the project: resolve URLs and create sessions for personas.
PERSONA_SCRIPT = r"""
import json, sys
import django
django.setup()
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from importlib import import_module
from django.middleware.csrf import _get_new_csrf_string
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
from django.urls import NoReverseMatch, reverse
from accounts.models import User
from goals.models import Goal
from mentorship.models import Program

scale = int(sys.argv[1])
def session_for(email):
    user = User.objects.get(email=email)
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    # A browser keeps the CSRF cookie it was given: send one, as a signed-in browser does.
    return f"sessionid={s.session_key}; csrftoken={_get_new_csrf_string()}"

def url(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None

mentee = f"scale{scale}.p0.mentee0@example.com"
mentor = f"scale{scale}.p0.mentor0@example.com"
admin = f"scale{scale}.admin0@example.com"
program = Program.objects.get(slug=f"scale{scale}-program-0")
goal = Goal.objects.filter(mentee__email=mentee).order_by("priority").first()
program_url = None
for name, arg in (("mentorship:program_dashboard", program.slug),
                  ("mentorship:program_dashboard", program.uuid),
                  ("mentorship:program_detail", program.slug),
                  ("mentorship:program_detail", program.uuid)):
    program_url = url(name, arg)
    if program_url:
        break
goal_url = None
for name in ("goals:goal_detail", "goals:detail", "goals:goal"):
    goal_url = url(name, goal.uuid)
    if goal_url:
        break
pages = [
    ("trivial view", url("ping"), None),
    ("mentee dashboard", url("goals:mentee_dashboard"), session_for(mentee)),
    ("mentor dashboard (10 mentees)", url("goals:mentor_dashboard"), session_for(mentor)),
    ("goal page", goal_url, session_for(mentee)),
    ("review queue", url("goals:review_queue"), session_for(mentor)),
    ("program dashboard", program_url, session_for(admin)),
    ("API goal list", "/api/v1/goals/", session_for(mentee)),
]
print(json.dumps(pages))
"""


def ensure_database() -> None:
    """Create the benchmark database if it does not exist yet."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(DATABASE_URL)
    params = {
        "host": config["HOST"] or "127.0.0.1",
        "port": config["PORT"] or 5432,
        "user": config["USER"] or "postgres",
        "password": config["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**params) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{config["NAME"]}"')


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=ENV, check=True)


def personas(scale: int) -> list[tuple[str, str | None, str | None]]:
    import json

    out = subprocess.run(
        [PYTHON, "-c", PERSONA_SCRIPT, str(scale)],
        cwd=ROOT,
        env={**ENV, "DJANGO_SETTINGS_MODULE": "mentorship.settings"},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [tuple(row) for row in json.loads(out.strip().splitlines()[-1])]


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def start_gunicorn(*, page_cache: bool = True) -> subprocess.Popen:
    env = dict(ENV)
    if not page_cache:
        env["PAGE_CACHE_SECONDS"] = "0"
    proc = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "mentorship.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            "-",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(BASE + "/ping", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise SystemExit("gunicorn did not start")


def fetch_status(path: str, session: str | None) -> int:
    request = urllib.request.Request(BASE + path)
    if session:
        request.add_header("Cookie", session)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def to_ms(value: str) -> float:
    number = float(re.match(r"[\d.]+", value).group())
    if value.endswith("us"):
        return number / 1000
    if value.endswith("ms"):
        return number
    if value.endswith("s"):
        return number * 1000
    return number


def run_wrk(path: str, session: str | None) -> dict:
    command = [
        "wrk",
        f"-t{min(CONNECTIONS, 2)}",
        f"-c{CONNECTIONS}",
        f"-d{SECONDS}s",
        "--latency",
    ]
    if session:
        command += ["-H", f"Cookie: {session}"]
    out = subprocess.run([*command, BASE + path], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE).group(1))
    p99 = to_ms(re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = int(non2xx.group(1)) if non2xx else 0
    if socket:
        errors += sum(int(x) for x in socket.groups())
    return {"rps": rps, "p50": p50, "p99": p99, "errors": errors}


def measure(pages, label: str) -> list[dict]:
    rows = []
    ceiling = None
    for name, path, session in pages:
        if not path:
            rows.append({"page": name, "missing": True})
            continue
        status = fetch_status(path, session)
        for _ in range(20):  # warm up caches and connections
            fetch_status(path, session)
        result = run_wrk(path, session)
        if ceiling is None and name == "trivial view":
            ceiling = result["rps"]
        result.update(page=name, path=path, status=status)
        result["ratio"] = result["rps"] / ceiling if ceiling else None
        rows.append(result)
        print(
            f"  {label} {name:32} {result['rps']:8.0f} req/s  p50 {result['p50']:6.1f} ms  "
            f"p99 {result['p99']:6.1f} ms  errors {result['errors']}  status {status}",
            flush=True,
        )
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| page | req/s | p50 ms | p99 ms | errors | ratio to trivial | first status |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        if row.get("missing"):
            lines.append(f"| {row['page']} | – | – | – | – | – | URL not found |")
            continue
        ratio = f"{row['ratio']:.2f}" if row["ratio"] is not None else "–"
        lines.append(
            f"| {row['page']} | {row['rps']:.0f} | {row['p50']:.1f} | {row['p99']:.1f} | "
            f"{row['errors']} | {ratio} | {row['status']} |"
        )
    return "\n".join(lines)


def serve_and_measure(pages, label: str, *, page_cache: bool = True) -> list[dict]:
    flush_redis()
    server = start_gunicorn(page_cache=page_cache)
    try:
        return measure(pages, label)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()


def comparison(rows1: list[dict], rows10: list[dict]) -> str:
    by_page1 = {r["page"]: r for r in rows1 if not r.get("missing")}
    lines = [
        "| page | req/s N=1 | req/s N=10 | change |",
        "|---|---:|---:|---:|",
    ]
    for row in rows10:
        if row.get("missing") or row["page"] not in by_page1:
            continue
        before = by_page1[row["page"]]["rps"]
        change = (row["rps"] - before) / before * 100
        lines.append(f"| {row['page']} | {before:.0f} | {row['rps']:.0f} | {change:+.1f}% |")
    return "\n".join(lines)


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    print(f"Preparing {DATABASE_URL} with scale-1 data", flush=True)
    ensure_database()
    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    manage("seed_demo", "--scale", "1")

    print(f"Scale 1: {SECONDS} s per page at {CONNECTIONS} connections", flush=True)
    pages1 = personas(1)
    rows1 = serve_and_measure(pages1, "N=1 ")
    print("Scale 1 without the page cache (every request renders)", flush=True)
    rows1_cold = serve_and_measure(pages1, "N=1  uncached", page_cache=False)

    print("Adding scale-10 data", flush=True)
    manage("seed_demo", "--scale", "10")
    dashboards = [p for p in personas(10) if p[0] == "trivial view" or "dashboard" in p[0]]
    rows10 = serve_and_measure(dashboards, "N=10")
    rows10_cold = serve_and_measure(dashboards, "N=10 uncached", page_cache=False)

    report = "\n\n".join(
        [
            "# Benchmark results",
            f"gunicorn, 2 workers, PostgreSQL and Redis; wrk, {CONNECTIONS} connections, "
            f"{SECONDS} s per page, each signed-in persona sending its session and CSRF cookies "
            "as a browser does; ratio = page req/s ÷ trivial view req/s in the same run. "
            "Targets: ratio ≥ 0.35, p99 < 50 ms, no errors, N=10 within 15% of N=1.",
            "## Scale 1",
            table(rows1),
            "## Scale 10 (dashboards)",
            table(rows10),
            "## Scale 10 against scale 1",
            comparison(rows1, rows10),
            "## Without the page cache (PAGE_CACHE_SECONDS=0)",
            "Every request renders its page: what a viewer's first visit after a change costs.",
            "### Scale 1",
            table(rows1_cold),
            "### Scale 10 (dashboards)",
            table(rows10_cold),
            "### Scale 10 against scale 1",
            comparison(rows1_cold, rows10_cold),
        ]
    )
    (ROOT / "bench" / "results.md").write_text(report + "\n")
    print()
    print(report)


if __name__ == "__main__":
    main()
