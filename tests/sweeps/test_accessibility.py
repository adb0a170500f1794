"""Accessibility: axe-core in a real Chromium on every main page, as each role sees it, in
every language. No violation of impact "serious" or "critical" is allowed, and at 375 px no
page is wider than the screen (long German words wrap)."""

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
LANGUAGES = [code for code, _name in settings.LANGUAGES]
# The elements that stick out past the right edge of the screen, outermost first.
WIDER_THAN_THE_SCREEN = """() => {
  const edge = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= edge) return null;
  const out = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.right > edge + 0.5 && box.width > 0) {
      const name = typeof el.className === "string" ? el.className.trim() : "";
      out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (name ? "." + name.split(/\\s+/).join(".") : "") + " " + Math.round(box.right) +
        "px: " + (el.textContent || "").trim().slice(0, 40));
    }
  }
  // A word longer than its box sticks out of it as text, not as an element.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const right = range.getBoundingClientRect().right;
    if (right > edge + 0.5) {
      out.push("text in " + node.parentElement.tagName.toLowerCase() + " " + Math.round(right) +
        "px: " + node.textContent.trim().slice(0, 40));
    }
  }
  return {width: document.documentElement.scrollWidth, culprits: out.slice(0, 6)};
}"""


def sign_in(page, base_url: str, user) -> None:
    """The browser takes over the session a test client signed in with."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )


def read_in(page, base_url: str, person, language: str) -> None:
    """The person reads the site in `language`: their profile's choice, or before sign-in the
    language cookie the switcher sets."""
    if person is None:
        page.context.clear_cookies()
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base_url}]
        )
        return
    person.language = language
    person.save(update_fields=["language"])
    sign_in(page, base_url, person)


def serious_violations(page, where: str) -> list[str]:
    problems = []
    for violation in AXE.run(page, options=AXE_OPTIONS).response["violations"]:
        if violation["impact"] in BLOCKING:
            targets = [
                (node["target"], (node.get("any") or [{}])[0].get("message", ""))
                for node in violation["nodes"]
            ][:5]
            problems.append(
                f"{where}: {violation['id']} ({violation['impact']}): {violation['help']} {targets}"
            )
    return problems


@pytest.mark.parametrize("role", list(PAGES))
@pytest.mark.parametrize("language", LANGUAGES)
def test_main_pages_have_no_serious_accessibility_violations(
    page, live_server, world, role, language
):
    read_in(page, live_server.url, world.users[role], language)
    problems = []
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 900})
        for position, name in enumerate(PAGES[role]):
            where = f"{name} as {role} in {language} at {width}px"
            response = page.goto(live_server.url + url_for(name, world))
            assert response.status == 200, (where, response.status)
            assert page.locator("html").get_attribute("lang") == language, where
            if width == 1280 or position < 3:
                problems += serious_violations(page, where)
            if width == 375 and (wide := page.evaluate(WIDER_THAN_THE_SCREEN)):
                problems.append(f"{where}: {wide['width']}px wide {wide['culprits']}")
    assert not problems, "\n".join(problems)
