"""Production settings: refuse to start without a secret, pass the deploy checks, send the
security headers. Production settings are read at import, so those tests start a fresh Python
with a clean environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SECRET = "k3y-for-tests-only-" + "x" * 50


def run(args, **env):
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/")}
    clean.update(env)
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def test_production_without_secret_key_refuses_to_start():
    result = run(["manage.py", "check"], DEBUG="false", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_bad_boolean_is_refused_at_start_up():
    result = run(["manage.py", "check"], DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_development_defaults_start_with_nothing_configured():
    result = run(["manage.py", "check"])
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_deploy_check_is_clean_in_production():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="false",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="mentoring.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "smtp://me%40example.org:p%2Fss@mail.example.org:587",
            {
                "EMAIL_BACKEND": SMTP,
                "EMAIL_HOST": "mail.example.org",
                "EMAIL_PORT": 587,
                "EMAIL_HOST_USER": "me@example.org",
                "EMAIL_HOST_PASSWORD": "p/ss",
                "EMAIL_USE_TLS": False,
                "EMAIL_USE_SSL": False,
                "EMAIL_TIMEOUT": 10,
            },
        ),
        ("smtp://", {"EMAIL_HOST": "localhost", "EMAIL_PORT": 25, "EMAIL_HOST_USER": ""}),
        (
            "smtp+tls://mail.example.org:587",
            {"EMAIL_BACKEND": SMTP, "EMAIL_USE_TLS": True, "EMAIL_USE_SSL": False},
        ),
        (
            "smtp+ssl://mail.example.org",
            {"EMAIL_PORT": 465, "EMAIL_USE_TLS": False, "EMAIL_USE_SSL": True},
        ),
        ("smtp+ssl://mail.example.org:2465", {"EMAIL_PORT": 2465, "EMAIL_USE_SSL": True}),
        ("smtp://127.0.0.1:2525?timeout=5", {"EMAIL_PORT": 2525, "EMAIL_TIMEOUT": 5}),
        ("console://", {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}),
        ("locmem://", {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}),
        ("dummy://", {"EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}),
    ],
)
def test_email_url_schemes_of_the_readme(url, expected):
    from config.settings import email_settings

    found = email_settings(url)
    assert {name: found[name] for name in expected} == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("smpt://mail.example.org", "EMAIL_URL scheme must be one of"),
        ("smtp://mail.example.org:twenty-five", "not a number"),
        ("smtp://mail.example.org?timeout=soon", "not a number"),
    ],
)
def test_bad_email_url_is_refused_at_start_up(url, message):
    result = run(["manage.py", "check"], EMAIL_URL=url)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_email_url_reaches_the_settings():
    result = run(
        [
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings as s; "
            "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.EMAIL_TIMEOUT)",
        ],
        EMAIL_URL="smtp+tls://mail.example.org:587?timeout=7",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        SMTP,
        "mail.example.org",
        "587",
        "True",
        "7",
    ]


PRODUCTION_PROBE = """
import json, django
from django.conf import settings
django.setup()
from django.test import Client
from django.test.utils import override_settings
# The manifest of collected static files does not exist in a checkout; plain storage is enough
# to render a page here.
plain = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
with override_settings(STORAGES=plain):
    client = Client()
    insecure = client.get("/accounts/login/")
    page = client.get("/accounts/login/", secure=True)
print(json.dumps({
    "insecure_status": insecure.status_code,
    "insecure_location": insecure.get("Location", ""),
    "status": page.status_code,
    "hsts": page.get("Strict-Transport-Security", ""),
    "csrf_cookie_secure": bool(page.cookies["csrftoken"]["secure"]),
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_setting_secure": settings.CSRF_COOKIE_SECURE,
    "debug": settings.DEBUG,
}))
"""


def test_production_sends_hsts_redirects_to_https_and_marks_cookies_secure(tmp_path):
    result = run(
        ["-c", PRODUCTION_PROBE],
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="testserver",
        DATABASE_URL=f"sqlite:///{tmp_path / 'probe.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["debug"] is False
    assert probe["insecure_status"] == 301
    assert probe["insecure_location"].startswith("https://")
    assert probe["status"] == 200
    assert "max-age=31536000" in probe["hsts"]
    assert "includeSubDomains" in probe["hsts"]
    assert probe["csrf_cookie_secure"] is True
    assert probe["session_cookie_secure"] is True
    assert probe["csrf_setting_secure"] is True


def test_development_has_no_hsts(client):
    response = client.get("/accounts/login/")
    assert "Strict-Transport-Security" not in response


@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/healthz"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    directives = {
        part.strip().split(" ", 1)[0]: part.strip().split(" ", 1)[1]
        for part in csp.split(";")
        if part.strip()
    }
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-eval" not in directives["script-src"]
    assert "unsafe-inline" not in directives["style-src"]
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_carry_no_inline_script(client):
    html = client.get("/accounts/login/").content.decode()
    for chunk in html.split("<script")[1:]:
        opening = chunk.split(">", 1)[0]
        assert "src=" in opening or 'type="application/json"' in opening, opening


def test_front_end_files_are_served_from_our_own_static_files(client):
    html = client.get("/").content.decode()
    assert "vendor/bootstrap/css/bootstrap.min.css" in html
    assert "vendor/htmx/htmx.min.js" in html
    assert "cdn" not in html.lower()
