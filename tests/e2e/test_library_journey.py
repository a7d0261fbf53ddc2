"""Browser journey: publish with four eyes, share in your own words, follow the tracked link, see the click,
pause sharing in a crisis, and a person who is not cleared cannot share."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from app.library.text import share_length
from app.training import services as training_services
from app.training.services import Clearance, ClearanceGap
from tests.factories import DepartmentFactory, UserFactory


@pytest.fixture
def people(db):
    team = DepartmentFactory(name="Customer Service")
    return {
        "social": UserFactory(email="social@example.com", name="Sami Social", is_social=True),
        "social2": UserFactory(email="social2@example.com", name="Sofie Sørensen", is_social=True),
        "employee": UserFactory(email="employee@example.com", name="Emma Employee", department_id=team.id),
        "newjoiner": UserFactory(email="newjoiner@example.com", name="Noah Newjoiner", department_id=team.id),
    }


def _tab(browser, live_server, browser_login, email):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    tab = context.new_page()
    browser_login(tab, email)
    return tab


def _stub(tab, pattern: str, seen: list[str]) -> None:
    """Answer requests to an outside host locally, so nothing leaves the machine."""

    def handle(route):
        seen.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>stub</title><p>stub</p>")

    tab.route(pattern, handle)


def test_publish_share_track_pause_and_clearance(page, browser, browser_login, live_server, people, monkeypatch):
    monkeypatch.setattr(training_services, "sharing_clearance", lambda user: (
        Clearance(False, [ClearanceGap("Complete the social media training", "/training/")])
        if user.email == "newjoiner@example.com" else Clearance(True, [])))

    # A social team member writes an item and sends it for review; four eyes stop them publishing it.
    browser_login(page, "social@example.com")
    page.goto("/library/manage/new")
    page.get_by_label("Title", exact=True).fill("Nordvik Freight answers in ten minutes")
    page.get_by_label("Link", exact=True).fill("https://example.com/customers/nordvik?ref=library")
    page.get_by_label("Topics").fill("customers, product")
    page.get_by_label("LinkedIn caption").fill("Nordvik Freight went from a day to ten minutes.")
    mixed = "日本語 café 👩‍💻 see https://example.com/a/very/long/path?x=1 👍🏽"
    page.get_by_label("X caption").fill(mixed)
    expect(page.locator("#caption_x-count")).to_have_text(f"{share_length('x', mixed, '#WorkingAtExample')} / 280")
    page.get_by_label("X caption").fill("From a day to ten minutes: Nordvik Freight.")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_test_id("publish-blocker")).to_contain_text("Four eyes")
    expect(page.get_by_role("button", name="Approve and publish")).to_be_disabled()
    item_path = urlsplit(page.url).path
    item_id = int(item_path.rstrip("/").split("/")[-1])

    # A second social team member approves and publishes it.
    second = _tab(browser, live_server, browser_login, "social2@example.com")
    second.goto(item_path)
    second.get_by_role("button", name="Approve and publish").click()
    expect(second.get_by_test_id("item-status")).to_have_text("Published")

    # Emma makes the caption her own and shares to LinkedIn: the intent carries her tracked link.
    emma = _tab(browser, live_server, browser_login, "employee@example.com")
    emma.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    emma.goto("/library/")
    card = emma.get_by_test_id("feed-item").filter(has_text="Nordvik Freight answers in ten minutes")
    box = card.get_by_label("Make it your own: your words for LinkedIn")
    words = "I watched this team cut their answer time to minutes. Worth a read."
    box.fill(words)
    expected = share_length("linkedin", words, "#WorkingAtExample")
    expect(emma.locator(f"#caption-{item_id}-linkedin-count")).to_have_text(f"{expected} / 3000")
    shared: list[str] = []
    _stub(emma, "https://www.linkedin.com/**", shared)
    with emma.expect_request("https://www.linkedin.com/**") as request_info:
        card.get_by_role("button", name="Share on LinkedIn").click()
    intent = urlsplit(request_info.value.url)
    assert intent.netloc == "www.linkedin.com" and intent.path == "/sharing/share-offsite/"
    tracked = parse_qs(intent.query)["url"][0]
    code_path = urlsplit(tracked).path
    assert re.fullmatch(r"/s/[A-Za-z0-9_-]{16,}", code_path)

    # Someone opens the tracked link in a browser: the server answers 302 to the item's link with UTM
    # parameters. (Playwright cannot route a redirect's target, so the 302 is caught and not followed.)
    visitor = browser.new_context(base_url=live_server)
    reader = visitor.new_page()
    answers = []

    def keep_redirect(route):
        response = route.fetch(max_redirects=0)
        answers.append((response.status, response.headers.get("location", "")))
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>caught</title>")

    reader.route(f"{live_server}/s/**", keep_redirect)
    reader.goto(code_path)
    status, location = answers[0]
    destination = urlsplit(location)
    assert status == 302 and destination.netloc == "example.com" and destination.path == "/customers/nordvik"
    assert parse_qs(destination.query) == {"ref": ["library"], "utm_source": ["linkedin"],
                                           "utm_medium": ["employee_advocacy"],
                                           "utm_campaign": ["nordvik-freight-answers-in-ten-minutes"]}
    visitor.close()

    # The click shows in the item's analytics and in Emma's impact.
    page.goto(f"/library/analytics/items/{item_id}")
    expect(page.get_by_test_id("item-shares")).to_have_text("1")
    expect(page.get_by_test_id("item-clicks")).to_have_text("1")
    expect(page.get_by_test_id("network-linkedin")).to_contain_text("1")
    emma.goto("/library/impact")
    expect(emma.get_by_test_id("my-shares")).to_have_text("1")
    expect(emma.get_by_test_id("my-clicks")).to_have_text("1")

    # A crisis: the social team pauses sharing; everyone sees why, nobody can share, links still work.
    page.goto("/library/pause")
    page.get_by_label("Reason (every employee sees it)").fill("Storm damage at the Oslo office; hold all posts")
    page.get_by_role("button", name="Pause all sharing").click()
    expect(page.get_by_test_id("site-banner")).to_contain_text("hold all posts")
    for tab in (emma, second):
        tab.goto("/library/")
        expect(tab.get_by_test_id("site-banner")).to_contain_text("Storm damage at the Oslo office")
        expect(tab.get_by_role("button", name="Share on LinkedIn").first).to_be_disabled()
    refused = emma.request.post(f"/library/items/{item_id}/share", form={"network": "x", "caption": "hi"},
                                headers={"Accept": "application/json"})
    assert refused.status == 403 and refused.json()["reason"] == "paused"
    still = emma.request.get(code_path, max_redirects=0)
    assert still.status == 302
    page.goto("/library/pause")
    page.get_by_role("button", name="Resume sharing").click()
    emma.goto("/library/")
    expect(emma.get_by_test_id("site-banner")).to_have_count(0)
    expect(emma.get_by_role("button", name="Share on LinkedIn").first).to_be_enabled()

    # Noah has not finished training: the page says what to do first, and the server refuses too.
    noah = _tab(browser, live_server, browser_login, "newjoiner@example.com")
    noah.goto("/library/")
    gate = noah.get_by_test_id("share-not-cleared")
    expect(gate).to_contain_text("Before you can share")
    expect(gate.get_by_role("link", name="Complete the social media training")).to_have_attribute("href", "/training/")
    expect(noah.get_by_role("button", name="Share on LinkedIn").first).to_be_disabled()
    answer = noah.request.post(f"/library/items/{item_id}/share", form={"network": "linkedin", "caption": "hi"},
                               max_redirects=0)
    assert answer.status == 302 and "linkedin.com" not in answer.headers["location"]
    json_answer = noah.request.post(f"/library/items/{item_id}/share", form={"network": "linkedin"},
                                    headers={"Accept": "application/json"})
    assert json_answer.status == 403 and json_answer.json()["reason"] == "not_cleared"

    for tab in (second, emma, noah):
        tab.context.close()
