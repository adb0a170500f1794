"""Fuzzing: hypothesis fills every form of the site (found in the page the form lives on, as the
persona who may use it) and every API request body (from the OpenAPI schema) with hostile
input, 200 examples each. No exception, no 500, and a rejected submission changes nothing.

Each example runs in a savepoint that is rolled back, from an empty cache (rate limits), so
every example meets the same world."""

import json
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.forms import BaseForm
from django.test.utils import ContextList
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .access import client_for, url_for

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

NASTY = [
    "",
    " ",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "{{ 7*7 }}{% now 'Y' %}",
    "' OR 1=1 --",
    "😀🎉👩🏽‍💻" * 20,
    "\u202eevil\u202c",
    "مرحبا بالعالم",
    "שלום עולם",
    "\x00",
    "a\x00b",
    "\x1b[31mred\x07",
    "\r\n\t",
    "\ufeff\u200b",
    "0",
    "-1",
    "1e309",
    "NaN",
    "Infinity",
    "99999999999999999999999999",
    "0.000000000001",
    "3,5",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2024-02-30",
    "1970-01-01T00:00:00Z",
    "../../etc/passwd",
    "%s%s%n",
    "true",
    "null",
    "x" * 5000,
    "y" * 100_000,
]

text = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=60),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
)


def value_for(choices: list[str]):
    """A hostile value, or (to get past the first checks) one of the field's own choices."""
    if choices:
        return st.one_of(st.sampled_from(choices), text)
    return text


# --- Web forms ----------------------------------------------------------------------------


class FormFinder(HTMLParser):
    """The POST forms of a page: their action and fields (with the options of selects and
    the values of radios and checkboxes)."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.forms.append({"action": a.get("action") or "", "fields": {}})
        elif not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = a.get("name")
        if tag in ("input", "textarea") and name and name != "csrfmiddlewaretoken":
            values = fields.setdefault(name, [])
            if a.get("type") in ("radio", "checkbox", "hidden") and a.get("value") is not None:
                values.append(a["value"])
        elif tag == "select" and name:
            self._select = fields.setdefault(name, [])
        elif tag == "option" and self._select is not None and a.get("value") is not None:
            self._select.append(a["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


# (form's URL name, persona who may use it, URL name of the page that shows the form)
WEB_FORMS = [
    ("account_login", "anonymous", "account_login"),
    ("account_signup", "anonymous", "account_signup"),
    ("accounts:profile", "mentee", "accounts:profile"),
    ("accounts:use_timezone", "mentee", "accounts:profile"),
    ("goals:goal_create", "mentee", "goals:goal_create"),
    ("goals:goal_edit", "mentee", "goals:goal_edit"),
    ("goals:goal_status", "mentee", "goals:goal_detail"),
    ("goals:milestone_add", "mentee", "goals:goal_detail"),
    ("goals:update_add", "mentee", "goals:goal_detail"),
    ("goals:update_edit", "mentee", "goals:update_edit"),
    ("goals:step_add", "mentee", "goals:goal_detail"),
    ("goals:step_edit", "mentee", "goals:step_edit"),
    ("goals:comment_add", "mentor", "goals:goal_detail"),
    ("goals:comment_edit", "mentor", "goals:comment_edit"),
    ("goals:milestone_edit", "mentee", "goals:milestone_edit"),
    ("goals:update_acknowledge", "mentor", "goals:goal_detail"),
    ("mentorship:program_create", "admin", "mentorship:program_create"),
    ("mentorship:program_edit", "admin", "mentorship:program_edit"),
    ("mentorship:program_invite", "admin", "mentorship:program_invite"),
    ("mentorship:member_detail", "admin", "mentorship:member_detail"),
    ("mentorship:member_remove", "admin", "mentorship:member_detail"),
    ("mentorship:import_upload", "admin", "mentorship:import_upload"),
    ("mentorship:pairing_new", "admin", "mentorship:pairing_new"),
    ("mentorship:pairing_reassign", "admin", "mentorship:pairing_reassign"),
    ("mentorship:pairing_agreement", "mentee", "mentorship:pairing_agreement"),
    ("mentorship:pairing_checkin", "mentor", "mentorship:pairing_detail"),
    ("mentorship:survey_answer", "mentor", "mentorship:survey_answer"),
    ("mentorship:checkin_edit", "mentor", "mentorship:checkin_edit"),
    ("mentorship:survey_edit", "mentee", "mentorship:survey_edit"),
    ("mentorship:pairing_message_post", "mentee", "mentorship:pairing_conversation"),
    ("mentorship:message_edit", "mentee", "mentorship:message_edit"),
    ("mentorship:pairing_pause", "admin", "mentorship:pairing_detail"),
    ("mentorship:meeting_new", "mentee", "mentorship:meeting_new"),
    ("mentorship:meeting_counter", "mentee", "mentorship:meeting_counter"),
    ("mentorship:meeting_pick", "mentee", "mentorship:meeting_detail"),
    ("mentorship:meeting_log", "mentor", "mentorship:meeting_log"),
    ("mentorship:agenda_add", "mentee", "mentorship:meeting_detail"),
    ("mentorship:agenda_edit", "mentee", "mentorship:agenda_edit"),
    ("mentorship:pairing_end", "admin", "mentorship:pairing_detail"),
    ("mentorship:join_apply", "mentee", "mentorship:join_apply"),
    ("mentorship:application_decide", "admin", "mentorship:application_queue"),
    ("mentorship:my_capacity", "mentor", "mentorship:my_capacity"),
    ("mentorship:mentor_choose", "mentee", "mentorship:mentor_choose"),
    ("mentorship:mentor_request_decline", "mentor", "mentorship:mentor_request_detail"),
    ("notifications:preferences", "mentee", "notifications:preferences"),
    ("api:tokens", "mentee", "api:tokens"),
    ("api:account_delete", "mentee", "api:account_delete"),
    ("mentorship:program_end", "admin", "mentorship:program_end"),
    ("mentorship:program_next_cohort", "admin", "mentorship:program_next_cohort"),
    ("mentorship:nudge_rules", "admin", "mentorship:nudge_rules"),
    ("mentorship:attention_nudge", "admin", "mentorship:program_attention"),
    ("mentorship:attention_snooze", "admin", "mentorship:program_attention"),
    # The language switcher at the foot of every page.
    ("set_language", "anonymous", "home"),
]

# Tables whose row counts must not move when a submission is rejected.
COUNTED_TABLES = [
    "accounts_user",
    "accounts_profile",
    "account_emailaddress",
    "mentorship_program",
    "mentorship_membership",
    "mentorship_application",
    "mentorship_mentorrequest",
    "mentorship_memberevent",
    "mentorship_invitation",
    "mentorship_pairing",
    "mentorship_pairingevent",
    "mentorship_agreement",
    "mentorship_checkin",
    "mentorship_surveyresponse",
    "mentorship_meeting",
    "mentorship_agendaitem",
    "mentorship_actionitem",
    "notifications_outboxemail",
    "mentorship_message",
    "mentorship_messageread",
    "goals_goal",
    "goals_milestone",
    "goals_stepcompletion",
    "goals_progressupdate",
    "goals_comment",
    "goals_goalevent",
    "notifications_notification",
    "notifications_preferences",
    "api_apitoken",
    "api_calendarfeed",
]


def snapshot_queries(world) -> list[tuple[str, tuple]]:
    """The SQL of a snapshot: row counts of every table above, and the rows a form may change
    in place. Built once per world (the ORM's compiling would cost more than the queries, two
    snapshots an example)."""
    queries = getattr(world, "snapshot_queries", None)
    if queries is None:
        counts = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {t})" for t in COUNTED_TABLES)  # noqa: S608
        queries = [(counts, ())]
        objects = [
            world.goal,
            world.update,
            world.step,
            world.pairing,
            world.program,
            world.users["mentee"],
            world.checkin,
            world.survey,
            world.pairing.agreement,
        ]
        for obj in objects:
            sql, params = type(obj).objects.filter(pk=obj.pk).values_list().query.sql_with_params()
            queries.append((sql, tuple(params)))
        world.snapshot_queries = queries
    return queries


def snapshot(world) -> tuple:
    """What a rejected submission must leave as it was. On PostgreSQL one statement (each row
    as its text), elsewhere one query each."""
    queries = snapshot_queries(world)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            columns = ", ".join(
                f"(SELECT ROW(r.*)::text FROM ({sql}) AS r)"  # noqa: S608
                for sql, _ in queries
            )
            cursor.execute(f"SELECT {columns}", [p for _, params in queries for p in params])
            return tuple(cursor.fetchone())
        results = []
        for sql, params in queries:
            cursor.execute(sql, params)
            results.append(tuple(cursor.fetchall()))
        return tuple(results)


class _Rollback(Exception):
    pass


def submit(world, client, send) -> tuple[int, bool, bool]:
    """Send one request in a savepoint, rolled back afterwards: (status, whether the data
    changed, whether the submission was rejected)."""
    cache.clear()
    outcome = {}
    try:
        with transaction.atomic():
            before = snapshot(world)
            response = send(client)
            outcome["status"] = response.status_code
            outcome["changed"] = snapshot(world) != before
            outcome["rejected"] = is_rejection(response)
            raise _Rollback
    except _Rollback:
        pass
    return outcome["status"], outcome["changed"], outcome["rejected"]


def is_rejection(response) -> bool:
    """An error status, or a page shown again with the form's errors."""
    if response.status_code >= 400:
        return True
    if response.status_code != 200 or response.context is None:
        return False
    contexts = response.context if isinstance(response.context, ContextList) else [response.context]
    return any(
        isinstance(value, BaseForm) and value.is_bound and bool(value.errors)
        for context in contexts
        for value in context.flatten().values()
    )


def find_form(client, page_url: str, action_url: str) -> dict:
    response = client.get(page_url)
    assert response.status_code == 200, (page_url, response.status_code)
    finder = FormFinder()
    finder.feed(response.content.decode())
    # Every form of the page that posts there (a comment and the replies under each comment
    # go to the same URL): their fields together.
    fields, found = {}, False
    for form in finder.forms:
        if form["action"] in ("", action_url) and (form["action"] or page_url == action_url):
            found = True
            for name, values in form["fields"].items():
                fields.setdefault(name, []).extend(v for v in values if v not in fields[name])
    if found:
        return fields
    raise AssertionError(f"no POST form for {action_url} on {page_url}")


@pytest.mark.parametrize(("form_name", "persona", "page_name"), WEB_FORMS)
def test_fuzz_web_form(world, quiet_request_log, form_name, persona, page_name):
    client = client_for(world.users[persona])
    action = url_for(form_name, world)
    fields = find_form(client, url_for(page_name, world), action)
    assert fields, f"{form_name}: the form has no fields"
    data = st.fixed_dictionaries(
        {},
        optional={name: value_for(choices) for name, choices in fields.items()},
    )

    @FUZZ
    @given(data=data)
    def run(data):
        status, changed, rejected = submit(world, client, lambda c: c.post(action, data))
        assert status < 500, (form_name, data, status)
        if rejected:
            assert not changed, (form_name, data, status)

    run()


# --- API request bodies -------------------------------------------------------------------

API_PERSONA = {
    "/api/v1/checkins/": "mentor",
    "/api/v1/checkins/{uuid}/": "mentor",
    "/api/v1/comments/": "mentor",
    "/api/v1/comments/{uuid}/": "mentor",
    "/api/v1/updates/{uuid}/acknowledge/": "mentor",
    "/api/v1/programs/": "admin",
    "/api/v1/programs/{uuid}/": "admin",
    "/api/v1/pairings/{uuid}/end/": "admin",
    "/api/v1/pairings/{uuid}/pause/": "admin",
}


def api_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    operations = []
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            body = (op.get("requestBody") or {}).get("content", {}).get("application/json")
            if method not in ("post", "patch", "put") or not body:
                continue
            ref = body["schema"]["$ref"].split("/")[-1]
            properties = components[ref].get("properties", {})
            fields = {
                name: [str(v) for v in (spec.get("enum") or []) if v is not None]
                for name, spec in properties.items()
            }
            operations.append((method.upper(), path, fields))
    return operations


API_OPERATIONS = api_operations()

json_leaf = st.one_of(
    text,
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=8,
)


def api_url(path: str, world) -> str:
    """The operation's path pointed at the world's object of that kind."""
    kinds = {
        "/api/v1/goals/": world.goal.uuid,
        "/api/v1/milestones/": world.milestone.uuid,
        "/api/v1/comments/": world.comment.uuid,
        "/api/v1/updates/": world.update.uuid,
        "/api/v1/steps/": world.step.uuid,
        "/api/v1/programs/": world.program.uuid,
        "/api/v1/pairings/": world.pairing.uuid,
        "/api/v1/checkins/": world.checkin.uuid,
        "/api/v1/surveys/": world.survey.uuid,
    }
    for prefix, uuid in kinds.items():
        if path.startswith(prefix):
            return path.replace("{uuid}", str(uuid))
    return path


@pytest.mark.parametrize(
    ("method", "path", "fields"),
    API_OPERATIONS,
    ids=[f"{m} {p}" for m, p, _ in API_OPERATIONS],
)
def test_fuzz_api_body(world, quiet_request_log, method, path, fields):
    persona = API_PERSONA.get(path, "mentee")
    client = client_for(world.users[persona])
    url = api_url(path, world)
    references = {
        "goal": str(world.goal.uuid),
        "pairing": str(world.pairing.uuid),
        "update": str(world.update.uuid),
        "milestone": str(world.milestone.uuid),
        "parent": str(world.comment.uuid),
        "version": str(world.goal.version) if hasattr(world.goal, "version") else "1",
    }

    def field_value(name, choices):
        base = value_for(choices + ([references[name]] if name in references else []))
        return st.one_of(base, json_value)

    body = st.one_of(
        st.fixed_dictionaries(
            {}, optional={name: field_value(name, c) for name, c in fields.items()}
        ),
        json_value,
    )
    send = {"POST": "post", "PATCH": "patch", "PUT": "put"}[method]

    @FUZZ
    @given(body=body)
    def run(body):
        payload = json.dumps(body)
        status, changed, rejected = submit(
            world,
            client,
            lambda c: getattr(c, send)(url, payload, content_type="application/json"),
        )
        assert status < 500, (method, path, body, status)
        if rejected:
            assert not changed, (method, path, body, status)

    run()


def test_a_snapshot_sees_a_row_changed_in_place_and_a_row_added(world):
    from goals.models import Comment, Goal

    before = snapshot(world)
    assert snapshot(world) == before
    Goal.objects.filter(pk=world.goal.pk).update(title="Another title")
    changed = snapshot(world)
    assert changed != before
    Comment.objects.create(goal=world.goal, author=world.users["mentor"], body="More.")
    assert snapshot(world) != changed


def test_a_form_shown_again_with_errors_counts_as_rejected(world):
    client = client_for(world.users["mentee"])
    response = client.post(url_for("goals:goal_create", world), {"title": ""})
    assert response.status_code == 200
    assert is_rejection(response)
    response = client.get(url_for("goals:goal_create", world))
    assert not is_rejection(response)


def test_every_form_page_is_fuzzed():
    """A new form page must join WEB_FORMS: every row of the access matrix that accepts a POST
    from its persona with a form is listed here or in the API operations."""
    from .test_access_matrix import MATRIX

    listed = {name for name, _persona, _page in WEB_FORMS}
    # POST endpoints without user input (buttons) are covered by the access matrix alone.
    buttons = {
        "account_logout",
        "api:calendar_revoke",
        "api:calendar_rotate",
        "api:token_revoke",
        "goals:comment_delete",
        "goals:goal_archive",
        "goals:goal_delete",
        "goals:goal_move",
        "goals:update_delete",
        "goals:step_delete",
        "goals:step_tick",
        "goals:goal_restore",
        "goals:milestone_complete",
        "goals:milestone_delete",
        "goals:milestone_reopen",
        "goals:milestone_move",
        "goals:smart_check",
        "mentorship:invitation_accept",
        "mentorship:invitation_revoke",
        "mentorship:invitation_resend",
        "mentorship:import_confirm",
        # Like the confirmation, it needs the upload's token from the session;
        # tests/mentorship/test_csv_import.py sends it every kind of bad choice.
        "mentorship:import_map",
        "mentorship:pairing_agreement_accept",
        # One-button posts of the joining flow; their refusals are in
        # tests/mentorship/test_applications.py and test_checklists.py.
        "mentorship:application_withdraw",
        "mentorship:checklist_dismiss",
        "mentorship:program_setup_dismiss",
        # Mentee choice: one-button posts; their refusals are in
        # tests/mentorship/test_mentor_choice.py.
        "mentorship:mentor_request_accept",
        "mentorship:mentor_request_withdraw",
        "mentorship:checkin_delete",
        "mentorship:survey_delete",
        "mentorship:survey_share",
        # One-button posts of meetings; their refusals are in tests/mentorship/test_meetings.py
        # and test_meeting_pages.py.
        "mentorship:meeting_cancel",
        "mentorship:agenda_delete",
        "mentorship:action_item_tick",
        "mentorship:message_delete",
        "mentorship:pairing_complete",
        "mentorship:pairing_resume",
        "notifications:mark_all_read",
        "notifications:mark_read",
        "notifications:unsubscribe",
    }
    missing = []
    for name, (_get, post) in MATRIX.items():
        if name.startswith("api:") and "-" in name:
            continue  # REST endpoints: their bodies come from the schema
        accepts_post = any(s in ("200", "302", "400") for s in post.split()[1:])
        if accepts_post and name not in listed and name not in buttons:
            missing.append(name)
    assert not missing, f"form pages the fuzzer does not cover: {missing}"
    assert reverse("api:schema")
