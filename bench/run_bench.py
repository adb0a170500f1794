"""Load benchmark: what people wait for on the main pages, at scale 1 and scale 10.

1. Prepares a PostgreSQL database (BENCH_DATABASE_URL) with `seed_demo --scale 1`.
2. wrk: starts gunicorn (2 sync workers, production settings, the page cache off, Redis at
   BENCH_REDIS_URL for the cache and sessions, emptied first) and drives each page for
   BENCH_SECONDS at 8 connections, read-only, each signed-in persona sending its session and
   CSRF cookies. Beside the pages: the trivial view (/ping) and a plain Django page
   (bench/plain/, a 20-row list in a plain template, see bench/views.py) served by the same
   server through bench.settings. Every page's requests/s is compared with the trivial
   view's in the same run (measured again at the end, to show drift on a shared machine).
3. mixed: 40 locust users with 1 to 3 s think time, each its own mentee, mentor or program
   admin, reading pages and logging or acknowledging progress (bench/locustfile.py), for
   BENCH_MIXED_SECONDS; percentiles over all requests, reads and writes.
4. Adds scale-10 data and repeats the dashboards (wrk), comparing with scale 1.
5. queries: counts each page's queries at scale 1 and scale 10 with Django's test client.
6. Writes the tables to bench/results.md (and prints them).

BENCH_ONLY=wrk,queries,mixed (any of them) runs those parts only and replaces only their
sections of results.md. BENCH_PAGE_CACHE=1 adds passes with the page cache on (wrk and
mixed), for as long as the code has one.

Run with `make bench`. Needs wrk (Debian package), locust (dev dependency), PostgreSQL and
Redis.
"""

import csv
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.md"
PYTHON = sys.executable
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mentorship_bench"
)
PORT = int(os.environ.get("BENCH_PORT", "8100"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "20"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "8"))
MIXED_SECONDS = int(os.environ.get("BENCH_MIXED_SECONDS", "120"))
MIXED_USERS = 40
PAGE_CACHE = os.environ.get("BENCH_PAGE_CACHE", "") == "1"
PARTS = ("wrk", "queries", "mixed")
BASE = f"http://127.0.0.1:{PORT}"

ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DATABASE_URL": DATABASE_URL,
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-" + "x" * 50,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "LOG_LEVEL": "WARNING",
    "PAGE_CACHE_SECONDS": "0",
}
# Production runs with Redis: the cache and sessions are shared by the workers. The
# benchmark's Redis database is emptied before each server start.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
ENV["REDIS_URL"] = REDIS_URL
# One persona sends thousands of requests a second here; the API's per-user rate limit
# (1,200 a minute) would answer most of them 429. The throttle still runs on every request.
ENV["API_THROTTLE_USER"] = "10000000/minute"

# Targets: requests/s of a page ÷ the trivial view's, uncached.
RATIO_TARGET = 0.07
RATIO_TARGETS = {"program dashboard": 0.05}
TRIVIAL_AGAIN = "trivial view, again at the end"
YARDSTICKS = ("trivial view", "plain Django page", TRIVIAL_AGAIN)
MAX_QUERIES = 8
MIXED_P50_TARGET = 15.0
MIXED_P99_TARGET = 60.0


def selected_parts() -> set[str]:
    only = os.environ.get("BENCH_ONLY", "").strip()
    if not only:
        return set(PARTS)
    parts = {part.strip() for part in only.split(",") if part.strip()}
    unknown = parts - set(PARTS)
    if unknown:
        raise SystemExit(f"BENCH_ONLY: unknown part(s) {', '.join(sorted(unknown))}")
    return parts


# --- Database, Django, server --------------------------------------------------------------


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


def probe(command: str, scale: int):
    """Run a bench/probe.py command in the project (bench.settings) and return its JSON."""
    out = subprocess.run(
        [PYTHON, "-m", "bench.probe", command, str(scale)],
        cwd=ROOT,
        env=ENV,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def start_gunicorn(*, page_cache: bool = False) -> subprocess.Popen:
    env = dict(ENV)
    if page_cache:
        del env["PAGE_CACHE_SECONDS"]  # the code's default with Redis
    proc = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "config.wsgi:application",
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


def serve(run, *, page_cache: bool = False):
    """Start a fresh server (empty Redis) and return run()'s result."""
    flush_redis()
    server = start_gunicorn(page_cache=page_cache)
    try:
        return run()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()


# --- wrk: requests/s per page ---------------------------------------------------------------


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


def run_wrk(path: str, session: str | None, seconds: int = SECONDS) -> dict:
    command = [
        "wrk",
        f"-t{min(CONNECTIONS, 2)}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
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
    """wrk on each page in turn; the trivial view again at the end shows how much the
    machine's other work changed during the pass (the ratios assume it did not)."""
    trivial = next((page for page in pages if page[0] == "trivial view"), None)
    if trivial:
        pages = [*pages, (TRIVIAL_AGAIN, *trivial[1:])]
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


def mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def ratio_target(page: str) -> float | None:
    if page in YARDSTICKS:
        return None
    return RATIO_TARGETS.get(page, RATIO_TARGET)


def wrk_table(rows: list[dict], *, targets: bool) -> str:
    columns = ["page", "req/s", "p50 ms", "p99 ms", "errors", "ratio to trivial"]
    columns += ["target"] if targets else []
    columns += ["first status"]
    lines = [
        "| " + " | ".join(columns) + " |",
        "|---|" + "---:|" * (len(columns) - 1),
    ]
    for row in rows:
        if row.get("missing"):
            cells = [row["page"], *["–"] * (len(columns) - 2), "URL not found"]
            lines.append("| " + " | ".join(cells) + " |")
            continue
        ratio = row["ratio"]
        cells = [
            row["page"],
            f"{row['rps']:.0f}",
            f"{row['p50']:.1f}",
            f"{row['p99']:.1f}",
            str(row["errors"]),
            f"{ratio:.3f}" if ratio is not None else "–",
        ]
        if targets:
            target = ratio_target(row["page"])
            if target is None or ratio is None:
                cells.append("–")
            else:
                cells.append(f"≥ {target:.2f} {mark(ratio >= target)}")
        cells.append(str(row["status"]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def comparison(rows1: list[dict], rows10: list[dict]) -> str:
    by_page1 = {r["page"]: r for r in rows1 if not r.get("missing")}
    lines = [
        "| page | req/s N=1 | req/s N=10 | change | p99 ms N=1 | p99 ms N=10 |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows10:
        if row.get("missing") or row["page"] not in by_page1:
            continue
        before = by_page1[row["page"]]
        change = (row["rps"] - before["rps"]) / before["rps"] * 100
        lines.append(
            f"| {row['page']} | {before['rps']:.0f} | {row['rps']:.0f} | {change:+.1f}% | "
            f"{before['p99']:.1f} | {row['p99']:.1f} |"
        )
    return "\n".join(lines)


def wrk_pass(pages, label: str) -> dict[str, list[dict]]:
    """The pages rendered on every request, and (BENCH_PAGE_CACHE=1) from the page cache."""
    print(f"wrk, {label}, page cache off: {SECONDS} s per page at {CONNECTIONS} connections")
    rows = {"uncached": serve(lambda: measure(pages, label))}
    if PAGE_CACHE:
        print(f"wrk, {label}, page cache on", flush=True)
        rows["cached"] = serve(lambda: measure(pages, f"{label} cached"), page_cache=True)
    return rows


def wrk_section(rows1: dict[str, list[dict]], rows10: dict[str, list[dict]]) -> str:
    parts = [
        "## Rendering every request (page cache off)",
        f"gunicorn, 2 sync workers, PostgreSQL and Redis, `PAGE_CACHE_SECONDS=0`; wrk, "
        f"{CONNECTIONS} connections, {SECONDS} s per page, read-only, each signed-in persona "
        "sending its session and CSRF cookies as a browser does. Ratio = page req/s ÷ "
        "trivial view req/s in the same run. The plain Django page (bench/plain/: session, "
        "user, 20 rows and a count in a plain template) is what a straightforward page costs "
        "on the same server. The trivial view runs again after the pages: when the two "
        "differ much, other work on the machine moved the ratios. "
        f"Targets: ratio ≥ {RATIO_TARGET:.2f} (program dashboard ≥ "
        f"{RATIO_TARGETS['program dashboard']:.2f}), no errors.",
        "### Scale 1",
        wrk_table(rows1["uncached"], targets=True),
        "### Scale 10 (dashboards)",
        wrk_table(rows10["uncached"], targets=True),
        "### Scale 10 against scale 1",
        comparison(rows1["uncached"], rows10["uncached"]),
    ]
    if "cached" in rows1:
        parts += [
            "## With the page cache on (BENCH_PAGE_CACHE=1)",
            "Repeat views of an unchanged page, served from the cache.",
            "### Scale 1",
            wrk_table(rows1["cached"], targets=False),
            "### Scale 10 (dashboards)",
            wrk_table(rows10["cached"], targets=False),
            "### Scale 10 against scale 1",
            comparison(rows1["cached"], rows10["cached"]),
        ]
    return "\n\n".join(parts)


# --- Queries per page -----------------------------------------------------------------------


def queries_section() -> str:
    print("Counting queries per page at scale 1 and scale 10", flush=True)
    flush_redis()
    counts = {scale: probe("queries", scale) for scale in (1, 10)}
    lines = [
        "## Queries per page",
        "Django's test client with bench.settings against the benchmark database, page cache "
        "off: the queries of a viewer's second request (session and caches warm). "
        f"Target: the same at both scales, at most {MAX_QUERIES}.",
        "",
        "| page | queries N=1 | queries N=10 | target |",
        "|---|---:|---:|---|",
    ]
    for (name, _, status1, n1), (_, _, status10, n10) in zip(counts[1], counts[10], strict=True):
        cells = []
        for status, n in ((status1, n1), (status10, n10)):
            cells.append(str(n) if status == 200 else f"{n} (status {status})")
        ok = status1 == status10 == 200 and n1 == n10 and n1 <= MAX_QUERIES
        lines.append(f"| {name} | {cells[0]} | {cells[1]} | {mark(ok)} |")
        print(f"  {name:32} N=1 {cells[0]:>14}  N=10 {cells[1]:>14}", flush=True)
    return "\n".join(lines)


# --- Mixed workload (locust) ----------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def run_locust(personas: dict, workdir: Path) -> dict:
    personas_file = workdir / "personas.json"
    personas_file.write_text(json.dumps(personas))
    timings_file = workdir / "timings.json"
    timings_file.unlink(missing_ok=True)
    csv_prefix = workdir / "locust"
    subprocess.run(
        [
            PYTHON,
            "-m",
            "locust",
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--users",
            str(MIXED_USERS),
            "--spawn-rate",
            "10",
            "--run-time",
            f"{MIXED_SECONDS}s",
            "--host",
            BASE,
            "--csv",
            str(csv_prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env={**ENV, "BENCH_PERSONAS": str(personas_file), "BENCH_TIMINGS": str(timings_file)},
        check=False,  # locust exits 1 when a request failed; the report says which
    )
    with open(f"{csv_prefix}_stats.csv", newline="") as stats:
        by_name = {row["Name"]: row for row in csv.DictReader(stats)}
    recorded = json.loads(timings_file.read_text())
    by_name.pop("Aggregated", None)
    result = {"kinds": {}, "names": by_name}
    everything = []
    for kind, values in recorded["timings"].items():
        everything += values
        if values:
            result["kinds"][kind] = {
                "requests": len(values),
                "failures": recorded["failures"].get(kind, 0),
                "rps": len(values) / MIXED_SECONDS,
                "p50": percentile(values, 50),
                "p99": percentile(values, 99),
            }
    result["all"] = {
        "requests": len(everything),
        "failures": sum(recorded["failures"].values()),
        "rps": len(everything) / MIXED_SECONDS,
        "p50": percentile(everything, 50) if everything else math.nan,
        "p99": percentile(everything, 99) if everything else math.nan,
    }
    return result


def mixed_table(result: dict) -> str:
    lines = [
        "| requests | count | failures | req/s | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, key in (("all", "all"), ("reads", "read"), ("writes", "write")):
        row = result["all"] if key == "all" else result["kinds"].get(key)
        if row:
            lines.append(
                f"| {label} | {row['requests']} | {row['failures']} | {row['rps']:.1f} | "
                f"{row['p50']:.1f} | {row['p99']:.1f} |"
            )
    every, reads, writes = result["all"], result["kinds"].get("read"), result["kinds"].get("write")
    write_ok = bool(reads and writes and writes["p50"] <= reads["p50"])
    lines += [
        "",
        f"Targets: p50 ≤ {MIXED_P50_TARGET:.0f} ms {mark(every['p50'] <= MIXED_P50_TARGET)}, "
        f"p99 ≤ {MIXED_P99_TARGET:.0f} ms {mark(every['p99'] <= MIXED_P99_TARGET)} over all "
        f"requests; writes no slower than reads (write p50 ≤ read p50) {mark(write_ok)}; "
        f"no errors {mark(every['failures'] == 0)}.",
        "",
        "| request | count | failures | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, row in sorted(result["names"].items()):
        lines.append(
            f"| {name} | {row['Request Count']} | {row['Failure Count']} | "
            f"{row['50%']} | {row['99%']} |"
        )
    lines += ["", "Per request: locust's own figures (percentiles rounded by locust)."]
    return "\n".join(lines)


def warm_up(personas: dict) -> None:
    """Every page of the workload a few times, so both workers have loaded their templates
    and connections before the clock runs (as the wrk pass warms each page up)."""
    urls = personas["urls"]
    mentee, mentor, admin = personas["mentee"][0], personas["mentor"][0], personas["admin"][0]
    visits = [
        (urls["mentee dashboard"], mentee),
        (urls["goal list"], mentee),
        (mentee["goals"][0], mentee),
        (urls["mentor dashboard"], mentor),
        (urls["review queue"], mentor),
        (admin["program"], admin),
    ]
    for path, account in visits:
        for _ in range(10):
            fetch_status(path, account["cookie"])


def mixed_pass(personas: dict, workdir: Path) -> tuple[dict, str]:
    warm_up(personas)
    # The machine may be shared: the trivial view's rate just before says how busy it was.
    context = ""
    if shutil.which("wrk"):
        trivial = run_wrk("/ping", None, seconds=5)
        context = f"trivial view just before: {trivial['rps']:.0f} req/s (wrk, 5 s); "
    load = os.getloadavg()[0]
    result = run_locust(personas, workdir)
    context += f"load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end."
    return result, context[0].upper() + context[1:]


def mixed_section(workdir: Path) -> str:
    passes = [("page cache off", False)]
    if PAGE_CACHE:
        passes.append(("page cache on", True))
    parts = [
        "## Mixed workload",
        f"locust, {MIXED_USERS} users for {MIXED_SECONDS} s on the scale-1 data, each its own "
        "account (mentees; 6 mentors; 2 program admins), 1 to 3 s between actions: mentees "
        "read their dashboard, goal list and goal pages and log progress every fifth action, "
        "mentors read their dashboard and review queue and acknowledge an update, admins read "
        "their program dashboard. gunicorn, 2 sync workers, warmed up first. Percentiles over "
        "the recorded response times.",
    ]
    for label, page_cache in passes:
        print(f"Mixed workload, {label}: {MIXED_USERS} users, {MIXED_SECONDS} s", flush=True)
        personas = probe("personas", 1)
        result, context = serve(partial(mixed_pass, personas, workdir), page_cache=page_cache)
        table = mixed_table(result)
        print(table, context, sep="\n\n", flush=True)
        parts += [f"### {label[0].upper()}{label[1:]}", table, context]
    return "\n\n".join(parts)


# --- Report ---------------------------------------------------------------------------------

SECTION = re.compile(r"<!-- bench:(\w+) -->\n(.*?)\n<!-- /bench:\1 -->", re.DOTALL)


def write_report(sections: dict[str, str]) -> str:
    """Write results.md; sections not measured in this run (BENCH_ONLY) are kept."""
    kept = dict(SECTION.findall(RESULTS.read_text())) if RESULTS.exists() else {}
    merged = {part: sections.get(part) or kept.get(part) for part in PARTS}
    body = "\n\n".join(
        f"<!-- bench:{part} -->\n{text}\n<!-- /bench:{part} -->"
        for part, text in merged.items()
        if text
    )
    RESULTS.write_text(f"# Benchmark results\n\n{body}\n")
    return body


def main() -> None:
    parts = selected_parts()
    if "wrk" in parts and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    print(f"Preparing {DATABASE_URL} with scale-1 data", flush=True)
    ensure_database()
    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    manage("seed_demo", "--scale", "1")
    measured = f"Measured {datetime.now(UTC):%Y-%m-%d}."
    sections = {}

    # Scale 1 first, with no other data in a fresh database.
    if "wrk" in parts:
        rows1 = wrk_pass(probe("pages", 1), "N=1 ")
    if "mixed" in parts:
        with tempfile.TemporaryDirectory(prefix="bench-mixed-") as workdir:
            sections["mixed"] = f"{mixed_section(Path(workdir))}\n\n{measured}"
    if parts & {"wrk", "queries"}:
        print("Adding scale-10 data", flush=True)
        manage("seed_demo", "--scale", "10")
    if "wrk" in parts:
        dashboards = [
            page for page in probe("pages", 10) if page[0] in YARDSTICKS or "dashboard" in page[0]
        ]
        rows10 = wrk_pass(dashboards, "N=10")
        sections["wrk"] = f"{wrk_section(rows1, rows10)}\n\n{measured}"
    if "queries" in parts:
        sections["queries"] = f"{queries_section()}\n\n{measured}"

    print()
    print(write_report(sections))


if __name__ == "__main__":
    main()
