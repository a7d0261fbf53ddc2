"""Sign in, sign out, and an invitation accepted from a real email, in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.factories import UserFactory


def test_sign_in_and_sign_out(page, browser_login, db):
    UserFactory(email="emma@example.com", name="Emma Employee")
    page.goto("/people/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fpeople%2F"))
    page.get_by_label("Email").fill("emma@example.com")
    page.get_by_label("Password").fill("wrong password entirely")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Email or password is incorrect.")).to_be_visible()
    browser_login(page, "emma@example.com")
    expect(page.get_by_role("heading", name="Hello, Emma Employee")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You are signed out.")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))


def test_navigation_collapses_on_a_phone_and_still_works(browser, live_server, browser_login, db):
    UserFactory(email="astrid@example.com", name="Astrid Admin", is_admin=True)
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844}, is_mobile=True)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    try:
        browser_login(tab, "astrid@example.com")
        menu = tab.get_by_role("button", name="Show navigation")
        expect(menu).to_be_visible()
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        expect(tab.locator("#nav-main")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))  # the slide-open finished
        manage = tab.get_by_role("button", name="Manage")
        manage.click()
        expect(manage).to_have_attribute("aria-expanded", "true")
        tab.get_by_role("list", name="Manage").get_by_role("link", name="People", exact=True).click()
        expect(tab.get_by_role("heading", name="People")).to_be_visible()
    finally:
        context.close()


def test_admin_invites_a_person_who_sets_a_password_from_the_emailed_link(
        page, browser_login, smtp_server, deliver_outbox, db):
    UserFactory(email="astrid@example.com", name="Astrid Admin", is_admin=True)
    browser_login(page, "astrid@example.com")
    page.goto("/people/new")
    page.get_by_label("Name").fill("Nora Nyhus")
    page.get_by_label("Email", exact=True).fill("nora@example.com")
    page.get_by_label("Language").select_option("nb")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("an invitation is on its way")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    assert deliver_outbox()["sent"] == 1
    message = smtp_server.messages[0]
    assert message["To"] == "nora@example.com"
    link = re.search(r"http://localhost(/invitation/\S+)", smtp_server.text_of(message)).group(1)

    page.goto(link)
    expect(page.get_by_role("heading", name="Welcome to Touchpoint, Nora Nyhus")).to_be_visible()
    page.get_by_label("New password").fill("password")
    page.get_by_label("Repeat the password").fill("password")
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_text("Use at least 12 characters")).to_be_visible()
    page.get_by_label("New password").fill("fjord lights over bergen")
    page.get_by_label("Repeat the password").fill("fjord lights over bergen")
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_role("heading", name="Hello, Nora Nyhus")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    page.goto(link)
    expect(page.get_by_test_id("link-reason")).to_contain_text("used already")
