"""Features working together on the demo organisation, with nothing stubbed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import limiter
from app.library.models import ContentItem, ShareLink
from app.people.demo import DEMO_PASSWORD
from app.people.services import find_by_email


@pytest.fixture
def demo(app, db):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return app


def _signed_in(app, email):
    limiter.reset()
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": DEMO_PASSWORD}).status_code == 302
    return client


def test_clearance_gates_sharing_for_real_newjoiner_refused_employee_allowed(demo, db):
    item = db.session.scalar(select(ContentItem).where(ContentItem.status == "published").order_by(ContentItem.id))
    newjoiner = _signed_in(demo, "newjoiner@example.com")
    page = newjoiner.get(f"/library/items/{item.id}").get_data(as_text=True)
    assert "Acknowledge the" in page
    refused = newjoiner.post(f"/library/items/{item.id}/share", data={"network": "linkedin", "caption": "Hi"},
                             headers={"Accept": "application/json"})
    assert refused.status_code == 403
    user = find_by_email("newjoiner@example.com")
    assert db.session.scalar(select(func.count()).select_from(ShareLink).where(ShareLink.user_id == user.id)) == 0

    employee = _signed_in(demo, "employee@example.com")
    shared = employee.post(f"/library/items/{item.id}/share", data={"network": "linkedin", "caption": "Proud of this"})
    assert shared.status_code == 302
    assert shared.headers["Location"].startswith("https://www.linkedin.com/")


def test_amplify_on_a_positive_report_makes_a_library_draft(demo, db):
    from app.desk.models import Report

    report = db.session.scalar(select(Report).where(Report.category == "positive").order_by(Report.id))
    social = _signed_in(demo, "social@example.com")
    before = db.session.scalar(select(func.count()).select_from(ContentItem).where(ContentItem.status == "draft"))
    response = social.post(f"/desk/reports/{report.id}/amplify", data={"note": "Great for LinkedIn"})
    assert response.status_code == 302
    after = db.session.scalar(select(func.count()).select_from(ContentItem).where(ContentItem.status == "draft"))
    assert after == before + 1
