import pytest

pytestmark = pytest.mark.django_db


def test_home_for_anonymous_shows_landing(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Create an account" in response.content
