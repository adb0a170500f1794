"""The API tokens page and the API documentation in a real Chromium: a token is made,
shown once, used against the API and revoked; Swagger UI renders from our own static files
without breaking the Content-Security-Policy. Screenshots go to the test's output folder."""

import pytest
import requests
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


@pytest.mark.parametrize("width", [1280, 375])
def test_token_made_used_and_revoked(page, live_server, output_path, mentee, width):
    page.set_viewport_size({"width": width, "height": 900})
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    log_in(page, live_server.url, mentee)
    page.goto(f"{live_server.url}/profile/")
    page.get_by_role("link", name="API tokens, calendar feed and data download").click()
    page.get_by_label("Token name").fill("Laptop script")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_label("New token").input_value()
    assert secret.startswith("mgt_")
    page.screenshot(path=f"{output_path}/tokens.png", full_page=True)

    me = requests.get(
        f"{live_server.url}/api/v1/me/", headers={"Authorization": f"Bearer {secret}"}, timeout=10
    )
    assert me.json()["email"] == mentee.email

    page.goto(f"{live_server.url}/profile/tokens/")
    assert secret not in page.content()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Revoke Laptop script").click()
    expect(page.get_by_text("is revoked")).to_be_visible()
    again = requests.get(
        f"{live_server.url}/api/v1/me/", headers={"Authorization": f"Bearer {secret}"}, timeout=10
    )
    assert again.status_code == 401
    assert problems == []


@pytest.mark.parametrize("width", [1280, 375])
def test_api_docs_render_under_the_csp(page, live_server, output_path, mentee, width):
    page.set_viewport_size({"width": width, "height": 900})
    problems = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, live_server.url, mentee)
    response = page.goto(f"{live_server.url}/api/docs/")
    csp = response.headers["content-security-policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    expect(page.locator(".opblock").first).to_be_visible(timeout=15000)
    expect(page.get_by_text("/api/v1/goals/").first).to_be_visible()
    page.screenshot(path=f"{output_path}/docs.png")
    # Every asset came from this server.
    sources = page.eval_on_selector_all(
        "script[src], link[href]", "els => els.map(e => e.src || e.href)"
    )
    assert all(s.startswith(live_server.url) for s in sources), sources
    assert problems == []
