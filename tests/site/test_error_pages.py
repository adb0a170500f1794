"""Refusals and missing pages come in the site's frame, with a way back; a server error has a
page of its own that needs nothing from the request."""

import pytest
from django.template.loader import get_template
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_missing_page_is_the_sites_404(client, mentee):
    client.force_login(mentee)
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html and 'class="navbar' in html
    assert f'href="{reverse("home")}"' in html


def test_a_refusal_is_the_sites_403(client, mentee):
    # The admin refuses a signed-in person who is not staff.
    client.force_login(mentee)
    response = client.get(reverse("admin:login"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "You cannot open this page" in html and 'class="navbar' in html


def test_the_500_page_renders_without_a_request():
    html = get_template("500.html").render({})
    assert "Something went wrong on our side" in html and "bootstrap" in html
