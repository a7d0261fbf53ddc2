"""Demo reports: open and closed, some overdue, one anonymous; routing and canned replies."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select

from app.db import utcnow
from app.registry import add_demo_loader

CANNED = [
    ("Thanks, we are on it", "Thank you for telling us. I have picked this up and will get back to you today."),
    ("Need a screenshot", "Thank you. Could you add a screenshot of the post? Posts are sometimes deleted before we "
                          "get to see them."),
    ("Handed to Customer Service", "Thank you. Customer Service owns this case and will answer the customer "
                                   "directly. I will let you know when it is done."),
]

# key, reporter email (None = anonymous), category, platform, urgency, age in minutes, links, text,
# assignee email, replies [(email, text)], notes, final status, extra
REPORTS = [
    ("1", "employee@example.com", "complaint", "facebook", "normal", 3 * 1440,
     ["https://www.facebook.com/examplecorp/posts/1001"],
     "A customer has asked twice on our Facebook page why her refund has not arrived. No answer for two days.",
     "social@example.com", [("social@example.com", "Thank you, Emma. Customer Service has the case and will "
                             "answer her on the page today.")], ["Customer Service confirmed: refund sent."],
     "in_progress", {"reply_after": 95}),
    ("2", "lars@example.com", "negative", "x", "high", 150,
     ["https://x.com/someone/status/123456789?utm_source=share"],
     "A post claims our product was recalled. That is not true, and it is being shared a lot.",
     None, [], [], "new", {}),
    ("3", None, "crisis", "news", "critical", 40, ["https://news.example.net/2026/examplecorp-factory"],
     "A local news site says there was an accident at the factory. People are asking on LinkedIn too.",
     None, [], [], "new", {}),
    ("4", "freja@example.com", "positive", "linkedin", "low", 1440,
     ["https://www.linkedin.com/posts/customer-praise-examplecorp"],
     "A big customer wrote a lovely post about our support team. Worth sharing!",
     "social2@example.com", [], [], "acknowledged", {}),
    ("5", "maja@example.com", "impersonation", "instagram", "high", 6 * 1440,
     ["https://www.instagram.com/examplecorp_official_support"],
     "An account pretending to be our support team asks customers for their card details.",
     "social2@example.com", [("social2@example.com", "Thank you, Maja. Do you know whether anyone answered it? "
                              "A screenshot of a message would help the report to Instagram.")], [],
     "waiting", {"reply_after": 38}),
    ("6", "oskar@example.com", "policy_breach", "tiktok", "normal", 10 * 1440, [],
     "A colleague posted a video from inside the server room showing screens with customer names.",
     "social@example.com", [("social@example.com", "Thank you, Oskar. The video has been taken down and we have "
                             "talked with the colleague.")], ["Talked to the manager; no customer data readable."],
     "resolved", {"reply_after": 310}),
    ("7", "jonas@example.com", "complaint", "review_site", "normal", 8 * 1440,
     ["https://reviews.example.org/examplecorp"],
     "Three one-star reviews this week about delivery times, none answered.", None, [], [], "new", {}),
    ("8", "elin@example.com", "confidential", "forum", "high", 20 * 1440, ["https://forum.example.com/t/leak/42"],
     "Someone posted what looks like our internal price list.", "social@example.com", [], [], "dismissed",
     {"reason": "The list is last year's public price list; nothing confidential."}),
    ("9", "pieter@example.com", "negative", "x", "normal", 60,
     ["https://twitter.com/someone/status/123456789", "https://X.com/someone/status/123456789/?fbclid=abc"],
     "Same recall rumour, now in Dutch.", None, [], [], "new", {}),
    ("10", "daan@example.com", "crisis", "linkedin", "high", 1440,
     ["https://www.linkedin.com/posts/angry-partner-examplecorp"],
     "A partner threatens publicly to end the contract over late deliveries.", "social@example.com",
     [("social@example.com", "Thank you, Daan. We are looking at it with management now.")], [], "escalated",
     {"reply_after": 12, "escalate_to": "director@example.com",
      "note": "Should we answer publicly, or call the partner first?"}),
]


def load_desk() -> None:
    """Create the demo reports once (later runs change nothing)."""
    from app.desk import services
    from app.desk.models import (
        CLOSED_STATUSES,
        WAITING,
        CannedReply,
        CategoryRoute,
        Escalation,
        InternalNote,
        Report,
        ReportLink,
        ReportMessage,
        ReportPause,
    )
    from app.extensions import db
    from app.people.services import find_by_email

    if db.session.scalar(select(CategoryRoute.id).limit(1)) is None:
        for category, department_id in services.routes().items():
            db.session.add(CategoryRoute(category=category, department_id=department_id))
    existing_titles = set(db.session.scalars(select(CannedReply.title)))
    for title, body in CANNED:
        if title not in existing_titles:
            db.session.add(CannedReply(title=title, body=body))
    db.session.flush()

    now = utcnow()
    routes = services.routes()
    for key, reporter_email, category, platform, urgency, age, links, text, assignee_email, replies, notes, status, \
            extra in REPORTS:
        submission = services.submission_key(f"demo-desk-{key}")
        if db.session.scalar(select(Report.id).where(Report.submission_key == submission)) is not None:
            continue
        created = now - timedelta(minutes=age)
        reporter = find_by_email(reporter_email) if reporter_email else None
        assignee = find_by_email(assignee_email) if assignee_email else None
        receipt = None
        if reporter_email is None:  # an anonymous report whose receipt code nobody knows
            receipt = services.receipt_hash(str(secrets.randbelow(10**20)).zfill(20))
        report = Report(submission_key=submission, category=category, platform=platform, description=text,
                        urgency=urgency, anonymous=reporter is None, reporter_id=reporter.id if reporter else None,
                        receipt_hash=receipt, status=status, assignee_id=assignee.id if assignee else None,
                        department_id=routes.get(category), created_at=created, updated_at=created,
                        dismiss_reason=extra.get("reason"))
        report.links = [ReportLink(url=url, link_key=services.link_key(url)) for url in links]
        duplicates = services.open_reports_with_links([services.link_key(u) for u in links])
        if duplicates:
            report.duplicate_of_id = min(r.duplicate_of_id or r.id for r in duplicates)
        db.session.add(report)
        db.session.flush()
        for index, (email, body) in enumerate(replies):
            author = find_by_email(email)
            at = created + timedelta(minutes=min(age // 3, extra.get("reply_after", 45) + 30 * index))
            db.session.add(ReportMessage(report_id=report.id, from_team=True, author_id=author.id,
                                         author_name=author.name, body=body, created_at=at))
            if report.first_response_at is None:
                elapsed = services.clock.elapsed_minutes(created, at, [], services.schedule_for(urgency))
                report.first_response_at = at
                report.first_response_minutes = round(elapsed, 2)
                report.first_response_met = elapsed <= services.target_minutes(urgency, services.FIRST_RESPONSE)
        for body in notes:
            author = assignee or find_by_email("social@example.com")
            db.session.add(InternalNote(report_id=report.id, author_id=author.id, author_name=author.name, body=body,
                                        created_at=created + timedelta(minutes=age // 2)))
        if status == WAITING:
            db.session.add(ReportPause(report_id=report.id, started_at=created + timedelta(minutes=age // 2)))
        if status in CLOSED_STATUSES:
            report.closed_at = created + timedelta(minutes=age // 2)
        if extra.get("escalate_to"):
            to_user = find_by_email(extra["escalate_to"])
            db.session.add(Escalation(report_id=report.id, to_user_id=to_user.id,
                                      by_user_id=assignee.id if assignee else None, note=extra["note"],
                                      created_at=created + timedelta(minutes=age // 2)))
    db.session.commit()
    services.refresh_deadlines()


add_demo_loader(50, "desk", load_desk)
