"""The outcomes report in a real Chromium at 1280 and 375 px: the admin opens it from the
dashboard, the charts fit the page (no sideways scrolling), a cohort is chosen with the
month fields, a bad month is a form error, and a figure's link opens its list."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from mentorship.models import CheckIn, PairingStatus, Role
from tests.factories import GoalFactory, MembershipFactory, PairingFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base_url: str, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )


def populate(program) -> None:
    """Pairings started over the last five months, some ended early, with meetings and
    goals, so that every chart has bars."""
    today = date.today()
    mentor = UserFactory(email="rita@example.com", name="Rita Mentor")
    MembershipFactory(program=program, user=mentor, role=Role.MENTOR, capacity=20)
    for n in range(12):
        mentee = UserFactory(email=f"mentee{n}@example.com", name=f"Mentee {n}")
        MembershipFactory(program=program, user=mentee, role=Role.MENTEE)
        started = today - timedelta(days=12 * n + 5)
        ended = n % 4 == 3
        pairing = PairingFactory(
            program=program,
            mentor=mentor,
            mentee=mentee,
            started_on=started,
            status=PairingStatus.ENDED if ended else PairingStatus.ACTIVE,
            ended_on=started + timedelta(days=30) if ended else None,
            end_reason="Schedules did not fit" if ended else "",
        )
        for k in range(n % 4 + 1):
            CheckIn.objects.create(
                pairing=pairing,
                occurred_on=started + timedelta(days=7 * k + 1),
                summary="met",
                logged_by=mentor,
            )
        GoalFactory(
            mentee=mentee,
            program=program,
            pairing=pairing,
            current_value=n % 10,
            starts_on=started,
            target_date=started + timedelta(days=120),
        )


@pytest.mark.parametrize("width", [1280, 375])
def test_the_report_fits_and_filters(page, live_server, output_path, program, admin, width):
    populate(program)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, admin)
    page.goto(f"{live_server.url}/programs/{program.uuid}/")
    page.locator("#report-link a").click()
    expect(page.get_by_role("heading", name="Outcomes report")).to_be_visible()
    page.screenshot(path=f"{output_path}/report-{width}.png", full_page=True)
    # Nothing wider than the window: the charts scale down with their column.
    scroll, client_width = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert scroll <= client_width, (scroll, client_width)
    for svg in page.locator("svg[role=img]").all():
        box = svg.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, box

    # A cohort: the last two months.
    this_month = date.today().replace(day=1)
    earlier = (this_month - timedelta(days=1)).replace(day=1)
    page.locator("#id_started_from").fill(earlier.strftime("%Y-%m"))
    page.locator("#id_started_to").fill(this_month.strftime("%Y-%m"))
    page.get_by_role("button", name="Show this cohort").click()
    expect(page.locator("#cohort-note")).to_contain_text("started in these months")
    page.screenshot(path=f"{output_path}/report-cohort-{width}.png", full_page=True)

    # A figure's link opens its list, with as many rows as the figure said.
    link = page.locator("[data-link=pairings]")
    count = int(link.get_attribute("data-count"))
    link.click()
    expect(page.locator("#pairing-count")).to_contain_text(f"{count} pairing")
    assert page.locator("tbody tr[data-pairing]").count() == count
    page.screenshot(path=f"{output_path}/pairings-{width}.png", full_page=True)

    # A month that is not one: the form says so (typed in the address, as a link would).
    page.goto(f"{live_server.url}/programs/{program.uuid}/report/?started_from=2026-13")
    expect(page.locator(".invalid-feedback")).to_contain_text("YYYY-MM")
    page.screenshot(path=f"{output_path}/report-bad-month-{width}.png", full_page=True)
