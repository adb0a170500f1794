"""Relationship surveys: the pulse on day 30 and every 60 days, the close-out when a pairing
ends, each side's own answers (answer, correct, share, unshare, delete) and their privacy:
the other side reads only shared answers, the program's admins only aggregates of three or
more answers, on the pages, in the exports, in the API."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from api.export import PROGRAM_EXPORT_PARTS, program_export_csv
from mentorship import selectors, services
from mentorship.models import Pairing, PairingStatus, SurveyKind, SurveyResponse
from notifications import dispatch
from notifications.kinds import Kind
from notifications.models import Notification, Preferences
from tests.factories import AgreementFactory, MembershipFactory, PairingFactory, UserFactory

pytestmark = pytest.mark.django_db

PULSE = {"match_score": "4", "progress_score": "3", "comment": "Going well."}
CLOSE_OUT = {"match_score": "5", "progress_score": "4", "goals_met": "partly", "recommend": "9"}


def days_ago(n: int) -> date:
    return timezone.localdate() - timedelta(days=n)


@pytest.fixture
def running(pairing):
    """Mia's pairing with Maria on day 35: pulse 1 is open."""
    pairing.started_on = days_ago(35)
    pairing.save(update_fields=["started_on"])
    AgreementFactory(pairing=pairing)
    return pairing


def answer(pairing, author, *, kind="pulse", round=1, shared=False, **scores):
    fields = {"match_score": 4, "progress_score": 4, **scores}
    if kind == SurveyKind.CLOSE_OUT:
        fields = {"goals_met": "yes", "recommend": 9, **fields}
    return services.survey_answer(
        pairing=pairing, author=author, kind=kind, round=round, shared=shared, **fields
    )


def answer_url(pairing, kind="pulse", round=1):
    return reverse("mentorship:survey_answer", args=[pairing.uuid, kind, round])


def api(client, method, url, body=None):
    payload = json.dumps(body) if body is not None else ""
    return getattr(client, method)(url, payload, content_type="application/json")


def survey_rows():
    return Notification.objects.filter(kind=Kind.SURVEY)


# --- Invitations ------------------------------------------------------------------------------

STARTED = date(2027, 1, 4)  # winter: New York is UTC-5, Tokyo UTC+9


def at(day: date, hour: int, minute: int = 5) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


@pytest.fixture
def far_apart(program):
    """A mentor in New York and a mentee in Tokyo, paired on STARTED."""
    mentor = UserFactory(email="nyla@example.com", name="Nyla York", timezone="America/New_York")
    mentee = UserFactory(email="taro@example.com", name="Taro Tokyo", timezone="Asia/Tokyo")
    MembershipFactory(program=program, user=mentor, role="mentor")
    MembershipFactory(program=program, user=mentee, role="mentee")
    return PairingFactory(
        program=program,
        mentor=mentor,
        mentee=mentee,
        started_on=STARTED,
        next_checkin_due=STARTED + timedelta(days=400),
    )


def run_dispatcher(moment: datetime):
    with time_machine.travel(moment, tick=False):
        dispatch.dispatch(moment, enqueue=False)


def keys_for(user) -> set[str]:
    return set(survey_rows().filter(recipient=user).values_list("dedupe_key", flat=True))


def test_the_pulse_invites_each_side_at_nine_their_time_on_day_30_and_day_90(far_apart):
    mentor, mentee = far_apart.mentor, far_apart.mentee
    day_30, day_90 = STARTED + timedelta(days=30), STARTED + timedelta(days=90)
    # Not before: day 29 all day, and day 30 before 09:00 anywhere.
    for hour in (0, 12, 23):
        run_dispatcher(at(day_30 - timedelta(days=1), hour, 0))
    assert not survey_rows().exists()
    # 09:00 in Tokyo on day 30 is 00:00 UTC: Taro is asked, Nyla (04:00 in New York) not yet.
    run_dispatcher(at(day_30, 0))
    assert len(keys_for(mentee)) == 1 and not keys_for(mentor)
    # 09:00 in New York is 14:00 UTC.
    run_dispatcher(at(day_30, 13, 55))
    assert not keys_for(mentor)
    run_dispatcher(at(day_30, 14))
    assert len(keys_for(mentor)) == 1
    # Not twice: later passes that day and the days after add nothing.
    for moment in (at(day_30, 14, 10), at(day_30, 20), at(day_30 + timedelta(days=1), 14)):
        run_dispatcher(moment)
    assert survey_rows().count() == 2
    row = survey_rows().get(recipient=mentee)
    assert row.dedupe_key == f"survey:{far_apart.uuid}:{mentee.uuid}:pulse:1"
    assert row.url == answer_url(far_apart, "pulse", 1)
    assert "Nyla York" in row.title and row.scheduled_for == at(day_30, 0, 0)
    # Nothing on day 60; pulse 2 on day 90 for both, once.
    run_dispatcher(at(STARTED + timedelta(days=60), 14))
    assert survey_rows().count() == 2
    run_dispatcher(at(day_90, 0))
    run_dispatcher(at(day_90, 14))
    run_dispatcher(at(day_90, 15))
    assert survey_rows().count() == 4
    assert f"survey:{far_apart.uuid}:{mentor.uuid}:pulse:2" in keys_for(mentor)
    assert f"survey:{far_apart.uuid}:{mentee.uuid}:pulse:2" in keys_for(mentee)


def test_no_pulse_once_the_pairing_ended_but_a_close_out(far_apart, admin):
    ended_on = STARTED + timedelta(days=140)
    with time_machine.travel(at(ended_on, 15), tick=False):
        services.pairing_end(pairing=far_apart, by=admin, reason="Moved city")
    run_dispatcher(at(ended_on, 15, 10))
    run_dispatcher(at(ended_on + timedelta(days=1), 2))
    # Day 150 would have been pulse 3.
    run_dispatcher(at(STARTED + timedelta(days=150), 0))
    run_dispatcher(at(STARTED + timedelta(days=150), 14))
    keys = set(survey_rows().values_list("dedupe_key", flat=True))
    assert not any(":pulse:" in key for key in keys)
    assert keys == {
        f"survey:{far_apart.uuid}:{far_apart.mentor.uuid}:close_out:0",
        f"survey:{far_apart.uuid}:{far_apart.mentee.uuid}:close_out:0",
    }


def test_an_answered_survey_is_not_asked_and_a_muted_kind_not_sent(far_apart):
    day_30 = STARTED + timedelta(days=30)
    with time_machine.travel(at(day_30, 0, 1), tick=False):
        answer(far_apart, far_apart.mentee)
    Preferences.objects.update_or_create(
        user=far_apart.mentor, defaults={"muted_kinds": [Kind.SURVEY]}
    )
    for hour in (0, 14, 15):
        run_dispatcher(at(day_30, hour))
    assert not survey_rows().exists()


def end_by_pairing_end(pairing, admin, other_mentor):
    services.pairing_end(pairing=pairing, by=admin, reason="Done")


def end_by_completion(pairing, admin, other_mentor):
    services.pairing_complete(pairing=pairing, by=admin)


def end_by_reassignment(pairing, admin, other_mentor):
    services.pairing_reassign(pairing=pairing, new_mentor=other_mentor, by=admin)


def end_by_removal(pairing, admin, other_mentor):
    membership = pairing.mentor.memberships.get(program=pairing.program, role="mentor")
    services.membership_remove(membership=membership, by=admin, reason="Left the company")


@pytest.mark.parametrize(
    "end", [end_by_pairing_end, end_by_completion, end_by_reassignment, end_by_removal]
)
def test_every_way_a_pairing_ends_opens_its_close_out(
    client, running, admin, other_mentor, mentor, mentee, end
):
    end(running, admin, other_mentor)
    running.refresh_from_db()
    assert running.status in (PairingStatus.ENDED, PairingStatus.COMPLETED)
    dispatch.dispatch(timezone.now().replace(hour=15), enqueue=False)
    assert set(survey_rows().values_list("recipient", flat=True)) == {mentor.pk, mentee.pk}
    client.force_login(mentee)
    page = client.get(reverse("mentorship:pairing_detail", args=[running.uuid])).content.decode()
    assert answer_url(running, "close_out", 0) in page
    dashboard = client.get(reverse("goals:mentee_dashboard")).content.decode()
    assert answer_url(running, "close_out", 0) in dashboard
    response = client.post(answer_url(running, "close_out", 0), CLOSE_OUT)
    assert response.status_code == 302
    saved = SurveyResponse.objects.get(pairing=running, author=mentee)
    assert (saved.kind, saved.round, saved.recommend, saved.goals_met) == (
        "close_out",
        0,
        9,
        "partly",
    )


def test_a_deleted_account_closes_the_pairing_and_the_other_side_gets_the_close_out(
    running, mentor, mentee
):
    from api.services import account_delete

    mentor.set_password("pw-of-the-account")
    mentor.save()
    account_delete(user=mentor, password="pw-of-the-account")
    dispatch.dispatch(timezone.now().replace(hour=15), enqueue=False)
    assert list(survey_rows().values_list("recipient", flat=True)) == [mentee.pk]


def test_the_invitation_e_mail_has_text_html_and_an_unsubscribe_link(running, mentee):
    from notifications.email import build_notification_email

    running.started_on = days_ago(30)
    running.save(update_fields=["started_on"])
    dispatch.dispatch(timezone.now().replace(hour=15), enqueue=False)
    row = survey_rows().get(recipient=mentee)
    message = build_notification_email([row])
    html = message.alternatives[0][0]
    assert "Answer the survey" in message.body and "Answer the survey" in html
    assert answer_url(running) in message.body
    assert "unsubscribe" in message.extra_headers["List-Unsubscribe"]
    assert Notification.objects.filter(recipient=mentee, kind=Kind.SURVEY).exists()  # inbox


# --- Answering, correcting, sharing, deleting -------------------------------------------------


def test_the_mentee_answers_the_open_pulse_on_the_page(client, running, mentee, mentor):
    client.force_login(mentee)
    detail = reverse("mentorship:pairing_detail", args=[running.uuid])
    assert answer_url(running) in client.get(detail).content.decode()
    assert answer_url(running) in client.get(reverse("goals:mentee_dashboard")).content.decode()
    assert client.get(answer_url(running)).status_code == 200
    response = client.post(answer_url(running), PULSE)
    assert response.status_code == 302
    saved = SurveyResponse.objects.get()
    assert (saved.author, saved.kind, saved.round, saved.match_score, saved.shared) == (
        mentee,
        "pulse",
        1,
        4,
        False,
    )
    # Answered: the prompt goes, the answer is hers to correct.
    assert answer_url(running) not in client.get(detail).content.decode()
    assert answer_url(running) not in client.get(reverse("goals:mentee_dashboard")).content.decode()
    again = client.get(answer_url(running))
    assert again.status_code == 302
    assert again["Location"] == reverse("mentorship:survey_edit", args=[running.uuid, saved.uuid])
    # Maria still has hers to answer.
    client.force_login(mentor)
    assert answer_url(running) in client.get(reverse("goals:mentor_dashboard")).content.decode()


def test_a_survey_not_open_is_not_found(client, running, mentee):
    client.force_login(mentee)
    assert client.get(answer_url(running, "pulse", 2)).status_code == 404
    assert client.get(answer_url(running, "close_out", 0)).status_code == 404
    assert client.get(answer_url(running, "weekly", 1)).status_code == 404
    with pytest.raises(services.MentorshipConflict):
        answer(running, mentee, round=2)


def test_no_pulse_before_day_30_nor_while_paused(client, pairing, mentee, admin):
    AgreementFactory(pairing=pairing)
    client.force_login(mentee)
    assert client.get(answer_url(pairing)).status_code == 404  # day 20
    pairing.started_on = days_ago(31)
    pairing.save()
    services.pairing_pause(pairing=pairing, by=admin)
    assert client.get(answer_url(pairing)).status_code == 404
    assert selectors.open_surveys_for(mentee) == []


def test_one_answer_per_survey_and_round(running, mentee):
    first = answer(running, mentee)
    with pytest.raises(services.MentorshipDuplicate) as error:
        answer(running, mentee, match_score=2)
    assert error.value.existing == first
    assert SurveyResponse.objects.count() == 1


def test_the_author_corrects_shares_unshares_and_deletes(client, running, mentee, mentor):
    response = answer(running, mentee, comment="Between us.")
    client.force_login(mentee)
    edit = reverse("mentorship:survey_edit", args=[running.uuid, response.uuid])
    share = reverse("mentorship:survey_share", args=[running.uuid, response.uuid])
    delete = reverse("mentorship:survey_delete", args=[running.uuid, response.uuid])
    assert client.get(edit).status_code == 200
    assert client.post(edit, {**PULSE, "match_score": "2"}).status_code == 302
    response.refresh_from_db()
    assert response.match_score == 2 and response.updated_at >= response.created_at
    detail = reverse("mentorship:pairing_detail", args=[running.uuid])
    client.force_login(mentor)
    assert "Going well." not in client.get(detail).content.decode()
    client.force_login(mentee)
    assert client.post(share, {"shared": "1"}).status_code == 302
    response.refresh_from_db()
    assert response.shared
    # Maria is told, and reads it.
    assert Notification.objects.filter(recipient=mentor, kind=Kind.PAIRING_CHANGED).exists()
    client.force_login(mentor)
    assert "Going well." in client.get(detail).content.decode()
    client.force_login(mentee)
    assert client.post(share, {"shared": "0"}).status_code == 302
    client.force_login(mentor)
    assert "Going well." not in client.get(detail).content.decode()
    client.force_login(mentee)
    assert client.post(delete, {"ask": "1"}).status_code == 200  # the confirmation step
    assert client.post(delete).status_code == 302
    assert not SurveyResponse.objects.exists()
    # Deleted, the open survey is hers to answer again.
    assert answer_url(running) in client.get(detail).content.decode()


@pytest.mark.parametrize(
    ("who", "status"),
    [("mentor", 403), ("admin", 404), ("other_mentee", 404), ("stranger", 404)],
)
def test_only_the_author_changes_an_answer(client, request, running, mentee, who, status):
    response = answer(running, mentee, shared=True)
    client.force_login(request.getfixturevalue(who))
    for name in ("survey_edit", "survey_delete", "survey_share"):
        url = reverse(f"mentorship:{name}", args=[running.uuid, response.uuid])
        assert client.post(url, {**PULSE, "match_score": "1", "shared": "0"}).status_code == status
    response.refresh_from_db()
    assert (response.match_score, response.shared) == (4, True)


def test_an_unshared_answer_is_not_found_by_the_other_side(client, running, mentee, mentor):
    response = answer(running, mentee)
    client.force_login(mentor)
    url = reverse("mentorship:survey_edit", args=[running.uuid, response.uuid])
    assert client.get(url).status_code == 404


# --- Bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        {**PULSE, "match_score": "6"},
        {**PULSE, "progress_score": "0"},
        {"progress_score": "3"},
        {"match_score": "4"},
        {**PULSE, "match_score": "four"},
        {},
    ],
)
def test_bad_pulse_input_is_a_form_error(client, running, mentee, data):
    client.force_login(mentee)
    response = client.post(answer_url(running), data)
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode() or "errorlist" in str(response.content)
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {**CLOSE_OUT, "recommend": "11"},
        {**CLOSE_OUT, "recommend": "-1"},
        {**CLOSE_OUT, "goals_met": "maybe"},
        {key: value for key, value in CLOSE_OUT.items() if key != "recommend"},
        {key: value for key, value in CLOSE_OUT.items() if key != "goals_met"},
    ],
)
def test_bad_close_out_input_is_a_form_error(client, running, admin, mentee, data):
    services.pairing_end(pairing=running, by=admin, reason="Done")
    client.force_login(mentee)
    response = client.post(answer_url(running, "close_out", 0), data)
    assert response.status_code == 400
    assert not SurveyResponse.objects.exists()


def test_bad_scores_are_refused_by_the_service_too(running, mentee):
    for scores in ({"match_score": 6}, {"progress_score": 0}, {"match_score": None}):
        with pytest.raises(services.MentorshipError):
            answer(running, mentee, **scores)
    response = answer(running, mentee)
    with pytest.raises(services.MentorshipError):
        services.survey_update(response=response, by=mentee, match_score=True)
    assert SurveyResponse.objects.get().match_score == 4


@pytest.mark.parametrize(
    "body",
    [
        {"match_score": 6, "progress_score": 3},
        {"match_score": 3},
        {"match_score": "x", "progress_score": 3},
        {"match_score": 3, "progress_score": 3, "recommend": 11},
    ],
)
def test_bad_api_input_is_a_400(client, running, mentee, body):
    client.force_login(mentee)
    payload = {"pairing": str(running.uuid), "kind": "pulse", "round": 1, **body}
    response = api(client, "post", reverse("api:survey-list"), payload)
    assert response.status_code == 400, response.content
    assert not SurveyResponse.objects.exists()


def test_api_answer_correct_share_delete(client, running, mentee, mentor, admin):
    client.force_login(mentee)
    created = api(
        client,
        "post",
        reverse("api:survey-list"),
        {
            "pairing": str(running.uuid),
            "kind": "pulse",
            "round": 1,
            "match_score": 4,
            "progress_score": 5,
        },
    )
    assert created.status_code == 201, created.content
    url = reverse("api:survey-detail", args=[created.json()["uuid"]])
    assert api(client, "patch", url, {"match_score": 9}).status_code == 400
    again = api(
        client,
        "post",
        reverse("api:survey-list"),
        {"pairing": str(running.uuid), "kind": "pulse", "round": 1, "match_score": 1},
    )
    assert again.status_code == 400
    client.force_login(mentor)
    assert client.get(url).status_code == 404  # not shared yet
    client.force_login(mentee)
    assert api(client, "patch", url, {"shared": True}).json()["shared"] is True
    client.force_login(mentor)
    assert client.get(url).json()["match_score"] == 4
    assert api(client, "patch", url, {"match_score": 1}).status_code == 403
    client.force_login(admin)
    assert client.get(url).status_code == 404  # shared with the partner, not the admins
    assert client.get(reverse("api:survey-list")).json()["count"] == 0
    client.force_login(mentee)
    assert api(client, "delete", url).status_code == 204
    assert not SurveyResponse.objects.exists()


# --- Privacy and aggregates ---------------------------------------------------------------------


def pulse_pairings(program, count: int) -> list[Pairing]:
    """`count` pairings on day 40, each with its mentee's answer to pulse 1."""
    pairings = []
    for n in range(count):
        mentor = UserFactory(email=f"m{n}@example.com")
        mentee = UserFactory(email=f"e{n}@example.com")
        pairing = PairingFactory(
            program=program, mentor=mentor, mentee=mentee, started_on=days_ago(40)
        )
        answer(pairing, mentee, match_score=2 + n % 3, progress_score=5, comment=f"Secret {n}")
        pairings.append(pairing)
    return pairings


def test_two_answers_give_no_figure_three_do(program):
    pulse_pairings(program, 2)
    summary = selectors.survey_summary(program=program)["pulse"]
    assert summary["count"] == 2
    assert summary["match_score"] is None and summary["progress_score"] is None
    assert [mean for _month, _n, mean in summary["months"]] == [None]
    pulse_pairings_more = PairingFactory(program=program, started_on=days_ago(40))
    answer(pulse_pairings_more, pulse_pairings_more.mentee, match_score=5, progress_score=2)
    summary = selectors.survey_summary(program=program)["pulse"]
    assert summary["count"] == 3
    assert summary["match_score"] == round((2 + 3 + 5) / 3, 2)
    assert summary["progress_score"] == 4.0
    month, n, mean = summary["months"][0]
    assert (month, n, mean) == (timezone.now().date().replace(day=1), 3, summary["match_score"])


def test_a_narrowing_filter_never_shows_fewer_than_three(program):
    pairings = pulse_pairings(program, 4)
    assert selectors.survey_summary(program=program)["pulse"]["match_score"] is not None
    cohort = Pairing.objects.filter(pk__in=[p.pk for p in pairings[:2]])
    narrowed = selectors.survey_summary(program=program, pairings=cohort)["pulse"]
    assert narrowed["count"] == 2 and narrowed["match_score"] is None
    assert narrowed["months"][0][2] is None


def test_nps_of_close_outs(program, admin):
    scores = [10, 9, 7, 3]  # 2 promoters, 1 passive, 1 detractor: (2 - 1) / 4 = 25
    for _n, score in enumerate(scores):
        pairing = PairingFactory(program=program, started_on=days_ago(100))
        pairing = services.pairing_complete(pairing=pairing, by=admin)
        answer(pairing, pairing.mentee, kind="close_out", round=0, recommend=score)
    summary = selectors.survey_summary(program=program)
    assert summary["close_out"]["nps"] == 25.0
    assert summary["close_out"]["goals_met"] == {"yes": 4, "partly": 0, "no": 0}
    assert summary["pulse"]["count"] == 0 and summary["pulse"]["nps"] is None


def test_survey_summary_is_one_query(program, django_assert_num_queries):
    pulse_pairings(program, 5)
    with django_assert_num_queries(1):
        selectors.survey_summary(program=program)
    with django_assert_num_queries(1):
        selectors.survey_summary(program=program, pairings=Pairing.objects.filter(program=program))


def test_the_admin_never_reads_an_answer(client, program, admin):
    pairings = pulse_pairings(program, 2)
    shared = pairings[0].survey_responses.get()
    services.survey_update(response=shared, by=shared.author, shared=True)
    client.force_login(admin)
    # The dashboard: two answers, no figure.
    dashboard = client.get(reverse("mentorship:program_dashboard", args=[program.uuid]))
    html = dashboard.content.decode()
    assert "fewer than 3 answers" in html and "Secret" not in html
    assert dashboard.context["dashboard"].surveys["pulse"]["match_score"] is None
    # The pairing pages, shared or not.
    for pairing in pairings:
        page = client.get(reverse("mentorship:pairing_detail", args=[pairing.uuid]))
        assert "Secret" not in page.content.decode()
        assert page.context["page"].survey_answers == []
    # Each answer's own pages: not found.
    for response in SurveyResponse.objects.all():
        for name in ("survey_edit", "survey_delete"):
            url = reverse(f"mentorship:{name}", args=[response.pairing.uuid, response.uuid])
            assert client.get(url).status_code == 404
        assert client.get(reverse("api:survey-detail", args=[response.uuid])).status_code == 404
    assert client.get(reverse("api:survey-list")).json()["count"] == 0
    # The program's exports.
    for part in PROGRAM_EXPORT_PARTS:
        body = program_export_csv(program=program, part=part, viewer=admin)
        assert "Secret" not in body
    # A third answer: a figure, still no answer.
    third = PairingFactory(program=program, started_on=days_ago(40))
    answer(third, third.mentee, match_score=4, progress_score=4, comment="Secret 3")
    html = client.get(reverse("mentorship:program_dashboard", args=[program.uuid])).content
    assert b"Secret" not in html
    assert b"3.0 / 5" in html  # (2 + 3 + 4) / 3


def test_the_partner_reads_only_shared_answers(client, running, mentee, mentor):
    answer(running, mentee, comment="Shared words", shared=True)
    answer(running, mentor, comment="Mentor thoughts")
    detail = reverse("mentorship:pairing_detail", args=[running.uuid])
    client.force_login(mentor)
    html = client.get(detail).content.decode()
    assert "Shared words" in html and "Mentor thoughts" in html
    client.force_login(mentee)
    html = client.get(detail).content.decode()
    assert "Shared words" in html and "Mentor thoughts" not in html
    comments = [r["comment"] for r in client.get(reverse("api:survey-list")).json()["results"]]
    assert comments == ["Shared words"]


def test_answers_outlive_the_author_account_and_the_personal_export_has_them(
    client, running, mentee
):
    answer(running, mentee, comment="Mine")
    client.force_login(mentee)
    from api.export import user_export_data

    _fields, rows = user_export_data(mentee)["survey_answers"]
    assert [(r["comment"], r["kind"], r["round"]) for r in rows] == [("Mine", "pulse", 1)]


# --- Query counts -------------------------------------------------------------------------------

# Session user, the viewer's facts, the pairing, the answer (edit) or nothing (answer: the
# open survey comes from the pairing; whether it was answered is one query), unread count.
SURVEY_PAGE_QUERIES = 5


@pytest.mark.parametrize("extra", [2, 30], ids=["few", "many"])
def test_survey_pages_make_fixed_queries(
    client, running, mentee, mentor, program, extra, django_assert_num_queries
):
    pulse_pairings(program, extra)
    for n in range(2, extra + 2):
        SurveyResponse.objects.create(
            pairing=running, author=mentor, round=n, match_score=3, progress_score=3
        )
    response = answer(running, mentee)
    client.force_login(mentee)
    edit = reverse("mentorship:survey_edit", args=[running.uuid, response.uuid])
    client.get(edit)
    with django_assert_num_queries(SURVEY_PAGE_QUERIES):
        assert client.get(edit).status_code == 200
    client.force_login(mentor)
    client.get(answer_url(running))
    with django_assert_num_queries(SURVEY_PAGE_QUERIES):
        assert client.get(answer_url(running)).status_code == 200


MENTEE_DASHBOARD_QUERIES = 8
MENTOR_DASHBOARD_QUERIES = 7


@pytest.mark.parametrize("extra", [1, 12], ids=["few", "many"])
def test_dashboards_with_survey_prompts_make_fixed_queries(
    client, program, running, mentor, mentee, admin, extra, django_assert_num_queries
):
    for n in range(extra):
        other = UserFactory(email=f"extra{n}@example.com")
        MembershipFactory(program=program, user=other, role="mentee")
        pairing = PairingFactory(
            program=program, mentor=mentor, mentee=other, started_on=days_ago(95)
        )
        if n % 2:
            services.pairing_end(pairing=pairing, by=admin, reason="Done")
    client.force_login(mentor)
    url = reverse("goals:mentor_dashboard")
    client.get(url)
    with django_assert_num_queries(MENTOR_DASHBOARD_QUERIES):
        html = client.get(url).content.decode()
    assert html.count('class="alert alert-info survey-prompts"') == 1
    assert answer_url(running) in html
    client.force_login(mentee)
    url = reverse("goals:mentee_dashboard")
    client.get(url)
    with django_assert_num_queries(MENTEE_DASHBOARD_QUERIES):
        assert answer_url(running) in client.get(url).content.decode()
