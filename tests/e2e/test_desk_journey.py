"""Browser journeys through the report channel and the desk (Debian's Chromium, a live server, real SMTP)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.desk.models import CannedReply, Report
from tests.desk_factories import make_report, png_bytes
from tests.factories import UserFactory


@pytest.fixture
def people(db):
    return {
        "employee": UserFactory(email="emma@example.com", name="Emma Employee"),
        "social": UserFactory(email="sami@example.com", name="Sami Social", is_social=True),
        "director": UserFactory(email="dagny@example.com", name="Dagny Director", is_decision_maker=True),
    }


@pytest.fixture
def second_tab(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def csp_watch(tab) -> list[str]:
    problems: list[str] = []
    tab.on("console", lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None)
    return problems


def fill_report(tab, *, urgency: str, anonymous: bool = False, screenshot: bool = False) -> None:
    tab.goto("/")
    tab.get_by_role("link", name="Report", exact=True).click()
    tab.get_by_label("A customer's complaint or question left unanswered").check()
    tab.get_by_label("Where?").select_option("facebook")
    tab.get_by_label("Links").fill("https://www.facebook.com/examplecorp/posts/777?utm_source=share")
    tab.get_by_label("What happened?").fill("A customer asked about her refund twice; nobody answered.")
    tab.get_by_label(urgency).check()
    if screenshot:
        tab.get_by_label("Screenshots (optional)").set_input_files(
            files=[{"name": "post.png", "mimeType": "image/png", "buffer": png_bytes((120, 80))}])
    if anonymous:
        tab.get_by_label("Report anonymously").check()
    tab.get_by_role("button", name="Send the report").click()


def test_named_report_with_screenshot_is_assigned_answered_and_the_reply_is_signed(
        page, second_tab, browser_login, people, db):
    problems = csp_watch(page)
    db.session.add(CannedReply(title="On it", body="Thank you, I have picked this up."))
    make_report(urgency="low", minutes_ago=30)
    make_report(urgency="normal", minutes_ago=5, assignee=people["social"])

    browser_login(page, "emma@example.com")
    fill_report(page, urgency="High — needs attention within the hour", screenshot=True)
    page.wait_for_url(re.compile(r"/my-reports/\d+$"))
    expect(page.get_by_text("Your report has reached the social team")).to_be_visible()
    expect(page.get_by_test_id("screenshot")).to_have_count(1)
    report_id = int(page.url.rsplit("/", 1)[1])

    desk = second_tab
    browser_login(desk, "sami@example.com")
    desk.get_by_role("link", name="Desk", exact=True).click()
    first_row = desk.get_by_test_id("queue-row").first
    assert first_row.get_attribute("data-report-id") == str(report_id)
    expect(first_row.get_by_test_id("unassigned")).to_be_visible()
    first_row.get_by_role("link").first.click()
    desk.get_by_role("button", name="Assign to me").click()
    expect(desk.get_by_test_id("assignee")).to_have_text("Sami Social")
    expect(desk.get_by_test_id("screenshot")).to_have_count(1)
    desk.wait_for_load_state("load")  # desk.js (end of body) fills the box on change
    desk.get_by_label("Canned reply").select_option(label="On it")
    expect(desk.get_by_label("Reply to the reporter")).to_have_value("Thank you, I have picked this up.")
    desk.get_by_label("Reply to the reporter").fill("Thank you, Emma. Customer Service answers her today.")
    desk.get_by_role("button", name="Send reply").click()
    expect(desk.get_by_text("Your reply was sent to the reporter")).to_be_visible()

    page.reload()
    reply = page.get_by_test_id("team-reply")
    assert "Thank you, Emma. Customer Service answers her today." in reply.inner_text()
    assert "Sami Social" in reply.inner_text()
    expect(page.get_by_test_id("report-status")).to_have_text("Acknowledged")
    assert problems == []


def test_anonymous_report_followed_up_with_its_receipt_code(page, second_tab, browser_login, people, db):
    browser_login(page, "emma@example.com")
    fill_report(page, urgency="Normal — within a few working hours", anonymous=True)
    code = page.get_by_test_id("receipt-code").inner_text()
    assert len(code.replace(" ", "")) >= 16
    page.get_by_role("button", name="Sign out").click()

    report = db.session.scalar(select(Report).order_by(Report.id.desc()))
    assert report.anonymous and report.reporter_id is None

    desk = second_tab
    browser_login(desk, "sami@example.com")
    desk.goto(f"/desk/reports/{report.id}")
    expect(desk.get_by_text("Anonymous", exact=True)).to_be_visible()
    desk.get_by_label("Reply to the reporter").fill("Thank you. Do you know when it was posted?")
    desk.get_by_label("Then set the status to").select_option("waiting")
    desk.get_by_role("button", name="Send reply").click()
    expect(desk.get_by_text("Your reply was sent to the reporter")).to_be_visible()

    page.goto("/report/follow-up")
    page.get_by_label("Receipt code").fill("0000 0000 0000 0000 0000")
    page.get_by_role("button", name="Open my report").click()
    expect(page.get_by_text("No report matches this code")).to_be_visible()
    page.get_by_label("Receipt code").fill(code)
    page.get_by_role("button", name="Open my report").click()
    assert "Do you know when it was posted?" in page.get_by_test_id("team-reply").inner_text()
    expect(page.get_by_test_id("report-status")).to_have_text("Waiting on reporter")
    assert "/report/follow-up" in page.url and code.replace(" ", "") not in page.url
    page.get_by_label("Add information").fill("Yesterday around 9 in the morning.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Your message was added to the report.")).to_be_visible()
    assert "Yesterday around 9" in page.get_by_test_id("reporter-message").inner_text()

    desk.reload()
    expect(desk.get_by_test_id("report-status")).to_have_text("In progress")


def test_escalation_reaches_the_decision_maker_by_email(page, browser_login, people, db, smtp_server,
                                                         deliver_outbox):
    report = make_report(people["employee"], urgency="high", minutes_ago=10)
    browser_login(page, "sami@example.com")
    page.goto(f"/desk/reports/{report.id}")
    page.get_by_label("Decision maker", exact=True).select_option(label="Dagny Director")
    page.get_by_label("What do you need decided?").fill("May we promise a refund publicly?")
    page.get_by_role("button", name="Escalate").click()
    expect(page.get_by_text("Escalated to Dagny Director, who has been notified.")).to_be_visible()
    expect(page.get_by_test_id("report-status")).to_have_text("Escalated")

    counts = deliver_outbox()
    assert counts["sent"] >= 1
    mail = [m for m in smtp_server.messages if m["To"] == "dagny@example.com"]
    assert len(mail) == 1
    text = smtp_server.text_of(mail[0])
    assert "May we promise a refund publicly?" in text
    link = re.search(r"http://\S+/escalations/(\d+)", text)
    assert link

    page.get_by_role("button", name="Sign out").click()
    browser_login(page, "dagny@example.com")
    page.get_by_role("link", name="Escalations", exact=True).click()
    page.get_by_test_id("escalation-row").get_by_role("link").click()
    assert "May we promise a refund publicly?" in page.get_by_test_id("escalation-note").inner_text()
    page.get_by_label("Your decision").fill("Yes, promise the refund.")
    page.get_by_role("button", name="Send decision").click()
    expect(page.get_by_text("Your decision was sent to the social team.")).to_be_visible()
