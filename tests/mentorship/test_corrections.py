"""Correcting and removing check-ins (pages and API), refusing a repeated create,
and the confirmation steps of the pairing page."""

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mentorship import services
from mentorship.models import CheckIn, PairingEvent, PairingStatus
from tests.factories import AgreementFactory, CheckInFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _agreement(pairing):
    return AgreementFactory(pairing=pairing)


@pytest.fixture
def checkin(pairing):
    return services.checkin_log(
        pairing=pairing,
        by=pairing.mentor,
        occurred_on=date.today() - timedelta(days=3),
        summary="Outline of the talk.",
        next_steps="Draft five slides.",
    )


def actions(pairing) -> list[str]:
    return list(PairingEvent.objects.filter(pairing=pairing).values_list("action", flat=True))


def edit_url(checkin):
    return reverse("mentorship:checkin_edit", args=[checkin.pairing.uuid, checkin.uuid])


def delete_url(checkin):
    return reverse("mentorship:checkin_delete", args=[checkin.pairing.uuid, checkin.uuid])


# --- Check-ins on the pages -----------------------------------------------------------------


def test_the_author_corrects_a_checkin_and_the_history_says_so(client, checkin, mentor):
    client.force_login(mentor)
    page = client.get(edit_url(checkin))
    assert page.status_code == 200
    assert "Outline of the talk." in page.content.decode()
    new_date = date.today() - timedelta(days=1)
    response = client.post(
        edit_url(checkin),
        {"occurred_on": new_date.isoformat(), "summary": "Outline, v2.", "next_steps": ""},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#checkin-{checkin.uuid}")
    checkin.refresh_from_db()
    assert (checkin.occurred_on, checkin.summary, checkin.next_steps) == (
        new_date,
        "Outline, v2.",
        "",
    )
    pairing = checkin.pairing
    pairing.refresh_from_db()
    assert pairing.last_checkin_on == new_date
    assert pairing.next_checkin_due == new_date + timedelta(
        days=pairing.program.checkin_cadence_days
    )
    event = PairingEvent.objects.filter(pairing=pairing, action="checkin_edited").get()
    assert event.actor == mentor
    assert "summary" in event.detail and "next steps" in event.detail
    assert f"was {(date.today() - timedelta(days=3)).isoformat()}" in event.detail
    detail = client.get(reverse("mentorship:pairing_detail", args=[pairing.uuid])).content
    assert b"Meeting corrected" in detail


def test_a_correction_keeps_the_meetings_rules(client, checkin, mentor):
    client.force_login(mentor)
    future = date.today() + timedelta(days=5)
    response = client.post(
        edit_url(checkin), {"occurred_on": future.isoformat(), "summary": "x", "next_steps": ""}
    )
    assert response.status_code == 200
    assert "in the future" in response.content.decode()
    checkin.refresh_from_db()
    assert checkin.summary == "Outline of the talk."
    assert "checkin_edited" not in actions(checkin.pairing)


def test_an_unchanged_form_writes_no_history(client, checkin, mentor):
    client.force_login(mentor)
    client.post(
        edit_url(checkin),
        {
            "occurred_on": checkin.occurred_on.isoformat(),
            "summary": checkin.summary,
            "next_steps": checkin.next_steps,
        },
    )
    assert "checkin_edited" not in actions(checkin.pairing)


def test_the_author_deletes_a_checkin_after_confirming(client, checkin, mentor):
    client.force_login(mentor)
    # Without JavaScript the form carries "ask": the confirmation is a page.
    confirm = client.post(delete_url(checkin), {"ask": "1"})
    assert confirm.status_code == 200
    assert "Delete this check-in?" in confirm.content.decode()
    assert CheckIn.objects.filter(pk=checkin.pk).exists()
    assert client.get(delete_url(checkin)).status_code == 200
    response = client.post(delete_url(checkin))
    assert response.status_code == 302
    assert not CheckIn.objects.filter(pk=checkin.pk).exists()
    pairing = checkin.pairing
    pairing.refresh_from_db()
    assert pairing.last_checkin_on is None
    assert "checkin_deleted" in actions(pairing)


def test_deleting_the_latest_meeting_brings_back_the_one_before(checkin, mentor):
    later = services.checkin_log(
        pairing=checkin.pairing, by=mentor, occurred_on=date.today(), summary="Second."
    )
    services.checkin_delete(checkin=later, by=mentor)
    pairing = checkin.pairing
    pairing.refresh_from_db()
    assert pairing.last_checkin_on == checkin.occurred_on
    assert pairing.next_checkin_due == checkin.occurred_on + timedelta(
        days=pairing.program.checkin_cadence_days
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("mentee", 403),  # the other side of the pair sees the meeting, does not change it
        ("admin", 403),  # admins see that the pair met
        ("other_mentor", 404),
        ("other_admin", 404),
        ("stranger", 404),
    ],
)
def test_only_the_author_changes_a_checkin(client, request, checkin, who, status):
    client.force_login(request.getfixturevalue(who))
    for url in (edit_url(checkin), delete_url(checkin)):
        assert client.get(url).status_code == status
        assert client.post(url, {"summary": "hijacked"}).status_code == status
    checkin.refresh_from_db()
    assert checkin.summary == "Outline of the talk."
    assert not {"checkin_edited", "checkin_deleted"} & set(actions(checkin.pairing))


def test_a_checkin_of_another_pairing_is_not_found(client, checkin, mentor, other_pairing):
    client.force_login(mentor)
    url = reverse("mentorship:checkin_edit", args=[other_pairing.uuid, checkin.uuid])
    assert client.get(url).status_code == 404


def test_a_closed_pairing_keeps_its_checkins(client, checkin, mentor, admin):
    services.pairing_end(pairing=checkin.pairing, by=admin, reason="Moved teams")
    client.force_login(mentor)
    assert client.get(edit_url(checkin)).status_code == 403
    assert client.post(delete_url(checkin)).status_code == 403
    assert CheckIn.objects.filter(pk=checkin.pk).exists()


def test_the_page_offers_edit_and_delete_to_the_author_only(client, checkin, mentor, mentee):
    url = reverse("mentorship:pairing_detail", args=[checkin.pairing.uuid])
    client.force_login(mentor)
    page = client.get(url).content.decode()
    assert edit_url(checkin) in page
    assert delete_url(checkin) in page
    assert "data-confirm=" in page
    client.force_login(mentee)
    page = client.get(url).content.decode()
    assert edit_url(checkin) not in page
    assert delete_url(checkin) not in page


# --- Re-posting a create form ---------------------------------------------------------------


def test_reposting_the_checkin_form_makes_no_duplicate(client, pairing, mentor):
    client.force_login(mentor)
    url = reverse("mentorship:pairing_checkin", args=[pairing.uuid])
    data = {"occurred_on": date.today().isoformat(), "summary": "Met.", "next_steps": "Read."}
    first = client.post(url, data)
    assert first.status_code == 302
    second = client.post(url, data, follow=True)
    assert CheckIn.objects.filter(pairing=pairing).count() == 1
    existing = CheckIn.objects.get(pairing=pairing)
    assert second.redirect_chain[-1][0].endswith(f"#checkin-{existing.uuid}")
    assert "logged a moment ago" in second.content.decode()
    assert actions(pairing).count("checkin_logged") == 1


def test_the_same_checkin_later_is_a_new_meeting(pairing, mentor):
    fields = {"occurred_on": date.today(), "summary": "Met.", "next_steps": ""}
    first = services.checkin_log(pairing=pairing, by=mentor, **fields)
    CheckIn.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(seconds=11))
    services.checkin_log(pairing=pairing, by=mentor, **fields)
    assert CheckIn.objects.filter(pairing=pairing).count() == 2


def test_a_different_checkin_at_once_is_not_a_duplicate(pairing, mentor, mentee):
    services.checkin_log(pairing=pairing, by=mentor, occurred_on=date.today(), summary="Met.")
    services.checkin_log(pairing=pairing, by=mentee, occurred_on=date.today(), summary="Met.")
    services.checkin_log(pairing=pairing, by=mentor, occurred_on=date.today(), summary="Other.")
    assert CheckIn.objects.filter(pairing=pairing).count() == 3


def test_reposting_the_pairing_form_shows_the_pairing(
    client, program, admin, other_mentor, other_mentee
):
    client.force_login(admin)
    url = reverse("mentorship:pairing_new", args=[program.uuid])
    data = {"mentor": other_mentor.uuid, "mentee": other_mentee.uuid}
    first = client.post(url, data)
    assert first.status_code == 302
    second = client.post(url, data)
    assert second.status_code == 302
    assert second["Location"] == first["Location"]
    assert program.pairings.filter(mentee=other_mentee).count() == 1


def test_the_api_refuses_a_repeated_checkin(client, pairing, mentor):
    client.force_login(mentor)
    body = json.dumps(
        {"pairing": str(pairing.uuid), "occurred_on": date.today().isoformat(), "summary": "Met."}
    )
    url = reverse("api:checkin-list")
    assert client.post(url, body, content_type="application/json").status_code == 201
    assert client.post(url, body, content_type="application/json").status_code == 409
    assert CheckIn.objects.filter(pairing=pairing).count() == 1


# --- Ending a pairing asks first ------------------------------------------------------------


def test_ending_a_pairing_asks_for_confirmation(client, pairing, admin):
    client.force_login(admin)
    page = client.get(reverse("mentorship:pairing_detail", args=[pairing.uuid])).content.decode()
    assert "End this pairing?" in page  # data-confirm, with JavaScript
    url = reverse("mentorship:pairing_end", args=[pairing.uuid])
    confirm = client.post(url, {"reason": "Moved teams", "ask": "1"})
    assert confirm.status_code == 200
    body = confirm.content.decode()
    assert "End the pairing?" in body
    assert 'name="reason" value="Moved teams"' in body
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ACTIVE
    assert client.post(url, {"reason": "Moved teams"}).status_code == 302
    pairing.refresh_from_db()
    assert pairing.status == PairingStatus.ENDED


# --- The API --------------------------------------------------------------------------------


def api(client, method, url, body=None):
    payload = json.dumps(body) if body is not None else ""
    return getattr(client, method)(url, payload, content_type="application/json")


def test_api_the_author_patches_and_deletes_a_checkin(client, checkin, mentor):
    client.force_login(mentor)
    url = reverse("api:checkin-detail", args=[checkin.uuid])
    response = api(client, "patch", url, {"summary": "Corrected."})
    assert response.status_code == 200, response.content
    assert response.json()["summary"] == "Corrected."
    assert api(client, "patch", url, {"summary": ""}).status_code == 400
    future = (date.today() + timedelta(days=9)).isoformat()
    assert api(client, "patch", url, {"occurred_on": future}).status_code == 400
    checkin.refresh_from_db()
    assert checkin.summary == "Corrected."
    assert api(client, "delete", url).status_code == 204
    assert not CheckIn.objects.filter(pk=checkin.pk).exists()
    assert {"checkin_edited", "checkin_deleted"} <= set(actions(checkin.pairing))


@pytest.mark.parametrize(
    ("who", "status"),
    [("mentee", 403), ("admin", 403), ("other_mentor", 404), ("stranger", 404)],
)
def test_api_only_the_author_changes_a_checkin(client, request, checkin, who, status):
    client.force_login(request.getfixturevalue(who))
    url = reverse("api:checkin-detail", args=[checkin.uuid])
    assert api(client, "patch", url, {"summary": "x"}).status_code == status
    assert api(client, "delete", url).status_code == status
    assert CheckIn.objects.get(pk=checkin.pk).summary == "Outline of the talk."


def test_checkins_made_by_a_factory_are_edited_too(pairing, mentor):
    checkin = CheckInFactory(pairing=pairing)
    services.checkin_update(checkin=checkin, by=mentor, summary="Changed.")
    checkin.refresh_from_db()
    assert checkin.summary == "Changed."


# --- Dashboards -----------------------------------------------------------------------------


def test_the_mentor_dashboard_links_an_overdue_checkin_to_its_pairing(client, pairing, mentor):
    pairing.next_checkin_due = date.today() - timedelta(days=3)
    pairing.save()
    client.force_login(mentor)
    page = client.get(reverse("goals:mentor_dashboard")).content.decode()
    link = reverse("mentorship:pairing_detail", args=[pairing.uuid])
    assert f'href="{link}#checkins"' in page


def test_the_mentee_dashboard_shows_an_agreement_waiting_for_her(
    client, pairing, mentee, django_assert_num_queries
):
    client.force_login(mentee)
    url = reverse("goals:mentee_dashboard")
    link = reverse("mentorship:pairing_detail", args=[pairing.uuid]) + "#agreement"
    page = client.get(url).content.decode()
    assert "An agreement waits for you" in page
    assert link in page
    assert client.post(reverse("mentorship:pairing_agreement_accept", args=[pairing.uuid]))
    page = client.get(url).content.decode()
    assert "An agreement waits for you" not in page
    assert link not in page


# --- Queries of the new pages ---------------------------------------------------------------

# The session's user, the pairing (with its people and agreement), the viewer's facts (roles;
# unread notifications), the entry itself; the confirmation pages nothing more.
EDIT_PAGE_QUERIES = 5


@pytest.mark.parametrize("extra", [0, 40], ids=["few", "many"])
@pytest.mark.parametrize("page", ["checkin_edit", "checkin_delete"])
def test_checkin_pages_make_fixed_queries(
    client, checkin, mentor, extra, page, django_assert_num_queries
):
    CheckIn.objects.bulk_create(
        [
            CheckIn(pairing=checkin.pairing, occurred_on=date.today(), summary=f"m{n}")
            for n in range(extra)
        ]
    )
    client.force_login(mentor)
    url = reverse(f"mentorship:{page}", args=[checkin.pairing.uuid, checkin.uuid])
    client.get(url)
    with django_assert_num_queries(EDIT_PAGE_QUERIES):
        assert client.get(url).status_code == 200
