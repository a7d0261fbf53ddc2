"""Helpers that make desk reports for tests, through the real service where it matters."""

from __future__ import annotations

import io
from datetime import timedelta

from PIL import Image

from app.db import utcnow
from app.desk import services
from app.desk.models import Report, ReportLink
from app.extensions import db


def report_data(**overrides) -> dict:
    data = {"category": "complaint", "platform": "facebook", "links": ["https://www.facebook.com/examplecorp/posts/1"],
            "description": "A customer asked twice and nobody answered.", "urgency": "normal", "anonymous": False}
    data.update(overrides)
    return data


def file_report(user, images: list[bytes] | None = None, token: str | None = None, **overrides):
    """File a report through services.submit_report (as the form does); returns the Submission."""
    return services.submit_report(user, report_data(**overrides), images or [], token or services.new_form_token())


def make_report(reporter=None, *, minutes_ago: float = 0, status: str = "new", urgency: str = "normal",
                category: str = "complaint", links: tuple[str, ...] = (), assignee=None, anonymous: bool = False,
                commit: bool = True) -> Report:
    """A report row made directly (for queue sizes and backdated clocks)."""
    created = utcnow() - timedelta(minutes=minutes_ago)
    report = Report(submission_key=services.submission_key(services.new_form_token()), category=category,
                    platform="x", description=f"Report about {category}", urgency=urgency, anonymous=anonymous,
                    reporter_id=None if anonymous or reporter is None else reporter.id, status=status,
                    assignee_id=assignee.id if assignee else None, created_at=created, updated_at=created)
    report.links = [ReportLink(url=url, link_key=services.link_key(url)) for url in links]
    report.pauses = []
    services.refresh_deadline(report)   # as every service that files or changes a report does
    db.session.add(report)
    if commit:
        db.session.commit()
    return report


def png_bytes(size=(40, 30), color=(200, 30, 30), with_exif: bool = False) -> bytes:
    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    if with_exif:
        exif = Image.Exif()
        exif[0x010F] = "SecretCameraMaker"
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="PNG")
    return out.getvalue()
