"""Training modules, quiz attempts and the completions (with certificates) they earn."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base, utcnow

SINGLE = "single"
MULTIPLE = "multiple"


class TrainingModule(Base):
    """Lessons (the `## ` sections of `body`) and a quiz, assigned to an audience with a due date.

    `audience` is {"everyone": true} or {"departments": [names], "roles": [role names]}.
    The due date is `due_date` when set, else `due_days` after the later of a person's
    start date and `assigned_on`.
    """

    __tablename__ = "training_module"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(5), default="en")
    summary: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    quiz: Mapped[list] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(default=0)
    pass_mark: Mapped[int] = mapped_column(default=80)
    recertify_months: Mapped[int] = mapped_column(default=12)
    audience: Mapped[dict] = mapped_column(JSON, default=dict)
    due_days: Mapped[int | None]
    due_date: Mapped[date | None]
    assigned_on: Mapped[date] = mapped_column(default=lambda: utcnow().date())
    assignment_from_file: Mapped[bool] = mapped_column(default=True)
    active: Mapped[bool] = mapped_column(default=True)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class QuizAttempt(Base):
    """One try at a module's quiz.

    `questions` is the server-side snapshot shown in this attempt: shuffled order,
    per-attempt tokens for questions and options, correct flags and explanations.
    Only texts and tokens ever reach the browser before submission.
    `answers` maps question tokens to the chosen option tokens.
    """

    __tablename__ = "quiz_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("training_module.id", ondelete="CASCADE"), index=True)
    questions: Mapped[list] = mapped_column(JSON)
    answers: Mapped[dict | None] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    score: Mapped[int | None]
    passed: Mapped[bool | None]

    module: Mapped[TrainingModule] = relationship(lazy="joined")


class Completion(Base):
    """A passed attempt: valid until `expires_at` (None: never), with a certificate code."""

    __tablename__ = "completion"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("training_module.id", ondelete="CASCADE"), index=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id", ondelete="CASCADE"), unique=True)
    score: Mapped[int]
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    certificate_code: Mapped[str] = mapped_column(String(32), unique=True)

    module: Mapped[TrainingModule] = relationship(lazy="joined")
    user = relationship("User", lazy="joined")


Index("ix_completion_user_module", Completion.user_id, Completion.module_id)
Index("ix_quiz_attempt_user_module", QuizAttempt.user_id, QuizAttempt.module_id)
