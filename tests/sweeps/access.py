"""Walking the resolver, and making the requests of the access sweep."""

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Patterns the matrix leaves out, by namespace or name prefix, each with the reason. Static
# files have no pattern to leave out: WhiteNoise serves /static/ before URL routing.
EXCLUDED = {
    "admin:": "Django's admin: guarded by is_staff and by the login route tested in "
    "test_security.py; its hundreds of generated pages are Django's own code.",
    "account_": "allauth's own account pages (e-mail, password, reauthentication): allauth's "
    "code and tests; login, signup and logout are still rows of the matrix.",
    "mfa_": "allauth's two-factor pages: allauth's code and tests; the admin's use of them is "
    "tested in test_security.py.",
}
# allauth patterns that are rows of the matrix despite the exclusion above.
KEPT = {"account_login", "account_signup", "account_logout"}


def all_views(patterns=None, namespace=""):
    """Every URL pattern of the project as (qualified name, route, view)."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            for name, route, view in all_views(entry.url_patterns, ns):
                yield name, str(entry.pattern) + route, view
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", str(entry.pattern), entry.callback


def all_patterns():
    """Every URL pattern of the project as (qualified name, route)."""
    for name, route, _view in all_views():
        yield name, route


def is_excluded(name: str) -> bool:
    if name in KEPT:
        return False
    return any(name.startswith(prefix) for prefix in EXCLUDED)


def patterns_to_cover() -> list[str]:
    return sorted({name for name, _route in all_patterns() if not is_excluded(name)})


def url_kwargs(name: str, w) -> dict:
    """The keyword arguments that point a pattern at the world's objects (the subjects of
    mentee A's relationship)."""
    program = {"program_uuid": w.program.uuid}
    api_uuid = {
        "api:goal": w.goal.uuid,
        "api:milestone": w.milestone.uuid,
        "api:progressupdate": w.update.uuid,
        "api:step": w.step.uuid,
        "api:comment": w.comment.uuid,
        "api:notification": w.notification.uuid,
        "api:program": w.program.uuid,
        "api:pairing": w.pairing.uuid,
        "api:checkin": w.checkin.uuid,
        "api:survey": w.survey.uuid,
    }
    base = name.split("-")[0]
    if base in api_uuid and not name.endswith("-list") and not name.endswith("read-all"):
        kwargs = {"uuid": str(api_uuid[base])}
        if name == "api:program-export":
            kwargs["part"] = "members"
        return kwargs
    special = {
        "mentorship:invitation_revoke": {**program, "invitation_uuid": w.invitation.uuid},
        "mentorship:invitation_resend": {**program, "invitation_uuid": w.invitation.uuid},
        "mentorship:invitation_answer": {"invitation_uuid": w.invitation.uuid},
        "mentorship:import_upload": {**program, "kind": "participants"},
        "mentorship:import_confirm": {**program, "kind": "participants"},
        "mentorship:import_map": {**program, "kind": "participants"},
        "mentorship:program_match": {**program, "membership_uuid": w.membership.uuid},
        "mentorship:member_detail": {**program, "membership_uuid": w.membership.uuid},
        "mentorship:member_remove": {**program, "membership_uuid": w.membership.uuid},
        "mentorship:invitation_accept": {"token": w.invitation_token},
        "mentorship:person": {"user_uuid": w.users["mentee"].uuid},
        "notifications:unsubscribe": {"token": w.unsubscribe_token},
        "notifications:open": {"uuid": w.notification.uuid},
        "notifications:mark_read": {"uuid": w.notification.uuid},
        "api:token_revoke": {"token_uuid": w.api_token.uuid},
        "api:calendar_feed": {"secret": w.calendar_secret},
        "goals:milestone_complete": {"uuid": w.milestone.uuid},
        "goals:milestone_reopen": {"uuid": w.milestone.uuid},
        "goals:milestone_move": {"uuid": w.milestone.uuid},
        "goals:milestone_edit": {"uuid": w.milestone.uuid},
        "goals:milestone_delete": {"uuid": w.milestone.uuid},
        "goals:comment_edit": {"uuid": w.comment.uuid},
        "goals:comment_delete": {"uuid": w.comment.uuid},
        "goals:update_acknowledge": {"uuid": w.update.uuid},
        "goals:update_edit": {"uuid": w.update.uuid},
        "goals:step_edit": {"uuid": w.step.uuid},
        "goals:step_delete": {"uuid": w.step.uuid},
        "goals:step_tick": {"uuid": w.step.uuid},
        "goals:update_delete": {"uuid": w.update.uuid},
        "goals:program_goals": {"uuid": w.program.uuid},
        "goals:program_goals_export": {"uuid": w.program.uuid},
        "mentorship:checkin_edit": {"pairing_uuid": w.pairing.uuid, "checkin_uuid": w.checkin.uuid},
        "mentorship:checkin_delete": {
            "pairing_uuid": w.pairing.uuid,
            "checkin_uuid": w.checkin.uuid,
        },
        "mentorship:survey_answer": {"pairing_uuid": w.pairing.uuid, "kind": "pulse", "round": 1},
        "mentorship:survey_edit": {"pairing_uuid": w.pairing.uuid, "response_uuid": w.survey.uuid},
        "mentorship:survey_share": {
            "pairing_uuid": w.pairing.uuid,
            "response_uuid": w.survey.uuid,
        },
        "mentorship:survey_delete": {
            "pairing_uuid": w.pairing.uuid,
            "response_uuid": w.survey.uuid,
        },
    }
    if name in (
        "mentorship:import_run_detail",
        "mentorship:import_run_progress",
        "mentorship:import_run_skipped",
    ):
        return {**program, "run_uuid": _import_run(w).uuid}
    # Joining a program: the world's other program is open to applications; mentee A has an
    # application waiting in her own program (to be a mentor there too).
    if name == "mentorship:join_apply":
        return {"program_uuid": _joinable_program(w).uuid}
    if name == "mentorship:application_withdraw":
        return {"application_uuid": _application(w).uuid}
    if name == "mentorship:application_queue":
        return program
    if name == "mentorship:application_decide":
        return {**program, "application_uuid": _application(w).uuid}
    # Mentee choice: mentee A chooses in a third program (she is paired in her own); her
    # request in her own program waits for her mentor's answer.
    if name == "mentorship:mentor_choose":
        return {"program_uuid": _choosing_program(w).uuid}
    if name.startswith("mentorship:mentor_request_"):
        return {"request_uuid": _mentor_request(w).uuid}
    if name == "mentorship:checklist_dismiss":
        return {"membership_uuid": w.membership.uuid}
    if name == "mentorship:my_capacity":
        return {"membership_uuid": _mentor_membership(w).uuid}
    if name in ("mentorship:message_edit", "mentorship:message_delete"):
        return {"pairing_uuid": w.pairing.uuid, "message_uuid": _message(w).uuid}
    if name in special:
        return special[name]
    # Meetings: a proposal of Maria's waiting for Mia's pick (with a point on its agenda);
    # the log form is of a confirmed meeting that has taken place.
    if name == "mentorship:meeting_new":
        return {"pairing_uuid": w.pairing.uuid}
    if name == "mentorship:meeting_log":
        return {"pairing_uuid": w.pairing.uuid, "meeting_uuid": _past_meeting(w).uuid}
    if name.startswith("mentorship:meeting_") or name == "mentorship:agenda_add":
        return {"pairing_uuid": w.pairing.uuid, "meeting_uuid": _meeting(w).uuid}
    if name in ("mentorship:agenda_edit", "mentorship:agenda_delete"):
        meeting = _meeting(w)
        item = meeting.agenda_items.first()
        return {
            "pairing_uuid": w.pairing.uuid,
            "meeting_uuid": meeting.uuid,
            "item_uuid": item.uuid,
        }
    if name == "mentorship:action_item_tick":
        return {"pairing_uuid": w.pairing.uuid, "item_uuid": _action_item(w).uuid}
    if name.startswith("mentorship:pairing_") and name != "mentorship:pairing_new":
        return {"pairing_uuid": w.pairing.uuid}
    if name.startswith("mentorship:program_") and name not in (
        "mentorship:program_list",
        "mentorship:program_create",
    ):
        return program
    if name in ("mentorship:attention_nudge", "mentorship:attention_snooze"):
        return program
    if name == "mentorship:nudge_rules":
        return program
    if name in ("mentorship:member_list", "mentorship:program_invite", "mentorship:pairing_new"):
        return program
    if name.startswith("goals:goal_") and name not in ("goals:goal_list", "goals:goal_create"):
        return {"uuid": w.goal.uuid}
    if name in ("goals:milestone_add", "goals:update_add", "goals:comment_add", "goals:step_add"):
        return {"uuid": w.goal.uuid}
    return {}


def _meeting(w):
    """Maria's proposal of two times to Mia, with one point on its agenda."""
    from datetime import timedelta

    from django.utils import timezone

    from mentorship.models import AgendaItem, Meeting

    meeting = Meeting.objects.filter(pairing=w.pairing, location="sweep: proposed").first()
    if meeting is None:
        soon = timezone.now().replace(microsecond=0) + timedelta(days=2)
        meeting = Meeting.objects.create(
            pairing=w.pairing,
            proposed_by=w.users["mentor"],
            candidate_times=[soon.isoformat(), (soon + timedelta(days=1)).isoformat()],
            location="sweep: proposed",
            uid="sweep-proposed@example.org",
        )
        AgendaItem.objects.create(meeting=meeting, author=w.users["mentee"], text="Talk outline")
    return meeting


def _past_meeting(w):
    """A confirmed meeting of the pair that began an hour ago: waiting to be logged."""
    from datetime import timedelta

    from django.utils import timezone

    from mentorship.models import Meeting, MeetingStatus

    meeting = Meeting.objects.filter(pairing=w.pairing, location="sweep: past").first()
    if meeting is None:
        meeting = Meeting.objects.create(
            pairing=w.pairing,
            proposed_by=w.users["mentor"],
            status=MeetingStatus.CONFIRMED,
            starts_at=timezone.now().replace(microsecond=0) - timedelta(hours=1),
            location="sweep: past",
            uid="sweep-past@example.org",
        )
    return meeting


def _action_item(w):
    """An open action item of Mia's."""
    from mentorship.models import ActionItem

    item, _created = ActionItem.objects.get_or_create(
        pairing=w.pairing, owner=w.users["mentee"], title="Draft the slides"
    )
    return item


def _import_run(w):
    """A finished CSV import run of the world's program, made by its admin (the world has
    none of its own)."""
    from mentorship.models import ImportRun, ImportRunStatus

    run, _created = ImportRun.objects.get_or_create(
        program=w.program,
        filename="sweep.csv",
        defaults={
            "kind": "participants",
            "by": w.users["admin"],
            "status": ImportRunStatus.DONE,
            "skipped_csv": "email,name,role,reason\nbad,B,mentee,Bad e-mail address “bad”.\n",
        },
    )
    return run


def _joinable_program(w):
    """The world's other program, opened to applications with approval."""
    from mentorship.models import JoinPolicy, Program

    Program.objects.filter(pk=w.other_program.pk).update(join_policy=JoinPolicy.APPROVAL)
    return w.other_program


def _application(w):
    """Mentee A's application, waiting, to mentor in her own program too."""
    from mentorship.models import Application, ApplicationStatus, Role

    application, _created = Application.objects.get_or_create(
        program=w.program,
        user=w.users["mentee"],
        status=ApplicationStatus.PENDING,
        defaults={"role": Role.MENTOR, "message": "I would like to mentor too."},
    )
    return application


def _choosing_program(w):
    """A program where mentees choose: mentee A is one of its mentees, unpaired, and a
    mentor outside the personas has free places."""
    from mentorship.models import Membership, Program, Role
    from tests.factories import ProgramFactory, UserFactory

    program = Program.objects.filter(slug="choosers").first()
    if program is None:
        program = ProgramFactory(name="Choosers", slug="choosers", mentees_choose=True)
        Membership.objects.create(program=program, user=w.users["mentee"], role=Role.MENTEE)
        Membership.objects.create(
            program=program,
            user=UserFactory(email="pia@example.com", name="Pia Picked"),
            role=Role.MENTOR,
            skills="public speaking",
        )
    return program


def _mentor_request(w):
    """Mentee A's request to her mentor Maria in A's program, waiting (written directly:
    she is paired with Maria already, so accepting it is refused)."""
    from datetime import timedelta

    from django.utils import timezone

    from mentorship.models import Membership, MentorRequest, MentorRequestStatus, Role

    found = MentorRequest.objects.filter(program=w.program).first()
    if found is not None:
        return found
    return MentorRequest.objects.create(
        program=w.program,
        mentee=Membership.objects.get(program=w.program, user=w.users["mentee"], role=Role.MENTEE),
        mentor=Membership.objects.get(program=w.program, user=w.users["mentor"], role=Role.MENTOR),
        status=MentorRequestStatus.PENDING,
        expires_at=timezone.now() + timedelta(days=7),
        message="Would you mentor me?",
    )


def _mentor_membership(w):
    """Maria's mentor membership of A's program (her own capacity page)."""
    from mentorship.models import Membership, Role

    return Membership.objects.get(program=w.program, user=w.users["mentor"], role=Role.MENTOR)


def _message(w):
    """Mentee A's message to her mentor, in their conversation."""
    from mentorship.models import Message

    message, _created = Message.objects.get_or_create(
        pairing=w.pairing, author=w.users["mentee"], defaults={"body": "See you on Thursday?"}
    )
    return message


def url_for(name: str, w) -> str:
    return reverse(name, kwargs=url_kwargs(name, w))


class _Rollback(Exception):
    pass


def status_of(client: Client, method: str, url: str) -> str:
    """The response's status as the matrix writes it ("302L" for a redirect to the login
    page), with whatever the request changed rolled back so every request sees the same
    world. An exception is reported by name instead of a status."""
    result = {}
    try:
        with transaction.atomic():
            try:
                response = client.get(url) if method == "GET" else client.post(url, {})
            except Exception as exc:  # the sweep reports it as a failure
                result["status"] = f"EXC:{type(exc).__name__}:{exc}"[:200]
                raise _Rollback from exc
            status = str(response.status_code)
            if response.status_code == 302 and "/accounts/login/" in response.get("Location", ""):
                status = "302L"
            result["status"] = status
            result["response"] = response
            raise _Rollback
    except _Rollback:
        pass
    return result["status"]


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client
