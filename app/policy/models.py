"""Policies, their immutable versions and the acknowledgements that pin them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, utcnow

MATERIAL = "material"
MINOR = "minor"
CHANGE_KINDS = (MATERIAL, MINOR)


class Policy(Base):
    """A policy (such as the social media policy), published in versions and languages."""

    __tablename__ = "policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PolicyVersion(Base):
    """One published text of a policy in one language. Never changed after it is written.

    Versions that share a `version_label` are translations of the same revision. A
    material version asks everyone to acknowledge again; a minor one does not.
    """

    __tablename__ = "policy_version"
    __table_args__ = (UniqueConstraint("policy_id", "language", "version_label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("policy.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(5))
    version_label: Mapped[str] = mapped_column(String(40))
    change: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(10), default="file")
    published_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    policy: Mapped[Policy] = relationship(lazy="joined")

    @property
    def is_material(self) -> bool:
        return self.change == MATERIAL


class Acknowledgement(Base):
    """A person confirmed they read and understood one exact policy version."""

    __tablename__ = "acknowledgement"
    __table_args__ = (UniqueConstraint("user_id", "policy_version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_version.id", ondelete="CASCADE"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime] = mapped_column(default=utcnow)

    version: Mapped[PolicyVersion] = relationship(lazy="joined")


Index("ix_policy_version_policy_published", PolicyVersion.policy_id, PolicyVersion.published_at)
