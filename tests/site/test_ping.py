import pytest

pytestmark = pytest.mark.django_db


def test_ping_answers_plain_text(client):
    response = client.get("/ping")
    assert response.status_code == 200
    assert response.content == b"pong"
    assert response["Content-Type"].startswith("text/plain")


def test_ping_refuses_post(client):
    assert client.post("/ping").status_code == 405
