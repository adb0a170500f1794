"""Property-based tests of the running API against its own OpenAPI schema (schemathesis).

A real server (pytest-django's live_server) with the personas' data; each operation gets a
bounded number of generated requests with a personal API token. No request may produce a
server error, and every response must match what the schema documents. Path UUIDs are
mostly taken from the seeded data, so detail endpoints are exercised, not only their 404s.
"""

import pytest
import schemathesis
from django.test import override_settings
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from notifications.services import notify

EXAMPLES_PER_OPERATION = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]
ZERO = "00000000-0000-0000-0000-000000000000"
NO_THROTTLE = {"anon": "100000/minute", "user": "100000/minute", "token": "100000/minute"}


def known_uuids(world, pairing, program, notification) -> dict[str, list[str]]:
    return {
        "goals": [str(world.goal.uuid), str(world.program_goal.uuid), str(world.other_goal.uuid)],
        "milestones": [str(world.milestone.uuid)],
        "updates": [str(world.update.uuid)],
        "comments": [str(world.comment.uuid)],
        "pairings": [str(pairing.uuid)],
        "checkins": [str(world.checkin.uuid), str(world.other_checkin.uuid)],
        "programs": [str(program.uuid)],
        "notifications": [str(notification.uuid)],
    }


def build_check(strategy, collection, uuids, base_url, headers, checks):
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
        if "uuid" in case.path_parameters and data.draw(st.integers(0, 3)) > 0:
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
            checks = CHECKS if mode == GenerationMode.POSITIVE else [not_a_server_error]
            check = build_check(strategy, collection, uuids, live_server.url, headers, checks)
            try:
                check()
            except Exception as error:  # noqa: BLE001 - collect every operation's failure
                failures.append(f"{operation.method.upper()} {operation.path}: {error}")

    assert operations >= 30
    assert not failures, "\n\n".join(failures)
