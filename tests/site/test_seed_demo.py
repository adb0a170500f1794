"""seed_demo: a demo program with its people, printed logins, and no duplicates on a rerun."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from accounts.models import User
from mentorship.models import Membership, Program, Role

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("accounts", "mentorship", "goals", "notifications", "account", "mfa")


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
    }


def seed(*args) -> list[str]:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue().splitlines()


def test_seed_demo_creates_a_program_with_admin_mentors_and_mentees():
    seed()
    program = Program.objects.get(slug="demo-2026")
    roles = list(Membership.objects.filter(program=program).values_list("role", flat=True))
    assert roles.count(Role.ADMIN) == 1
    assert roles.count(Role.MENTOR) == 2
    assert roles.count(Role.MENTEE) == 4


def test_seed_demo_prints_one_login_per_line_that_works(client):
    lines = seed("--password", "a-demo-passphrase-1")
    logins = [line.split() for line in lines if "@" in line]
    # The admin, two mentors, four mentees and a person whose application waits.
    assert len(logins) == 8
    for email, password, role in logins:
        assert password == "a-demo-passphrase-1"
        assert role in {"admin", "mentor", "mentee", "applicant"}
        assert User.objects.filter(email=email).exists()
    email = logins[0][0]
    response = client.post(
        "/accounts/login/", {"login": email, "password": "a-demo-passphrase-1"}, follow=True
    )
    assert response.wsgi_request.user.is_authenticated


def test_running_seed_demo_twice_creates_nothing_new():
    first_output = seed()
    counts = row_counts()
    second_output = seed()
    assert row_counts() == counts
    assert [line for line in second_output if "@" in line] == [
        line for line in first_output if "@" in line
    ]
