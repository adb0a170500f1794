"""Property-based tests of the running API against its own OpenAPI schema (schemathesis).

A real server (pytest-django's live_server) with the personas' data; each operation gets a
bounded number of generated requests with a personal API token, judged by every built-in
check (`--checks all`): no server error, status codes, content types, headers and bodies as
documented, valid requests accepted and invalid ones rejected, deleted or unauthorised
objects not reachable. Path UUIDs of valid requests are mostly taken from the seeded data,
so detail endpoints are exercised, not only their 404s. A stateful test follows the
schema's links from each create to the operations on the object it made.
"""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
import schemathesis
from django.apps import apps
from django.db.models import Max
from django.test import override_settings
from django.utils.timezone import localdate
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, is_check_class, load_all_checks
from schemathesis.core.failures import FailureGroup

from notifications.services import notify

EXAMPLES_PER_OPERATION = 6
load_all_checks()
# `--checks all`: every built-in check of the installed schemathesis.
ALL_CHECKS = [check for check in CHECKS.get_all() if not is_check_class(check)]
# A change is judged against the stored object as well (a goal's target date after its start,
# a program's end after its start), which no schema of the request alone can say: a valid
# request may be refused with a message. Every other check still runs on them.
STATE_DEPENDENT = {"PATCH /api/v1/goals/{uuid}/", "PATCH /api/v1/programs/{uuid}/"}


def checks_for(operation) -> list:
    if f"{operation.method.upper()} {operation.path}" in STATE_DEPENDENT:
        return [check for check in ALL_CHECKS if check.__name__ != "positive_data_acceptance"]
    return ALL_CHECKS


def follows_cross_field_rules(label: str, body: dict) -> bool:
    """The rules across fields the schema states in prose (GOAL_RULES in api.schema, a
    program's end not before its start)."""
    if label == "POST /api/v1/goals/":
        start = body.get("starts_on") or localdate().isoformat()
        target = body.get("target_date")
        if target and target <= start:
            return False
        baseline, goal = body.get("baseline_value"), body.get("target_value")
        if (baseline is None) != (goal is None):
            return False
        return baseline is None or Decimal(baseline) != Decimal(goal)
    if label == "POST /api/v1/programs/":
        # PROGRAM_RULES: a pairing does not stall before its next check-in is due.
        cadence, stall = body.get("checkin_cadence_days", 14), body.get("stall_after_days", 30)
        numbers = all(isinstance(n, int) and not isinstance(n, bool) for n in (cadence, stall))
        if numbers and stall < cadence:
            return False
        starts_on = body.get("starts_on") or localdate().isoformat()
        ends_on = body.get("ends_on")
        # Stateful sequences send invalid bodies too: compare dates only when both are text.
        if not (isinstance(ends_on, str) and isinstance(starts_on, str)):
            return True
        return not (ends_on and ends_on < starts_on)
    if label == "PATCH /api/v1/updates/{uuid}/":
        # UPDATE_RULES: blanking the note needs a value (earlier steps may have cleared it).
        blank = "note" in body and not (body["note"] or "").strip()
        return not blank or body.get("value") is not None
    if label in ("POST /api/v1/steps/", "PATCH /api/v1/steps/{uuid}/"):
        week_from, week_to = body.get("week_from"), body.get("week_to")
        if not isinstance(week_to, int) or isinstance(week_to, bool):
            return True
        return isinstance(week_from, int) and week_to >= week_from
    return True


def use_real_references(schema, pairings: list[str]) -> None:
    """Valid bodies name objects that exist: a goal's pairing is one of the person's own (or
    none), and a new program's short name is not taken yet (a taken one is a 400 by design)."""
    fresh = itertools.count()

    @schema.hook
    def map_body(ctx, body):
        if not isinstance(body, dict):
            return body
        label = f"{ctx.operation.method.upper()} {ctx.operation.path}"
        if label == "POST /api/v1/goals/" and body.get("pairing"):
            body["pairing"] = pairings[0] if pairings else None
        if label == "POST /api/v1/programs/" and isinstance(body.get("slug"), str):
            body["slug"] = f"{body['slug'][:50]}-{next(fresh)}"
        today = localdate().isoformat()
        updates = ("POST /api/v1/updates/", "PATCH /api/v1/updates/{uuid}/")
        if label in updates and body.get("occurred_on") is not None:
            # UPDATE_DAY: a day between the goal's start and today; today is always one.
            body["occurred_on"] = today
        steps = ("POST /api/v1/steps/", "PATCH /api/v1/steps/{uuid}/")
        if label in steps and isinstance(body.get("repeats_until"), str):
            # A date that is not in the past (a body of the wrong type stays as it is: a 400).
            body["repeats_until"] = max(body["repeats_until"], today)
        if label == "POST /api/v1/steps/{uuid}/tick/":
            body.pop("week", None)  # this week: a week the known step is due in
        return body

    @schema.hook
    def filter_body(ctx, body):
        label = f"{ctx.operation.method.upper()} {ctx.operation.path}"
        return not isinstance(body, dict) or follows_cross_field_rules(label, body)


ZERO = "00000000-0000-0000-0000-000000000000"
NO_THROTTLE = {"anon": "100000/minute", "user": "100000/minute", "token": "100000/minute"}


def known_uuids(world, pairing, program, notification) -> dict[str, list[str]]:
    return {
        "goals": [str(world.goal.uuid), str(world.program_goal.uuid), str(world.other_goal.uuid)],
        "milestones": [str(world.milestone.uuid)],
        "updates": [str(world.update.uuid)],
        "steps": [str(world.step.uuid)],
        "comments": [str(world.comment.uuid)],
        "pairings": [str(pairing.uuid)],
        "checkins": [str(world.checkin.uuid), str(world.other_checkin.uuid)],
        "programs": [str(program.uuid)],
        "notifications": [str(notification.uuid)],
    }


def own_open_pairings(user, pairing) -> list[str]:
    return [str(pairing.uuid)] if pairing.mentee_id == user.pk else []


def build_check(strategy, collection, uuids, base_url, headers, checks, mode):
    @given(data=st.data())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(data):
        case = data.draw(strategy)
        # Known objects for valid requests only: a negative case keeps its invalid path.
        positive = mode == GenerationMode.POSITIVE
        if positive and "uuid" in case.path_parameters and data.draw(st.integers(0, 3)) > 0:
            case.path_parameters["uuid"] = data.draw(st.sampled_from(uuids.get(collection, [ZERO])))
        case.call_and_validate(base_url=base_url, headers=headers, checks=checks)

    return check


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "who,mode",
    [
        ("mentee", GenerationMode.POSITIVE),
        ("mentor", GenerationMode.POSITIVE),
        ("admin", GenerationMode.POSITIVE),
        # Invalid input (wrong types, missing fields, bad query values): never a 500.
        ("mentee", GenerationMode.NEGATIVE),
    ],
)
def test_api_conforms_to_its_schema(
    who, mode, request, live_server, world, pairing, program, token_for
):
    from django.conf import settings as django_settings

    user = request.getfixturevalue(who)
    notification = notify(
        recipient=user, kind="feedback", dedupe_key=f"st:{who}", title="Hello", send_email=False
    )
    uuids = known_uuids(world, pairing, program, notification)
    headers = {"Authorization": f"Bearer {token_for(user)}"}
    rest = {**django_settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": NO_THROTTLE}

    with override_settings(REST_FRAMEWORK=rest):
        schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json")
        if mode == GenerationMode.POSITIVE:
            use_real_references(schema, own_open_pairings(user, pairing))
        failures: list[str] = []
        operations = 0
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1
            collection = operation.path.split("/")[3]
            try:
                strategy = operation.as_strategy(generation_mode=mode)
            except Exception:  # noqa: BLE001, S112 - no invalid variant of this operation exists
                continue
            check = build_check(
                strategy, collection, uuids, live_server.url, headers, checks_for(operation), mode
            )
            try:
                check()
            except (Exception, FailureGroup) as error:  # noqa: BLE001 - collect every failure
                failures.append(f"{operation.method.upper()} {operation.path}: {error}")

    assert operations >= 30
    names = {check.__name__ for check in ALL_CHECKS}
    assert {"positive_data_acceptance", "negative_data_rejection", "ignored_auth"} <= names
    assert not failures, "\n\n".join(failures)


STATEFUL_STEPS = 10
# Enough sequences that, among the links of every create (edits, deletions, archive and
# restore included), one reads back the goal it made.
STATEFUL_SCENARIOS = 50


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["mentee", "admin"])
def test_api_links_hold_in_stateful_sequences(
    who, request, live_server, world, pairing, token_for, monkeypatch
):
    """Sequences that follow the schema's links: an object made by a create (a goal, a
    milestone, an update, a check-in, a program) is then read, changed or acted on by the
    operations linked to it, with every check after every step."""
    from django.conf import settings as django_settings

    from core import dedupe

    # Hypothesis replays a sequence to check it: a create sent again within the duplicate
    # window would return the first object and the replay would differ from the run.
    monkeypatch.setattr(dedupe, "DUPLICATE_WINDOW", timedelta(0))

    user = request.getfixturevalue(who)
    headers = {"Authorization": f"Bearer {token_for(user)}"}
    rest = {**django_settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": NO_THROTTLE}
    followed: set[str] = set()

    with override_settings(REST_FRAMEWORK=rest):
        schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json")
        use_real_references(schema, own_open_pairings(user, pairing))
        links = [
            name
            for result in schema.get_all_operations()
            for response in result.ok().definition.raw.get("responses", {}).values()
            for name in response.get("links", {})
        ]

        # Each sequence starts from the same data: what one sequence made is gone before the
        # next (Hypothesis replays sequences and needs the lists they read to be the same).
        made_models = [
            apps.get_model(label)
            for label in (
                "goals.Goal",
                "goals.Milestone",
                "goals.ProgressUpdate",
                "goals.Comment",
                "mentorship.CheckIn",
                "mentorship.SurveyResponse",
                "mentorship.Program",
            )
        ]
        watermarks = {
            model: model.objects.aggregate(top=Max("pk"))["top"] or 0 for model in made_models
        }

        class Machine(schema.as_state_machine()):
            def teardown(self):
                for model in reversed(made_models):
                    model.objects.filter(pk__gt=watermarks[model]).delete()
                super().teardown()

            def get_call_kwargs(self, case):
                return {"base_url": live_server.url, "headers": headers}

            def after_call(self, response, case):
                super().after_call(response, case)
                if case.path_parameters.get("uuid") and response.status_code < 300:
                    followed.add(f"{case.method.upper()} {case.operation.path}")

            def validate_response(self, response, case, additional_checks=None, **kwargs):
                case.validate_response(
                    response,
                    checks=checks_for(case.operation),
                    headers=headers,
                    transport_kwargs=kwargs,
                )

        Machine.run(
            settings=settings(
                max_examples=STATEFUL_SCENARIOS,
                stateful_step_count=STATEFUL_STEPS,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
        )

    assert len(links) >= 10
    # An object made in a sequence was read, changed or acted on through the links from its
    # create (its uuid comes from nowhere else): a mentee's goal; an admin's program.
    made = {"mentee": "/api/v1/goals/{uuid}/", "admin": "/api/v1/programs/{uuid}/"}[who]
    assert any(step.split(" ", 1)[1].startswith(made) for step in followed), sorted(followed)
