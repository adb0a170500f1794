"""Django admin pages for the goal models render for staff."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.two_factor import sign_in_with_totp

pytestmark = pytest.mark.django_db


def test_admin_pages_render(client, goal, milestone, update):
    from goals.models import Comment, GoalEvent

    comment = Comment.objects.create(goal=goal, author=goal.mentee, body="Note to self")
    event = GoalEvent.objects.create(goal=goal, actor=goal.mentee, action="created")
    staff = UserFactory(is_staff=True, is_superuser=True)
    sign_in_with_totp(client, staff)  # the admin needs two-factor authentication
    for model, obj in [
        ("goal", goal),
        ("milestone", milestone),
        ("progressupdate", update),
        ("comment", comment),
        ("goalevent", event),
    ]:
        assert client.get(reverse(f"admin:goals_{model}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:goals_{model}_change", args=[obj.pk])).status_code == 200
