import pytest

from tests.factories import AgreementFactory


@pytest.fixture
def agreement(pairing):
    return AgreementFactory(pairing=pairing)


@pytest.fixture
def login(client):
    """Log `user` in on the test client and return the client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The personas all get a password; the real hasher costs ~0.3 s per user, which makes
    # the access matrix take minutes. Tests do not measure the hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
