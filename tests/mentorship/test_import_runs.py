"""Large CSV imports run in the background: an ImportRun worked through in batches, each its
own transaction; its page shows the progress (polled) and the result; a retried task never
imports a row twice."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from mentorship import services
from mentorship.models import (
    ImportRun,
    ImportRunStatus,
    Invitation,
    Membership,
    Pairing,
    PairingStatus,
    Role,
)
from tests.factories import MembershipFactory, ProgramFactory, UserFactory

pytestmark = pytest.mark.django_db
pytest_plugins = ["celery.contrib.pytest"]

HEADER = "email,name,role,skills,interests,capacity\n"


def people(n: int, start: int = 0, role: str = "mentee") -> str:
    return HEADER + "".join(f"p{i}@example.com,P {i},{role},,,\n" for i in range(start, n))


def invited(program, role=Role.MENTEE) -> int:
    """Open invitations of `program` in `role` (each imported row is one)."""
    return Invitation.objects.filter(program=program, role=role, accepted_at__isnull=True).count()


def job_handovers(callbacks) -> list:
    """The on-commit callbacks that hand a job to the broker (not the e-mails' deliveries)."""
    return [c for c in callbacks if c.__qualname__.startswith("enqueue_on_commit")]


def start(program, admin, text, *, kind="participants", inline=3, batch=2):
    return services.import_start(
        program=program,
        kind=kind,
        text=text,
        by=admin,
        filename="people.csv",
        inline_rows=inline,
        batch_rows=batch,
    )


# --- The run and its task -------------------------------------------------------------------


def test_a_small_file_is_imported_at_once_all_or_none(program, admin):
    run = start(program, admin, people(3))
    assert run.status == ImportRunStatus.DONE
    assert (run.rows_total, run.rows_done, run.batches) == (3, 3, [])
    assert run.result == {"invitations": 3}
    assert invited(program) == 3
    assert not Membership.objects.filter(program=program, role=Role.MENTEE).exists()


def test_a_large_file_waits_for_the_commit_then_runs_in_batches(
    program, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = start(program, admin, people(7))
    # Nothing imported within the request: the rows wait in the run.
    assert run.status == ImportRunStatus.PENDING
    assert (run.rows_total, run.rows_done, len(run.batches)) == (7, 0, 4)
    assert invited(program) == 0
    assert len(callbacks) == 1

    callbacks[0]()  # the task, as the broker would start it
    run.refresh_from_db()
    assert run.status == ImportRunStatus.DONE
    assert (run.rows_done, run.batches_done) == (7, 4)
    assert run.result == {"invitations": 7}
    assert run.started_at and run.finished_at
    assert invited(program) == 7


def test_rows_of_one_address_stay_in_one_batch(program, admin, django_capture_on_commit_callbacks):
    """Both rows of an address are in the same batch, which sees all of that person's
    invitations."""
    text = HEADER + (
        "a@example.com,A,mentor,,,\n"
        "b@example.com,B,mentee,,,\n"
        "c@example.com,C,mentee,,,\n"
        "a@example.com,A,mentee,,,\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = start(program, admin, text, inline=1, batch=1)
    run.refresh_from_db()
    emails = [[row["email"] for row in batch] for batch in run.batches]
    assert ["a@example.com", "a@example.com"] in emails
    assert run.result == {"invitations": 4}
    assert set(Invitation.objects.filter(email="a@example.com").values_list("role", flat=True)) == {
        "mentor",
        "mentee",
    }


def test_a_retried_task_carries_on_after_the_last_batch_and_never_imports_twice(
    program, admin, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=False):
        run = start(program, admin, people(7))
    real_apply = services._import_apply
    calls = []

    def dies_in_the_second_batch(**kwargs):
        calls.append(1)
        result = real_apply(**kwargs)  # the batch's rows are written...
        if len(calls) == 2:
            raise SystemExit("worker killed")  # ...and the worker dies before the commit
        return result

    monkeypatch.setattr(services, "_import_apply", dies_in_the_second_batch)
    with pytest.raises(SystemExit):
        services.import_run_process(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.batches_done, run.rows_done) == (ImportRunStatus.RUNNING, 1, 2)
    assert invited(program) == 2

    # The broker delivers the task again (acks_late): it resumes at the second batch.
    monkeypatch.setattr(services, "_import_apply", real_apply)
    services.import_run_process(run_id=run.pk)
    # And a duplicate delivery after the end does nothing.
    services.import_run_process(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.batches_done, run.rows_done) == (ImportRunStatus.DONE, 4, 7)
    assert run.result["invitations"] == 7
    assert invited(program) == 7
    assert Invitation.objects.values("email").distinct().count() == 7


def test_rows_that_the_database_refuses_by_now_are_skipped_and_reported(
    program, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = start(program, admin, people(5))
    # Between the confirmation and the batch, p3 joined the program as a mentee.
    MembershipFactory(program=program, user=UserFactory(email="p3@example.com"), role=Role.MENTEE)
    callbacks[0]()
    run.refresh_from_db()
    assert run.status == ImportRunStatus.DONE
    assert run.rows_done == 5
    assert run.result["invitations"] == 4  # not p3, a member by now
    assert run.result["skipped_count"] == 1
    assert run.result["skipped"][0]["line"] == 5
    assert "Duplicate" in run.result["skipped"][0]["reason"]


def test_addresses_with_and_without_an_account_are_invited_alike(
    program, admin, django_capture_on_commit_callbacks
):
    UserFactory(email="p1@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        run = start(program, admin, people(4))
    run.refresh_from_db()
    assert run.result == {"invitations": 4}
    assert invited(program) == 4
    assert not Membership.objects.filter(program=program, role=Role.MENTEE).exists()
    assert not User.objects.filter(email__in=["p0@example.com", "p2@example.com"]).exists()


def test_a_pairings_file_runs_in_batches_too(program, admin, django_capture_on_commit_callbacks):
    mentor = UserFactory(email="mentor@example.com")
    MembershipFactory(program=program, user=mentor, role=Role.MENTOR, capacity=10)
    for i in range(5):
        MembershipFactory(
            program=program, user=UserFactory(email=f"m{i}@example.com"), role=Role.MENTEE
        )
    text = "mentor_email,mentee_email\n" + "".join(
        f"mentor@example.com,m{i}@example.com\n" for i in range(5)
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = start(program, admin, text, kind="pairings")
    run.refresh_from_db()
    assert (run.status, run.rows_done, run.batches_done) == (ImportRunStatus.DONE, 5, 3)
    assert run.result == {"pairings": 5}
    assert Pairing.objects.filter(program=program, status=PairingStatus.PROPOSED).count() == 5


def test_a_bad_file_is_refused_before_any_run_exists(program, admin):
    with pytest.raises(services.ImportRejected):
        start(program, admin, HEADER + "bad,B,mentee,,,\n")
    assert not ImportRun.objects.exists()


# --- The pages ------------------------------------------------------------------------------


def run_url(run, name="mentorship:import_run_detail"):
    return reverse(name, args=[run.program.uuid, run.uuid])


def test_confirming_a_large_file_leads_to_its_page_which_shows_the_result(
    client, program, admin, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "IMPORT_INLINE_ROWS", 3)
    monkeypatch.setattr(services, "IMPORT_BATCH_ROWS", 2)
    client.force_login(admin)
    preview = client.post(
        reverse("mentorship:import_upload", args=[program.uuid, "participants"]),
        {"file": SimpleUploadedFile("people.csv", people(6).encode(), content_type="text/csv")},
    )
    token = preview.context["token"]
    assert 'id="import-background"' in preview.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        confirm = client.post(
            reverse("mentorship:import_confirm", args=[program.uuid, "participants"]),
            {"token": token},
        )
    run = ImportRun.objects.get()
    assert confirm.status_code == 302
    assert confirm["Location"] == run_url(run)
    page = client.get(run_url(run))
    body = page.content.decode()
    assert page.status_code == 200
    assert "6 of 6 rows done" in body
    assert "Sent 6 invitations" in body
    assert "hx-trigger" not in body  # done: nothing left to poll


def test_the_page_polls_while_the_run_goes_on_and_stops_when_it_ends(
    client, program, admin, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=False):
        run = start(program, admin, people(7))
    client.force_login(admin)
    body = client.get(run_url(run)).content.decode()
    progress_url = run_url(run, "mentorship:import_run_progress")
    assert f'hx-get="{progress_url}"' in body and 'hx-trigger="every 2s"' in body
    assert "0 of 7 rows done" in body

    # Half-way (the worker was stopped after the first batch): the fragment says so.
    real_apply = services._import_apply
    calls = []

    def stop_after_one(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise SystemExit
        return real_apply(**kwargs)

    monkeypatch.setattr(services, "_import_apply", stop_after_one)
    with pytest.raises(SystemExit):
        services.import_run_process(run_id=run.pk)
    fragment = client.get(progress_url)
    assert fragment.status_code == 200
    text = fragment.content.decode()
    assert "<html" not in text and 'id="import-run"' in text
    assert "2 of 7 rows done" in text and "hx-trigger" in text
    assert 'aria-valuenow="2"' in text and "width: 28%" in text
    assert fragment["Cache-Control"] == "no-store"

    monkeypatch.setattr(services, "_import_apply", real_apply)
    services.import_run_process(run_id=run.pk)
    text = client.get(progress_url).content.decode()
    assert "7 of 7 rows done" in text and "hx-trigger" not in text
    assert "Sent 7 invitations" in text


def test_a_failed_run_says_why(client, program, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        run = start(program, admin, people(5))
    services.import_run_fail(run_id=run.pk, error="The database went away.")
    client.force_login(admin)
    body = client.get(run_url(run, "mentorship:import_run_progress")).content.decode()
    assert "The import stopped: The database went away." in body
    assert "hx-trigger" not in body


def test_only_the_programs_admins_see_a_run(client, program, other_program, admin):
    run = start(program, admin, people(2))
    mentor = UserFactory()
    MembershipFactory(program=program, user=mentor, role=Role.MENTOR)
    mentee = UserFactory()
    MembershipFactory(program=program, user=mentee, role=Role.MENTEE)
    other_admin = UserFactory()
    MembershipFactory(program=other_program, user=other_admin, role=Role.ADMIN)
    second_admin = UserFactory()
    MembershipFactory(program=program, user=second_admin, role=Role.ADMIN)
    for name in ("mentorship:import_run_detail", "mentorship:import_run_progress"):
        url = run_url(run, name)
        for user, status in (
            (admin, 200),
            (second_admin, 200),
            (mentor, 404),
            (mentee, 404),
            (other_admin, 404),
        ):
            client.force_login(user)
            assert client.get(url).status_code == status, (name, user)
        client.logout()
        assert "/accounts/login/" in client.get(url)["Location"]
    # The run under another program's address is not found, even for that program's admin.
    client.force_login(other_admin)
    wrong = reverse("mentorship:import_run_detail", args=[other_program.uuid, run.uuid])
    assert client.get(wrong).status_code == 404


def test_a_run_whose_job_was_lost_is_resumed_by_its_page(
    client, program, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        run = start(program, admin, people(5))  # the job never reaches a worker
    client.force_login(admin)
    progress_url = run_url(run, "mentorship:import_run_progress")
    # Recent: the job may just be waiting in the queue; the page does not hand it over again.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert "0 of 5 rows done" in client.get(progress_url).content.decode()
    assert callbacks == []
    ImportRun.objects.filter(pk=run.pk).update(
        updated_at=timezone.now() - services.IMPORT_STALE_AFTER - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.get(progress_url)
    # Handed to the broker again (eager here: run at once, its invitations' e-mails after it).
    assert len(job_handovers(callbacks)) == 1
    body = client.get(progress_url).content.decode()
    assert "5 of 5 rows done" in body and "Sent 5 invitations" in body
    assert invited(program) == 5


def test_beat_hands_every_stale_run_to_the_broker_again(
    program, admin, django_capture_on_commit_callbacks
):
    """Nobody opens the page: the beat sweep finds the run whose job was lost, and leaves a
    recent one and a finished one alone."""
    from mentorship.tasks import import_runs_sweep

    with django_capture_on_commit_callbacks(execute=False):
        lost = start(program, admin, people(5))  # over the inline size: in the background
        recent = start(program, admin, people(14, start=10))
    ImportRun.objects.filter(pk=lost.pk).update(
        updated_at=timezone.now() - services.IMPORT_STALE_AFTER - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert import_runs_sweep() == 1
    assert len(job_handovers(callbacks)) == 1  # eager here: the run goes on at once
    lost.refresh_from_db()
    recent.refresh_from_db()
    assert (lost.rows_done, lost.status) == (5, "done")
    assert recent.rows_done == 0
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert import_runs_sweep() == 0  # finished runs and recent ones stay as they are
    assert callbacks == []


def test_the_upload_page_links_the_programs_recent_runs(client, program, other_program, admin):
    run = start(program, admin, people(2))
    elsewhere = start(other_program, admin, people(2))
    client.force_login(admin)
    body = client.get(
        reverse("mentorship:import_upload", args=[program.uuid, "participants"])
    ).content.decode()
    assert 'id="import-runs"' in body and run_url(run) in body
    assert "2 of 2 rows" in body
    assert str(elsewhere.uuid) not in body


# --- A real worker --------------------------------------------------------------------------

needs_services = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"] or not settings.REDIS_URL,
    reason="needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)",
)


@pytest.fixture
def celery_app(_eager_celery_tasks):
    """celery.contrib.pytest's worker runs the project's own app, its tasks going through
    Redis (not in-process, as in the other tests)."""
    from config.celery import app

    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = True


@pytest.fixture
def celery_worker_parameters():
    # The project registers no celery.ping task; the fixture waits for the worker instead.
    return {"perform_ping_check": False}


@needs_services
@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_imports_a_few_thousand_rows_in_batches(celery_app, celery_worker):
    program = ProgramFactory(slug="worker-import")
    admin = UserFactory(email="ada@example.com")
    MembershipFactory(program=program, user=admin, role=Role.ADMIN)
    run = services.import_start(
        program=program, kind="participants", text=people(3000), by=admin, filename="big.csv"
    )
    assert run.status == ImportRunStatus.PENDING  # handed to the worker, not run here
    assert len(run.batches) == 3000 // services.IMPORT_BATCH_ROWS

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.finished:
            break
        time.sleep(0.2)
    assert run.status == ImportRunStatus.DONE, (run.status, run.rows_done, run.error)
    assert (run.rows_done, run.batches_done) == (3000, 6)
    assert run.result == {"invitations": 3000}
    assert invited(program) == 3000
    # Delivered again (a retry after the end): nothing changes.
    celery_app.tasks["mentorship.tasks.import_run_process"].delay(run.pk)
    time.sleep(1)
    assert invited(program) == 3000


def test_the_result_says_one_invitation_in_the_singular_and_nothing_about_accounts():
    from mentorship.web.imports import _participants_message

    assert _participants_message({"invitations": 1}) == (
        "Sent 1 invitation: the person joins the program once they accept (signing up from "
        "the e-mail's link if they are new here)."
    )
    assert _participants_message({"invitations": 2}).startswith("Sent 2 invitations: each")
    assert "account" not in _participants_message({"invitations": 2})
    assert _participants_message({"invitations": 1, "already_invited": 2}).endswith(
        " 2 rows were invited before and have not been answered yet; they were not sent again."
    )
