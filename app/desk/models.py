"""Reports, their conversation, internal notes, pauses, escalations, canned replies and routing.

Internal notes live in their own table (`desk_internal_note`), never as a flag on
the conversation table, so no query for the reporter's page can pick one up by
forgetting a filter. Anonymous reports keep no user id and no address: only a
hash of the receipt code ties a person to them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, utcnow
from app.people.models import Department, User

NEW = "new"
ACKNOWLEDGED = "acknowledged"
IN_PROGRESS = "in_progress"
WAITING = "waiting"
ESCALATED = "escalated"
RESOLVED = "resolved"
DISMISSED = "dismissed"
STATUSES = (NEW, ACKNOWLEDGED, IN_PROGRESS, WAITING, ESCALATED, RESOLVED, DISMISSED)
CLOSED_STATUSES = (RESOLVED, DISMISSED)
OPEN_STATUSES = tuple(s for s in STATUSES if s not in CLOSED_STATUSES)

CATEGORIES = ("complaint", "negative", "impersonation", "policy_breach", "crisis", "confidential", "positive",
              "other")
PLATFORMS = ("linkedin", "x", "facebook", "instagram", "tiktok", "youtube", "review_site", "news", "forum", "other")
URGENCIES = ("critical", "high", "normal", "low")


class Report(Base):
    __tablename__ = "desk_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    # sha256 of the hidden one-time form token: a retried submission finds this row.
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    category: Mapped[str] = mapped_column(String(32), index=True)
    platform: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(String(16), index=True)
    anonymous: Mapped[bool] = mapped_column(default=False)
    reporter_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    receipt_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=NEW, index=True)
    dismiss_reason: Mapped[str | None] = mapped_column(Text)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="SET NULL"), index=True)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("desk_report.id", ondelete="SET NULL"),
                                                        index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    first_response_at: Mapped[datetime | None]
    first_response_minutes: Mapped[float | None]      # on the report's clock, pauses excluded
    first_response_met: Mapped[bool | None]
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    amplified_item_id: Mapped[int | None]              # a content-library item (no FK across features)
    screenshots_purged_at: Mapped[datetime | None]
    # Where the open report stands against its current target, kept by services.refresh_deadline() so the
    # queue sorts and filters in SQL. Running: the target's end as a position on the report's clock (see
    # clock.position) and as a moment. Waiting on the reporter: the share of the target used (frozen).
    # `sla_basis` names the settings they were computed with; a change of hours or targets recomputes them.
    sla_due_clock: Mapped[float | None]
    sla_due_at: Mapped[datetime | None]
    sla_paused_used: Mapped[float | None]
    sla_basis: Mapped[str | None] = mapped_column(String(16))

    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])
    department: Mapped[Department | None] = relationship()
    duplicate_of: Mapped[Report | None] = relationship(remote_side=[id])
    links: Mapped[list[ReportLink]] = relationship(back_populates="report", cascade="all, delete-orphan",
                                                   order_by="ReportLink.id")
    pauses: Mapped[list[ReportPause]] = relationship(cascade="all, delete-orphan", order_by="ReportPause.id",
                                                    )
    screenshots: Mapped[list[ReportScreenshot]] = relationship(cascade="all, delete-orphan",
                                                               order_by="ReportScreenshot.id")

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    @property
    def title(self) -> str:
        first_line = self.description.strip().splitlines()[0] if self.description.strip() else ""
        return first_line[:80] + ("…" if len(first_line) > 80 else "")


class ReportLink(Base):
    __tablename__ = "desk_report_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("desk_report.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    link_key: Mapped[str] = mapped_column(String(64), index=True)   # sha256 of the normalised link

    report: Mapped[Report] = relationship(back_populates="links")


class ReportPause(Base):
    """A stretch of time spent waiting on the reporter; response clocks do not run."""

    __tablename__ = "desk_report_pause"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("desk_report.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]


class ReportScreenshot(Base):
    __tablename__ = "desk_report_screenshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("desk_report.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    thumbnail: Mapped[str | None] = mapped_column(String(100))
    width: Mapped[int]
    height: Mapped[int]
    size: Mapped[int]


class ReportMessage(Base):
    """The conversation the reporter sees: replies from the team and the reporter's additions.

    `author_id` is the responder for team replies and the named reporter for their own
    additions; it stays empty for anything an anonymous reporter writes.
    """

    __tablename__ = "desk_report_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("desk_report.id", ondelete="CASCADE"), index=True)
    from_team: Mapped[bool] = mapped_column(default=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    author_name: Mapped[str | None] = mapped_column(String(120))   # the signature, kept if the person leaves
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InternalNote(Base):
    """A note only the social team (and an addressed decision maker) can read. Never a response."""

    __tablename__ = "desk_internal_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("desk_report.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Escalation(Base):
    __tablename__ = "desk_escalation"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("desk_report.id", ondelete="CASCADE"), index=True)
    to_user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]

    report: Mapped[Report] = relationship()
    to_user: Mapped[User] = relationship(foreign_keys=[to_user_id])
    by_user: Mapped[User | None] = relationship(foreign_keys=[by_user_id])


class CannedReply(Base):
    __tablename__ = "desk_canned_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(120), unique=True)
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CategoryRoute(Base):
    """Which department owns reports of a category."""

    __tablename__ = "desk_category_route"
    __table_args__ = (UniqueConstraint("category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="SET NULL"))


Index("ix_desk_report_status_created", Report.status, Report.created_at)
# The desk lists the social team on every queue page; without this, that is a scan of every person.
Index("ix_user_is_social", User.is_social)
