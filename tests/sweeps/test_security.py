"""Security sweep: the deployment check, the headers of every HTML page of the access matrix,
HSTS in production, login throttling, and the Django admin behind allauth's login (rate limits
and two-factor)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from tests.accounts.helpers import totp_code
from tests.factories import PASSWORD, UserFactory
from tests.two_factor import sign_in_with_totp

from .access import client_for, patterns_to_cover, url_for
from .conftest import PERSONAS

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-production-like-secret-key-" + "x7Qp2Lr9Vb4Nz8Hk3Jd6Wf1Tg5Ys0Mc" * 2,
    "ALLOWED_HOSTS": "mentoring.example.org",
}


def run_production(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, **PRODUCTION_ENV}
    # The browser tests' conftest allows the ORM inside Playwright's loop; production does not.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean():
    result = run_production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_sends_hsts_and_redirects_to_https():
    script = (
        "import django, os;"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings');"
        "django.setup();"
        "from django.test import Client;"
        "c = Client(HTTP_HOST='mentoring.example.org');"
        "r = c.get('/ping', secure=True);"
        "print(r.status_code);"
        "print(r.headers.get('Strict-Transport-Security'));"
        "print(c.get('/ping').status_code)"
    )
    result = run_production("-c", script)
    assert result.returncode == 0, result.stderr
    status, hsts, plain = result.stdout.split("\n")[:3]
    assert status == "200"
    assert hsts.startswith("max-age=31536000")
    assert "includeSubDomains" in hsts
    assert plain == "301"  # plain http goes to https


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def header_problems(response) -> list[str]:
    problems = []
    csp = response.headers.get("Content-Security-Policy")
    if not csp:
        return ["no Content-Security-Policy"]
    directives = csp_directives(csp)
    script_src = directives.get("script-src", directives.get("default-src"))
    if not script_src:
        problems.append("CSP without script-src or default-src")
    elif "'unsafe-inline'" in script_src or "'unsafe-eval'" in script_src:
        problems.append(f"script-src allows inline or eval: {script_src}")
    if "script-src-elem" in directives and "'unsafe-inline'" in directives["script-src-elem"]:
        problems.append("script-src-elem allows inline scripts")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if not response.headers.get("Referrer-Policy"):
        problems.append("no Referrer-Policy")
    framing_denied = response.headers.get("X-Frame-Options") == "DENY" or directives.get(
        "frame-ancestors"
    ) == ["'none'"]
    if not framing_denied:
        problems.append("framing not denied")
    return problems


@pytest.mark.django_db
def test_every_html_page_of_the_matrix_sends_the_security_headers(world, quiet_request_log):
    clients = {persona: client_for(world.users[persona]) for persona in PERSONAS}
    seen = 0
    failures = []
    for name in patterns_to_cover():
        if name == "account_logout":
            continue  # a GET shows the confirmation page; covered as anonymous below
        url = url_for(name, world)
        for persona in PERSONAS:
            response = clients[persona].get(url)
            if "text/html" not in response.headers.get("Content-Type", ""):
                continue
            seen += 1
            failures += [f"{name} as {persona}: {p}" for p in header_problems(response)]
    response = client_for(world.users["mentee"]).get(reverse("account_logout"))
    failures += [f"account_logout: {p}" for p in header_problems(response)]
    assert seen > 200  # pages, error pages and redirects of every persona
    assert not failures, "\n".join(failures)


@pytest.fixture
def staff(db):
    return UserFactory(email="root@example.com", name="Root Staff", is_staff=True)


def test_wrong_passwords_are_throttled(client, staff):
    login_url = reverse("account_login")
    statuses = []
    for _ in range(6):
        response = client.post(login_url, {"login": staff.email, "password": "guess-1234"})
        statuses.append(response)
    last = statuses[-1].content.decode()
    assert "Too many failed login attempts" in last
    # Now even the right password is refused for a while.
    response = client.post(login_url, {"login": staff.email, "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admin_has_no_password_form_of_its_own(client, staff):
    """POSTing a staff password to /admin/login/ neither signs in nor reveals anything."""
    response = client.post(reverse("admin:login"), {"username": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response["Location"].startswith(reverse("account_login"))


def test_admin_for_a_signed_in_user_who_is_not_staff_is_forbidden(client, db):
    client.force_login(UserFactory())
    assert client.get(reverse("admin:login")).status_code == 403
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 403


def test_staff_with_totp_must_give_the_code_before_the_admin(client, staff):
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    next_url = reverse("admin:index")
    response = client.post(
        reverse("account_login") + f"?next={next_url}",
        {"login": staff.email, "password": PASSWORD, "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_authenticate"))
    # The password alone does not open the admin.
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index")).status_code == 302
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    response = client.get(response["Location"], follow=True)
    assert response.status_code == 200
    assert response.resolver_match.view_name == "admin:index"


def test_admin_login_redirect_keeps_to_this_site(client, staff):
    sign_in_with_totp(client, staff)  # the admin needs two-factor authentication
    response = client.get(reverse("admin:login") + "?next=https://evil.example/")
    assert response["Location"] == reverse("admin:index")
    response = client.get(reverse("admin:login") + "?next=/admin/goals/goal/")
    assert response["Location"] == "/admin/goals/goal/"
