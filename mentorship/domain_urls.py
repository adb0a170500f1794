"""URLs of the mentoring domain (programs, invitations, pairings); the site's root URLconf
is mentorship/urls.py."""

from django.urls import path  # noqa: F401

app_name = "mentorship"

urlpatterns: list = []
