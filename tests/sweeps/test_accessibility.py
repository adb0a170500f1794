"""Accessibility: axe-core in a real Chromium on every main page, as each role sees it. No
violation of impact "serious" or "critical" is allowed."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client

from .access import url_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The main pages of each role, by URL name (pointed at the world's objects).
PAGES = {
    "anonymous": ["home", "account_login", "account_signup"],
    "mentee": [
        "goals:mentee_dashboard",
        "goals:goal_detail",
        "goals:goal_create",
        "goals:goal_edit",
        "goals:goal_list",
        "mentorship:my_pairings",
        "mentorship:pairing_detail",
        "mentorship:pairing_agreement",
        "notifications:inbox",
        "notifications:preferences",
        "accounts:profile",
        "api:tokens",
        "api:your_data",
        "mentorship:join_list",
        "mentorship:join_apply",
        "mentorship:mentor_choose",
        "mentorship:mentor_request_detail",
        "mentorship:meeting_detail",
        "mentorship:meeting_new",
    ],
    "mentor": [
        "goals:mentor_dashboard",
        "goals:mentor_mentees",
        "goals:review_queue",
        "goals:goal_detail",
        "mentorship:pairing_detail",
        "notifications:inbox",
        "mentorship:my_capacity",
        "mentorship:mentor_request_detail",
        "mentorship:meeting_log",
    ],
    "admin": [
        "mentorship:program_list",
        "mentorship:program_dashboard",
        "mentorship:member_list",
        "mentorship:program_invite",
        "mentorship:pairing_detail",
        "mentorship:pairing_new",
        "goals:program_goals",
        "mentorship:program_edit",
        "mentorship:application_queue",
        "mentorship:program_mentor_requests",
        "mentorship:program_end",
        "mentorship:program_next_cohort",
        "mentorship:program_report",
        "mentorship:program_pairings",
    ],
}
BLOCKING = ("serious", "critical")
AXE = Axe()
# axe's default rules, and WCAG 2.2's target size (2.5.8: at least 24 by 24 px), off by default.
AXE_OPTIONS = {"rules": {"target-size": {"enabled": True}}}


def sign_in(page, base_url: str, user) -> None:
    """The browser takes over the session a test client signed in with."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )


@pytest.mark.parametrize("role", list(PAGES))
def test_main_pages_have_no_serious_accessibility_violations(page, live_server, world, role):
    if world.users[role] is not None:
        sign_in(page, live_server.url, world.users[role])
    problems = []
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        for name in PAGES[role] if width == 1280 else PAGES[role][:3]:
            response = page.goto(live_server.url + url_for(name, world))
            assert response.status == 200, (name, role, response.status)
            results = AXE.run(page, options=AXE_OPTIONS)
            for violation in results.response["violations"]:
                if violation["impact"] in BLOCKING:
                    targets = [
                        (node["target"], (node.get("any") or [{}])[0].get("message", ""))
                        for node in violation["nodes"]
                    ][:5]
                    problems.append(
                        f"{name} as {role} at {width}px: {violation['id']} "
                        f"({violation['impact']}): {violation['help']} {targets}"
                    )
    assert not problems, "\n".join(problems)
