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


class CompliancePerson(Base):
    """One active person as the compliance page counts them: their department and manager,
    a sort key, and whether they acknowledged the current version of every policy.

    Kept current in the transaction that changes a person or an acknowledgement (see
    `app.training.standings`); `flask training rebuild-standings` rebuilds it from scratch.
    """

    __tablename__ = "compliance_person"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    department_id: Mapped[int | None]
    manager_id: Mapped[int | None]
    name_key: Mapped[str] = mapped_column(String(120))
    policy_ok: Mapped[bool] = mapped_column(default=False)


class TrainingStanding(Base):
    """Where one active person stands with one module assigned to them, stored as dates so
    that the time-dependent states are decided when read:

    valid   = never_expires or expires_at > now
    overdue = due_on < today   (due_on is None when a completion never expires, and a valid
                                completion's expiry date is never before today)
    expired = not valid and expires_at is not None
    """

    __tablename__ = "training_standing"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("training_module.id", ondelete="CASCADE"), primary_key=True)
    department_id: Mapped[int | None]
    manager_id: Mapped[int | None]
    name_key: Mapped[str] = mapped_column(String(120))
    due_on: Mapped[date | None]              # the latest completion's expiry date, else the first due date
    expires_at: Mapped[datetime | None]      # the latest expiry among the completions
    never_expires: Mapped[bool] = mapped_column(default=False)
    attempted: Mapped[bool] = mapped_column(default=False)


class ComplianceSnapshot(Base):
    """Rates of a large scope as computed at `computed_at`, reused for a minute."""

    __tablename__ = "compliance_snapshot"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    figures: Mapped[dict] = mapped_column(JSON, default=dict)


Index("ix_compliance_person_name", CompliancePerson.name_key, CompliancePerson.user_id)
Index("ix_compliance_person_department", CompliancePerson.department_id, CompliancePerson.name_key)
Index("ix_compliance_person_manager", CompliancePerson.manager_id, CompliancePerson.name_key)
Index("ix_training_standing_due", TrainingStanding.due_on, TrainingStanding.name_key, TrainingStanding.user_id)
Index("ix_training_standing_module", TrainingStanding.module_id, TrainingStanding.due_on, TrainingStanding.name_key,
      TrainingStanding.user_id)
Index("ix_training_standing_department", TrainingStanding.department_id, TrainingStanding.due_on,
      TrainingStanding.name_key, TrainingStanding.user_id)
Index("ix_training_standing_manager", TrainingStanding.manager_id, TrainingStanding.due_on, TrainingStanding.name_key,
      TrainingStanding.user_id)
