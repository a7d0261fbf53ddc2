"""Content library tables: items, suggestions, tracked share links, clicks, the sharing pause."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, utcnow
from app.people.models import Department, User

DRAFT, IN_REVIEW, PUBLISHED, ARCHIVED = "draft", "in_review", "published", "archived"
STATUSES = (DRAFT, IN_REVIEW, PUBLISHED, ARCHIVED)

# Networks a share can go to; the first three have a caption of their own.
LINKEDIN, X, FACEBOOK, EMAIL, COPY = "linkedin", "x", "facebook", "email", "copy"
CAPTION_NETWORKS = (LINKEDIN, X, FACEBOOK)
NETWORKS = (LINKEDIN, X, FACEBOOK, EMAIL, COPY)

PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"


content_item_department = Table(
    "content_item_department",
    Base.metadata,
    Column("item_id", ForeignKey("content_item.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("department.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ContentItem(Base):
    """Something approved to share: text, captions per network, a link, an audience and a window."""

    __tablename__ = "content_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(1000))
    # ",product,releases," so one topic is a LIKE away; empty means none.
    topics: Mapped[str] = mapped_column(String(400), default="")
    language: Mapped[str] = mapped_column(String(5), default="en")
    # ",da,sv," or "" for every language.
    audience_languages: Mapped[str] = mapped_column(String(60), default="")
    caption_linkedin: Mapped[str] = mapped_column(Text, default="")
    caption_x: Mapped[str] = mapped_column(Text, default="")
    caption_facebook: Mapped[str] = mapped_column(Text, default="")
    image_name: Mapped[str | None] = mapped_column(String(100))
    image_thumb: Mapped[str | None] = mapped_column(String(100))
    publish_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]

    status: Mapped[str] = mapped_column(String(16), default=DRAFT, index=True)
    source: Mapped[str] = mapped_column(String(16), default="ui")      # ui | file | suggestion | report
    source_path: Mapped[str | None] = mapped_column(String(300))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    credit: Mapped[str] = mapped_column(String(300), default="")
    suggested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None]
    archived_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    archived_at: Mapped[datetime | None]

    departments: Mapped[list[Department]] = relationship(secondary=content_item_department, lazy="select",
                                                        order_by=Department.name)
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id], lazy="select")
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id], lazy="select")
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id], lazy="select")
    archived_by: Mapped[User | None] = relationship(foreign_keys=[archived_by_id], lazy="select")
    suggested_by: Mapped[User | None] = relationship(foreign_keys=[suggested_by_id], lazy="select")

    @property
    def topic_list(self) -> list[str]:
        return [t for t in (self.topics or "").split(",") if t]

    @property
    def language_list(self) -> list[str]:
        return [t for t in (self.audience_languages or "").split(",") if t]

    def caption(self, network: str) -> str:
        return getattr(self, f"caption_{network}", "") if network in CAPTION_NETWORKS else self.caption_linkedin

    def __repr__(self) -> str:
        return f"<ContentItem {self.slug} {self.status}>"


class ContentSuggestion(Base):
    """An employee's idea for the library, waiting for the social team's decision."""

    __tablename__ = "content_suggestion"

    id: Mapped[int] = mapped_column(primary_key=True)
    link: Mapped[str] = mapped_column(String(1000))
    why: Mapped[str] = mapped_column(Text)
    caption: Mapped[str] = mapped_column(Text, default="")
    suggested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")
    item_id: Mapped[int | None] = mapped_column(ForeignKey("content_item.id", ondelete="SET NULL"))

    suggested_by: Mapped[User | None] = relationship(foreign_keys=[suggested_by_id], lazy="joined")
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id], lazy="select")


class ShareLink(Base):
    """One person's tracked link for one item on one network: `/s/<code>`."""

    __tablename__ = "share_link"
    __table_args__ = (UniqueConstraint("user_id", "item_id", "network"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("content_item.id", ondelete="CASCADE"), index=True)
    network: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ShareEvent(Base):
    """A share someone made (each press of a share button), and whether they wrote their own words."""

    __tablename__ = "share_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    share_link_id: Mapped[int] = mapped_column(ForeignKey("share_link.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("content_item.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    network: Mapped[str] = mapped_column(String(16))
    personalised: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Click(Base):
    """A visit through a tracked link. No IP is stored: the visitor key is a daily-rotating keyed hash."""

    __tablename__ = "click"

    id: Mapped[int] = mapped_column(primary_key=True)
    share_link_id: Mapped[int] = mapped_column(ForeignKey("share_link.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("content_item.id", ondelete="CASCADE"), index=True)
    network: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    referrer_host: Mapped[str | None] = mapped_column(String(255))
    is_bot: Mapped[bool] = mapped_column(default=False)
    visitor_key: Mapped[str] = mapped_column(String(64))


class SharingPause(Base):
    """The crisis pause: a single row (id 1); `active` stops every new share."""

    __tablename__ = "sharing_pause"

    id: Mapped[int] = mapped_column(primary_key=True)
    active: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(Text, default="")
    paused_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    paused_at: Mapped[datetime | None]
    resumed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    resumed_at: Mapped[datetime | None]

    paused_by: Mapped[User | None] = relationship(foreign_keys=[paused_by_id], lazy="joined")


class LibraryPreference(Base):
    """A person's own choices about the library: the weekly digest and the leaderboard."""

    __tablename__ = "library_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    digest: Mapped[bool] = mapped_column(default=False)
    leaderboard: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)



# ------------------------------------------------------------------ sharing analytics rollups
#
# Built by `services.rollup()` (`flask library rollup`, every few minutes) from `click` and `share_event`
# up to a moment `rolled_until` a minute before the run: closed UTC days, and today so far as a partial
# day replaced on every run. The tracked link never writes here. Unique visitors are stored per day: the
# visitor key is an HMAC whose key changes every UTC day, so one person on two days is two keys and daily
# counts add up exactly to a period's count of distinct keys.

class LibraryRollupState(Base):
    """A single row (id 1): the moment before which every click and share is summarised, the UTC day the
    period summaries end on (the run's today), which periods they hold ("30,90,…,0") and when the job
    last ran."""

    __tablename__ = "library_rollup_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    rolled_until: Mapped[datetime | None]
    period_day: Mapped[date | None]
    periods: Mapped[str | None] = mapped_column(String(60))
    refreshed_at: Mapped[datetime | None]


class LibraryItemDay(Base):
    """One item's figures on one UTC day (the last one up to `rolled_until` only): shares (per network),
    own words, clicks, bots, visitors."""

    __tablename__ = "library_item_day"

    day: Mapped[date] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("content_item.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    shares: Mapped[int] = mapped_column(default=0)
    personalised: Mapped[int] = mapped_column(default=0)
    shares_linkedin: Mapped[int] = mapped_column(default=0)
    shares_x: Mapped[int] = mapped_column(default=0)
    shares_facebook: Mapped[int] = mapped_column(default=0)
    shares_email: Mapped[int] = mapped_column(default=0)
    shares_copy: Mapped[int] = mapped_column(default=0)
    clicks: Mapped[int] = mapped_column(default=0)
    bots: Mapped[int] = mapped_column(default=0)
    visitors: Mapped[int] = mapped_column(default=0)


class LibraryDepartmentDay(Base):
    """Figures of one department's sharers on one UTC day (see `LibraryItemDay`); department 0 is people
    without one."""

    __tablename__ = "library_department_day"

    day: Mapped[date] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    shares: Mapped[int] = mapped_column(default=0)
    clicks: Mapped[int] = mapped_column(default=0)
    visitors: Mapped[int] = mapped_column(default=0)


class LibraryItemPeriod(Base):
    """One item's totals over a period (days; 0 is all time) of whole UTC days ending on `period_day`, from
    its first day up to `rolled_until`."""

    __tablename__ = "library_item_period"

    period: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    item_id: Mapped[int] = mapped_column(ForeignKey("content_item.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    shares: Mapped[int] = mapped_column(default=0)
    personalised: Mapped[int] = mapped_column(default=0)
    shares_linkedin: Mapped[int] = mapped_column(default=0)
    shares_x: Mapped[int] = mapped_column(default=0)
    shares_facebook: Mapped[int] = mapped_column(default=0)
    shares_email: Mapped[int] = mapped_column(default=0)
    shares_copy: Mapped[int] = mapped_column(default=0)
    clicks: Mapped[int] = mapped_column(default=0)
    bots: Mapped[int] = mapped_column(default=0)
    visitors: Mapped[int] = mapped_column(default=0)
    sharers: Mapped[int] = mapped_column(default=0)


class LibraryDepartmentPeriod(Base):
    """A department's totals over a period ending on `period_day`, up to `rolled_until` (see above)."""

    __tablename__ = "library_department_period"

    period: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    department_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    shares: Mapped[int] = mapped_column(default=0)
    sharers: Mapped[int] = mapped_column(default=0)
    clicks: Mapped[int] = mapped_column(default=0)
    visitors: Mapped[int] = mapped_column(default=0)


class LibraryItemVisitorToday(Base):
    """The visitor keys already counted for each item on the day of `rolled_until` (written by the rollup
    only, replaced on every run), so a later click of the same visitor that day is not counted twice."""

    __tablename__ = "library_item_visitor_today"

    item_id: Mapped[int] = mapped_column(ForeignKey("content_item.id", ondelete="CASCADE"), primary_key=True)
    visitor_key: Mapped[str] = mapped_column(String(64), primary_key=True)


class LibraryDepartmentVisitorToday(Base):
    """The visitor keys already counted for each sharer's department on the day of `rolled_until`."""

    __tablename__ = "library_department_visitor_today"

    department_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    visitor_key: Mapped[str] = mapped_column(String(64), primary_key=True)
