"""One home for each rule of a program and a check-in (the model's clean(), run by the
services): the page's form and the API answer with the same message on the same field."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import InvalidInput
from mentorship import services
from mentorship.models import CheckIn, Program
from tests.mentorship.test_program_pages import program_data

pytestmark = pytest.mark.django_db

# The program page's valid input (its tests' own).
PAGE_DATA = program_data()


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("ends_on", "2027-01-01", "The program cannot end before it starts."),
        ("checkin_cadence_days", "0", "Use a number of at least 1."),
        ("stall_after_days", "0", "Use a number of at least 1."),
        ("max_active_goals", "0", "Use a number of at least 1."),
    ],
)
def test_program_rules_answer_alike_on_the_page_and_in_the_api(
    client, admin, field, value, message
):
    client.force_login(admin)
    page = client.post(reverse("mentorship:program_create"), {**PAGE_DATA, field: value})
    assert page.status_code == 200
    assert page.context["form"].errors[field] == [message]
    api = client.post(
        reverse("api:program-list"),
        {**PAGE_DATA, "is_active": True, field: value},
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert api.status_code == 400
    assert api.json() == {field: [message]}
    assert not Program.objects.filter(slug="spring-cohort").exists()


def test_a_taken_short_name_is_a_field_message_from_the_service(admin, program):
    with pytest.raises(services.MentorshipError) as raised:
        services.program_create(created_by=admin, name="Again", slug=program.slug)
    assert isinstance(raised.value, InvalidInput) and raised.value.status == 400
    assert raised.value.field == "slug"
    assert Program.objects.filter(slug=program.slug).count() == 1


def test_the_api_creates_a_program_with_the_models_defaults(client, admin):
    client.force_login(admin)
    response = client.post(
        reverse("api:program-list"),
        {"name": "Autumn", "slug": "autumn"},
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201, response.content
    program = Program.objects.get(slug="autumn")
    assert program.checkin_cadence_days == 14 and program.memberships.get().user == admin


def test_a_partial_api_update_is_checked_as_a_whole(client, admin, program):
    client.force_login(admin)
    url = reverse("api:program-detail", args=[program.uuid])
    before = program.starts_on - timedelta(days=1)
    response = client.patch(
        url,
        {"ends_on": before.isoformat()},
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"ends_on": ["The program cannot end before it starts."]}
    program.refresh_from_db()
    assert program.ends_on != before


def test_a_checkin_in_the_future_answers_alike_on_the_page_and_in_the_api(
    client, mentor, pairing, agreement
):
    future = (timezone.localdate() + timedelta(days=9)).isoformat()
    client.force_login(mentor)
    page = client.post(
        reverse("mentorship:pairing_checkin", args=[pairing.uuid]),
        {"occurred_on": future, "summary": "Soon"},
    )
    assert page.context["checkin_form"].non_field_errors() == ["The meeting date is in the future."]
    api = client.post(
        reverse("api:checkin-list"),
        {"pairing": str(pairing.uuid), "occurred_on": future, "summary": "Soon"},
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert api.status_code == 400
    assert api.json() == {"non_field_errors": ["The meeting date is in the future."]}
    assert not CheckIn.objects.exists()


def test_a_checkin_tomorrow_is_allowed(mentor, pairing):
    """One day of slack: the meeting may already be "today" in the other person's zone."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    checkin = services.checkin_log(pairing=pairing, by=mentor, occurred_on=tomorrow, summary="x")
    assert checkin.pk and checkin.occurred_on == tomorrow


@pytest.mark.parametrize(
    "service,fields",
    [
        ("checkin_log", "CHECKIN_FIELDS"),
        ("agreement_update", "AGREEMENT_FIELDS"),
    ],
)
def test_services_take_the_fields_of_the_entitys_one_list(service, fields):
    """The page's form and the API's serializer hand the service exactly these fields."""
    import inspect

    from mentorship import forms, models

    names = getattr(models, fields)
    parameters = inspect.signature(getattr(services, service)).parameters
    assert set(names) <= set(parameters)
    form = {"CHECKIN_FIELDS": forms.CheckInForm, "AGREEMENT_FIELDS": forms.AgreementForm}[fields]
    assert tuple(form._meta.fields) == names
