"""Each role's main journey with the keyboard alone, in every language: the mentee signs in and
logs progress on her goal, the mentor acknowledges it from his review queue, the program admin
pairs a mentor with a mentee. Only Tab, Shift+Tab, typing, arrow keys and Enter are used.

At every stop of the focus the focused element must show a focus indicator and be in view,
not hidden behind anything else on the page (WCAG 2.4.7 and 2.4.11), and the first stop on
every page is the skip link (2.4.1). Elements are found by what they are (a field's name, a
form's action), not by their words, so the same journey runs in each language."""

import pytest
from django.conf import settings
from playwright.sync_api import expect

from goals.models import ProgressUpdate
from mentorship.models import Pairing, PairingStatus
from tests.factories import PASSWORD, GoalFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = [code for code, _name in settings.LANGUAGES]

# What the focused element looks like: whether it shows an indicator (an outline or a focus
# ring drawn as a box shadow), whether it is inside the viewport, and whether the point at its
# centre belongs to it (not to a sticky bar or anything else drawn over it).
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  // After a date field's day, month and year the focus is on its calendar button, inside the
  // field's own (browser) shadow tree: the field no longer matches :focus, and the browser
  // draws its focus ring around the button.
  const onCalendarButton = el.matches("input[type=date], input[type=month]")
    && !el.matches(":focus");
  const indicator = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
    || (style.boxShadow && style.boxShadow !== "none") || onCalendarButton;
  const inView = rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.right > 0
    && rect.top < innerHeight && rect.left < innerWidth;
  const x = Math.min(Math.max(rect.left + rect.width / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(rect.top + rect.height / 2, 0), innerHeight - 1);
  const top = document.elementFromPoint(x, y);
  const label = el.labels && el.labels.length ? el.labels[0] : null;
  const covered = top !== null && !(el === top || el.contains(top) || top.contains(el)
    || (label && (label === top || label.contains(top))));
  return {tag: el.tagName, text: (el.innerText || el.name || el.id || "").slice(0, 40),
          indicator, inView, covered};
}"""


def _settled_focus_state(page) -> dict | None:
    """The focus state once the page has finished scrolling the focused element into view
    (Bootstrap scrolls smoothly) and the focus ring has faded in (a field's box shadow is a
    0.15 s transition): polled for up to a second."""
    state = page.evaluate(FOCUS_STATE)
    for _ in range(20):
        if state is None or (state["indicator"] and state["inView"] and not state["covered"]):
            break
        page.wait_for_timeout(50)
        state = page.evaluate(FOCUS_STATE)
    return state


def tab_to(page, selector: str, *, limit: int = 120, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab) until the element matching `selector` has the focus, checking
    every stop on the way."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        state = _settled_focus_state(page)
        if state is None:
            continue
        assert state["indicator"], f"no visible focus on {state}"
        assert state["inView"], f"focus out of view: {state}"
        assert not state["covered"], f"focus hidden behind another element: {state}"
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never got the focus in {limit} presses of Tab")


def first_stop_is_the_skip_link(page) -> None:
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == "#main"
    assert _settled_focus_state(page)["inView"]


def sign_in_by_keyboard(page, base: str, email: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    first_stop_is_the_skip_link(page)
    tab_to(page, "input[name=login]")
    page.keyboard.type(email)
    tab_to(page, "input[name=password]")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def activate(page, selector: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("Enter")


def follow(page, selector: str) -> None:
    """Tab to a link or a submit button and press Enter: a new page loads."""
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.fixture
def people(program, mentor, mentee, pairing):
    """The pair, each reading the site in the language of the test; a goal of the mentee's
    shared with her mentor; and a second mentee and mentor the admin will pair."""
    goal = GoalFactory(mentee=mentee, pairing=pairing, title="Present the roadmap")
    free_mentor = UserFactory(email="free.mentor@example.com", name="Frida Free")
    free_mentee = UserFactory(email="free.mentee@example.com", name="Milo Waiting")
    from mentorship.models import Membership, Role

    Membership.objects.create(program=program, user=free_mentor, role=Role.MENTOR, capacity=2)
    Membership.objects.create(program=program, user=free_mentee, role=Role.MENTEE)
    return {"goal": goal, "free_mentor": free_mentor, "free_mentee": free_mentee}


@pytest.mark.parametrize("language", LANGUAGES)
def test_keyboard_journeys_of_each_role(
    page, live_server, output_path, language, program, admin, mentor, mentee, people
):
    for person in (admin, mentor, mentee):
        person.language = language
        person.save(update_fields=["language"])
    base = live_server.url
    goal = people["goal"]
    page.set_viewport_size({"width": 1280, "height": 900})

    # The mentee: from the sign-in page to her goal, and logs progress.
    sign_in_by_keyboard(page, base, mentee.email)
    expect(page.locator("html")).to_have_attribute("lang", language)
    follow(page, f'a[href="/goals/{goal.uuid}/"]')
    first_stop_is_the_skip_link(page)
    tab_to(page, ".update-form input[name=value]")
    page.keyboard.type("3")
    tab_to(page, ".update-form textarea[name=note]")
    page.keyboard.type("Rehearsed twice with the team")
    follow(page, ".update-form button[type=submit]")
    expect(page.locator(".update-history")).to_contain_text("Rehearsed twice with the team")
    update = ProgressUpdate.objects.get(goal=goal)
    page.screenshot(path=f"{output_path}/mentee-{language}.png", full_page=True)

    # The mentor: his review queue, acknowledged with Enter.
    sign_in_by_keyboard(page, base, mentor.email)
    follow(page, 'a[href="/goals/mentor/review/"]')
    activate(page, f'form[action="/goals/updates/{update.uuid}/acknowledge/"] button[type=submit]')
    expect(page.locator(f'form[action="/goals/updates/{update.uuid}/acknowledge/"]')).to_have_count(
        0
    )
    update.refresh_from_db()
    assert update.acknowledged_by == mentor
    page.screenshot(path=f"{output_path}/mentor-{language}.png", full_page=True)

    # The program admin: to the program, its "pair by hand" page, two choices, submitted.
    sign_in_by_keyboard(page, base, admin.email)
    follow(page, 'a[href="/programs/"]')
    follow(page, f'a[href="/programs/{program.uuid}/"]')
    follow(page, f'a[href="/programs/{program.uuid}/pairings/new/"]')
    for field, person in (("mentor", people["free_mentor"]), ("mentee", people["free_mentee"])):
        tab_to(page, f"select[name={field}]")
        # A closed select takes the arrow keys: step down until the person is chosen.
        for _ in range(20):
            if page.evaluate(f"() => document.activeElement.value === '{person.uuid}'"):
                break
            page.keyboard.press("ArrowDown")
        assert page.evaluate(f"() => document.activeElement.value === '{person.uuid}'")
    follow(page, "main form button[type=submit]")
    pairing = Pairing.objects.get(mentor=people["free_mentor"], mentee=people["free_mentee"])
    assert pairing.status == PairingStatus.PROPOSED
    page.screenshot(path=f"{output_path}/admin-{language}.png", full_page=True)
