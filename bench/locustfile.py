"""Mixed workload for bench/run_bench.py: signed-in people reading and writing at once.

Every simulated user is its own persona (a distinct account whose session bench/probe.py
created), waits 1 to 3 s between actions and sends its session and CSRF cookies as a browser
does; POSTs carry the token from the page they were made on.

- Mentees (most users) read their dashboard, their goal list and a goal page; every fifth
  action they log progress with that goal page's form (success is the redirect back to it).
- Mentors read their dashboard and review queue and acknowledge an update from the queue as
  the page's htmx form does (X-CSRFToken header, the reviewed item comes back).
- Program admins read their program dashboard.

Requests are named "read: ..." or "write: ...". Every response time is kept and written as
JSON to BENCH_TIMINGS when the run stops, so run_bench.py can compute percentiles of reads
and writes. BENCH_PERSONAS names the JSON file of accounts (`python -m bench.probe personas`).
"""

import itertools
import json
import os
import random
import re
from pathlib import Path

from locust import HttpUser, between, events, task

PERSONAS = json.loads(Path(os.environ["BENCH_PERSONAS"]).read_text())
URLS = PERSONAS["urls"]
TIMINGS: dict[str, list[float]] = {"read": [], "write": []}
FAILURES: dict[str, int] = {"read": 0, "write": 0}

FORM_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
HEADER_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')
ACKNOWLEDGE_FORM = re.compile(r'<form method="post" action="([^"]+/acknowledge/)"')


@events.request.add_listener
def keep_timing(name, response_time, exception, **_kwargs):
    kind = name.split(":", 1)[0]
    TIMINGS.setdefault(kind, []).append(response_time)
    if exception:
        FAILURES[kind] = FAILURES.get(kind, 0) + 1


@events.test_stop.add_listener
def write_timings(**_kwargs):
    target = os.environ.get("BENCH_TIMINGS")
    if target:
        Path(target).write_text(json.dumps({"timings": TIMINGS, "failures": FAILURES}))


class Persona(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    role = ""
    _taken = {"mentee": itertools.count(), "mentor": itertools.count(), "admin": itertools.count()}

    def on_start(self):
        accounts = PERSONAS[self.role]
        self.account = accounts[next(self._taken[self.role]) % len(accounts)]
        # The same two cookies on every request; the ones the server sets on the way (the
        # flash message after a POST) are not sent back.
        self.client.headers["Cookie"] = self.account["cookie"]
        self.step = 0

    def read(self, name: str, path: str) -> str | None:
        """GET a page as a signed-in browser; anything but 200 (a redirect to the login
        page, say) is a failure. Returns the page."""
        with self.client.get(
            path, name=f"read: {name}", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
                return None
            return response.text


class Mentee(Persona):
    role = "mentee"
    weight = 1  # every user not fixed below

    @task
    def act(self):
        self.step += 1
        if self.step % 5 == 4:
            self.goal = random.choice(self.account["goals"])
            self.goal_page = self.read("goal page", self.goal)
        elif self.step % 5 == 0:
            self.log_update()
        else:
            name, path = random.choice(
                [
                    ("mentee dashboard", URLS["mentee dashboard"]),
                    ("goal list", URLS["goal list"]),
                    ("goal page", random.choice(self.account["goals"])),
                ]
            )
            self.read(name, path)

    def log_update(self):
        """Submit the progress form of the goal page read just before."""
        token = FORM_TOKEN.search(self.goal_page or "")
        if token is None:
            return
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "value": str(random.randint(1, 12)),
            "note": "Kept going this week: one more step done.",
            "confidence": str(random.randint(2, 5)),
        }
        with self.client.post(
            self.goal + "updates/",
            data=data,
            name="write: log update",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code not in (302, 303):
                response.failure(f"status {response.status_code}, not a redirect")
                return
            location = response.headers.get("Location", "")
        # The browser follows the redirect back to the goal page.
        self.read("goal page", location.split("#", 1)[0])


class Mentor(Persona):
    role = "mentor"
    fixed_count = 6

    @task
    def act(self):
        self.step += 1
        if self.step % 3 == 1:
            self.read("mentor dashboard", URLS["mentor dashboard"])
        elif self.step % 3 == 2:
            self.queue = self.read("review queue", URLS["review queue"])
        else:
            self.acknowledge()

    def acknowledge(self):
        """Acknowledge one update of the queue read just before, as its htmx form posts."""
        page = self.queue or ""
        forms = ACKNOWLEDGE_FORM.findall(page)
        token = HEADER_TOKEN.search(page) or FORM_TOKEN.search(page)
        if not forms or token is None:
            return
        with self.client.post(
            random.choice(forms),
            data={"reply": ""},
            headers={"HX-Request": "true", "X-CSRFToken": token.group(1)},
            name="write: acknowledge update",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200 or 'role="status"' not in response.text:
                response.failure(f"status {response.status_code}, not acknowledged")


class Admin(Persona):
    role = "admin"
    fixed_count = 2

    @task
    def act(self):
        self.read("program dashboard", self.account["program"])
