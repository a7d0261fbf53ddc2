"""The new joiner's journey in a real browser: read and acknowledge the policy, fail a quiz,
pass it, be cleared to share; then an admin publishes a material change (asked again, sees
what changed) and a minor change (asked nothing)."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.people.demo import DEMO_PASSWORD
from app.registry import demo_loaders
from app.training.models import QuizAttempt

NEWJOINER = "newjoiner@example.com"


def _load_demo() -> None:
    for loader in demo_loaders:
        if loader.name in ("people", "policy", "training"):
            loader.fn()


def _open_attempt(email: str) -> QuizAttempt:
    from app.people.services import find_by_email

    db.session.expire_all()
    user = find_by_email(email)
    return db.session.scalar(select(QuizAttempt).where(QuizAttempt.user_id == user.id,
                                                       QuizAttempt.submitted_at.is_(None)))


def _answer(page, email: str, right: bool) -> None:
    """Answer the quiz on screen, choosing right (or wrong) options as the server knows them."""
    attempt = _open_attempt(email)
    for question in attempt.questions:
        options = [o for o in question["options"] if o["correct"] == right]
        for option in options if right else options[:1]:
            page.locator(f'input[id="q-{question["token"]}-{option["token"]}"]').check()
    page.get_by_role("button", name="Submit my answers").click()


def test_new_joiner_journey_and_policy_changes(page, browser, live_server, browser_login):
    _load_demo()
    browser_login(page, NEWJOINER, DEMO_PASSWORD)
    expect(page.get_by_test_id("cleared-status")).to_have_text("Before you can share: your checklist")

    # Read and acknowledge the policy.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Policy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Social media policy")
    expect(page.get_by_test_id("policy-text")).to_contain_text("In social media we are all a touchpoint")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Tick the box to confirm")).to_be_visible()
    page.get_by_label("I have read and understood this version of the policy").check()
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Your acknowledgement of version 1.0 is recorded")).to_be_visible()

    # Fail a quiz, then pass it.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Training").click()
    page.get_by_role("link", name=re.compile("Policy essentials")).click()
    page.get_by_role("link", name="Start the lessons").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("In social media we are all a touchpoint")
    page.goto("/training/policy-essentials")
    page.get_by_role("button", name="Take the quiz").click()
    expect(page.get_by_test_id("question")).to_have_count(8)
    _answer(page, NEWJOINER, right=False)
    expect(page.get_by_test_id("quiz-result")).to_contain_text("Not passed yet")
    page.get_by_role("button", name="Try again").click()
    _answer(page, NEWJOINER, right=True)
    expect(page.get_by_test_id("quiz-result")).to_contain_text("Passed")

    # Pass the other modules assigned to a Customer Service new joiner.
    for title in ("Customers and complaints", "Crises and confidential information", "Your professional profile"):
        page.goto("/training/")
        page.get_by_role("link", name=re.compile(title)).click()
        page.get_by_role("button", name="Take the quiz").click()
        _answer(page, NEWJOINER, right=True)
        expect(page.get_by_test_id("quiz-result")).to_contain_text("Passed")
    page.get_by_role("link", name="See your certificate").click()
    expect(page.get_by_test_id("certificate")).to_contain_text("Noah Newjoiner")
    page.goto("/")
    expect(page.get_by_test_id("cleared-status")).to_have_text("You are cleared to share")

    # An admin publishes a material change.
    admin_context = browser.new_context(base_url=live_server)
    admin = admin_context.new_page()
    browser_login(admin, "admin@example.com", DEMO_PASSWORD)
    admin.goto("/policy/publish")
    body = admin.get_by_label("Policy text (Markdown)")
    new_text = body.input_value().replace("Share approved content in your own voice.",
                                          "Share approved content in your personal voice.")
    new_text += "\n## Generative AI\n\nNever paste confidential information into AI tools.\n"
    body.fill(new_text)
    admin.get_by_label("Version", exact=True).fill("2.0")
    admin.get_by_label("Summary of changes").fill("A new section on AI tools.")
    admin.get_by_label(re.compile("^Material")).check()
    admin.get_by_role("button", name="Preview").click()
    expect(admin.get_by_test_id("preview")).to_contain_text("Never paste confidential information")
    admin.get_by_role("button", name="Publish").click()
    expect(admin.get_by_text("Version 2.0 (en) is published")).to_be_visible()

    # The employee is asked again and sees what changed.
    page.goto("/")
    expect(page.get_by_test_id("cleared-status")).to_have_text("Before you can share: your checklist")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Policy").click()
    expect(page.get_by_test_id("policy-status")).to_contain_text("The policy has changed since you acknowledged "
                                                                 "version 1.0")
    changes = page.get_by_test_id("what-changed")
    expect(changes).to_contain_text("Generative AI")
    expect(changes.locator("ins", has_text="personal")).to_be_visible()
    expect(changes.locator("del", has_text="own")).to_be_visible()
    page.get_by_label("I have read and understood this version of the policy").check()
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_text("Your acknowledgement of version 2.0 is recorded")).to_be_visible()

    # A minor change asks nothing.
    admin.goto("/policy/publish")
    body = admin.get_by_label("Policy text (Markdown)")
    body.fill(body.input_value().replace("AI tools.", "AI tools such as chatbots."))
    admin.get_by_label("Version", exact=True).fill("2.0.1")
    admin.get_by_label(re.compile("^Minor")).check()
    admin.get_by_role("button", name="Publish").click()
    expect(admin.get_by_text("Version 2.0.1 (en) is published")).to_be_visible()
    admin_context.close()

    page.goto("/policy/")
    expect(page.get_by_test_id("policy-status")).to_contain_text("There is nothing more to do")
    expect(page.get_by_test_id("policy-text")).to_contain_text("AI tools such as chatbots")
    expect(page.get_by_label("I have read and understood this version of the policy")).to_have_count(0)
    page.goto("/")
    expect(page.get_by_test_id("cleared-status")).to_have_text("You are cleared to share")
