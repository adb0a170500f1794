"""Shared fixtures: the personas every access test uses, and the real-browser set-up.

Personas (one program, "program", and one other):
  mentee        Mia, a mentee of the program, paired with mentor
  other_mentee  Noah, another mentee of the program, paired with other_mentor
  mentor        Maria, Mia's mentor
  other_mentor  Otto, a mentor of the program, not Mia's
  admin         Ada, admin of the program
  other_admin   Ari, admin of another program
  stranger      Sam, signed up, in no program
"""

import os
import shutil
from urllib.parse import urlsplit, urlunsplit

import pytest

from mentorship.models import Role

from .factories import MembershipFactory, PairingFactory, ProgramFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; the ORM calls that browser
# tests make around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def redis_url_for_worker(url: str, worker: str) -> str:
    """The Redis database of one pytest-xdist worker: gw0 keeps REDIS_URL's, gwN takes the one
    2*N below it (15 and 13 in CI, clear of the worker-kill check's 14). Every test empties
    the cache and the Celery tests empty the broker, so two workers never share one."""
    if not url or not worker.startswith("gw"):
        return url
    number = int(worker[2:])
    if number >= 4:
        raise pytest.UsageError("with REDIS_URL, run at most 4 xdist workers (-n 4)")
    parts = urlsplit(url)
    db = int(parts.path.lstrip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(db - 2 * number) % 16}"))


def _redis_database_of_this_worker() -> None:
    """Point the cache, the broker and the counters of this xdist worker at its own Redis
    database. Settings are read before any conftest, so they are changed in place, before
    the first cache or broker connection is made."""
    from django.conf import settings

    url = redis_url_for_worker(settings.REDIS_URL, os.environ.get("PYTEST_XDIST_WORKER", ""))
    if url == settings.REDIS_URL:
        return
    from config.celery import app

    settings.REDIS_URL = settings.CELERY_BROKER_URL = url
    settings.CACHES["default"]["LOCATION"] = url
    app.conf.broker_url = url


def pytest_configure(config):
    from django.conf import settings

    _redis_database_of_this_worker()
    # Every test client builds the middleware afresh, and WhiteNoise would index every
    # collected static file each time (a second apiece once collectstatic has run). Tests
    # request no static file through it: it looks files up when asked instead.
    settings.WHITENOISE_AUTOREFRESH = True
    # In CI the real services are not optional: refuse to run rather than skip them.
    if os.environ.get("CI"):
        engine = settings.DATABASES["default"]["ENGINE"]
        if "postgresql" not in engine:
            raise pytest.UsageError("CI must run on PostgreSQL: set DATABASE_URL")
        if not settings.REDIS_URL:
            raise pytest.UsageError("CI must run with Redis: set REDIS_URL")
        if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
            raise pytest.UsageError(f"CI needs Chromium at {CHROMIUM} for browser tests")


@pytest.fixture(scope="session", autouse=True)
def delete_output_dir(pytestconfig):
    """pytest-playwright empties its output folder when a session starts; under xdist each
    worker is a session, so only the first worker does, before the others write to it."""
    if os.environ.get("PYTEST_XDIST_WORKER", "gw0") == "gw0":
        shutil.rmtree(pytestconfig.getoption("--output"), ignore_errors=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Personas get real passwords; hashing them with the production hasher dominates the
    run time of the suite and proves nothing. The production hasher is still what the
    settings use, and tests/accounts checks the password rules through it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _sessions_from_the_cache(settings):
    """Sessions are read from the cache, as in production with Redis (so query counts are the
    same with and without REDIS_URL)."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and cached fragments live in the cache: each test starts from empty."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _eager_celery_tasks():
    """With REDIS_URL set, tasks go to the broker. Ordinary tests run them in-process instead;
    a test that starts a real worker turns this off itself."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin_client, signed in with a TOTP code: the admin needs two-factor
    authentication (core.middleware.AdminTwoFactorMiddleware)."""
    from .two_factor import sign_in_with_totp

    sign_in_with_totp(client, admin_user, password="password")
    return client


@pytest.fixture
def program(db):
    return ProgramFactory(name="Northwind Circle", slug="northwind")


@pytest.fixture
def other_program(db):
    return ProgramFactory(name="Southside Guild", slug="southside")


@pytest.fixture
def admin(program):
    user = UserFactory(email="ada@example.com", name="Ada Admin")
    MembershipFactory(program=program, user=user, role=Role.ADMIN)
    return user


@pytest.fixture
def other_admin(other_program):
    user = UserFactory(email="ari@example.com", name="Ari Otheradmin")
    MembershipFactory(program=other_program, user=user, role=Role.ADMIN)
    return user


@pytest.fixture
def mentor(program):
    user = UserFactory(email="maria@example.com", name="Maria Mentor")
    MembershipFactory(program=program, user=user, role=Role.MENTOR, capacity=3)
    return user


@pytest.fixture
def other_mentor(program):
    user = UserFactory(email="otto@example.com", name="Otto Othermentor")
    MembershipFactory(program=program, user=user, role=Role.MENTOR, capacity=3)
    return user


@pytest.fixture
def mentee(program):
    user = UserFactory(email="mia@example.com", name="Mia Mentee")
    MembershipFactory(program=program, user=user, role=Role.MENTEE)
    return user


@pytest.fixture
def other_mentee(program):
    user = UserFactory(email="noah@example.com", name="Noah Othermentee")
    MembershipFactory(program=program, user=user, role=Role.MENTEE)
    return user


@pytest.fixture
def stranger(db):
    return UserFactory(email="sam@example.com", name="Sam Stranger")


@pytest.fixture
def pairing(program, mentor, mentee):
    """Mia's active pairing with Maria."""
    return PairingFactory(program=program, mentor=mentor, mentee=mentee)


@pytest.fixture
def other_pairing(program, other_mentor, other_mentee):
    """Noah's active pairing with Otto."""
    return PairingFactory(program=program, mentor=other_mentor, mentee=other_mentee)
