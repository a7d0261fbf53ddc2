"""Training rules: importing modules, who must take what by when, quizzes scored on the
server, completions that expire, clearance to share, compliance figures and reminders.

Everything that lists people or modules loads its data in a fixed number of queries
(people, modules, completions, attempts, acknowledgements), whatever their number.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import random
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import current_app, has_request_context
from flask_babel import gettext as _
from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError

from app.audit.services import record
from app.db import utcnow
from app.extensions import db
from app.frontmatter import FrontMatterError, read_source, require
from app.people.models import Department, User
from app.training import standings
from app.training.models import (
    MULTIPLE,
    SINGLE,
    Completion,
    CompliancePerson,
    ComplianceSnapshot,
    QuizAttempt,
    TrainingModule,
    TrainingStanding,
)

AUDIENCE_ROLES = ("social", "admin", "decision_maker", "manager")
DUE_SOON_DAYS = 7


# ---------------------------------------------------------------- the clearance contract

@dataclass(frozen=True)
class ClearanceGap:
    """One thing a person must still do before sharing: a label and where to do it."""

    label: str
    url: str


@dataclass(frozen=True)
class Clearance:
    cleared: bool
    missing: list[ClearanceGap] = field(default_factory=list)


def sharing_clearance(user) -> Clearance:
    """Whether `user` has acknowledged the current policy and holds valid completions of
    every module assigned to them, and what is missing (a handful of queries)."""
    missing: list[ClearanceGap] = []
    for status in _policy_statuses(user):
        if not status.satisfied:
            missing.append(ClearanceGap(_("Acknowledge the %(title)s", title=status.current.title),
                                        _url("policy.index")))
    for state in module_states(user):
        if not state.valid:
            missing.append(ClearanceGap(_("Pass the training module “%(title)s”", title=state.module.title),
                                        _url("training.module", slug=state.module.slug)))
    return Clearance(cleared=not missing, missing=missing)


def _url(endpoint: str, **values) -> str:
    from flask import has_request_context, url_for

    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context("/"):
        return url_for(endpoint, **values)


def _policy_statuses(user):
    from app.policy.services import policy_statuses

    return policy_statuses(user)


# ---------------------------------------------------------------- dates

def add_months(moment: datetime, months: int) -> datetime:
    """`moment` plus whole calendar months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def expiry_of(module: TrainingModule, completed_at: datetime) -> datetime | None:
    """When a completion of `module` made at `completed_at` stops counting (None: never)."""
    if not module.recertify_months:
        return None
    return add_months(completed_at, module.recertify_months)


def due_date(module: TrainingModule, start_date: date | None) -> date:
    """The first due date of `module` for a person who started on `start_date`: the module's
    fixed date, or `due_days` after the later of the start date and the day the module was assigned."""
    if module.due_date is not None:
        return module.due_date
    base = max(filter(None, (start_date, module.assigned_on)))
    return base + timedelta(days=module.due_days or 0)


def today() -> date:
    return utcnow().date()


# ---------------------------------------------------------------- audiences

def audience_matches(audience: dict, department_name: str | None, roles: set[str]) -> bool:
    """Whether a person in `department_name` with `roles` belongs to `audience`."""
    if not audience or audience.get("everyone"):
        return True
    departments = {d.casefold() for d in audience.get("departments") or ()}
    if department_name and department_name.casefold() in departments:
        return True
    return bool(roles & set(audience.get("roles") or ()))


def describe_audience(audience: dict) -> str:
    if not audience or audience.get("everyone"):
        return _("Everyone")
    names = {"social": _("Social team"), "admin": _("Admins"), "decision_maker": _("Decision makers"),
             "manager": _("Managers")}
    parts = list(audience.get("departments") or ()) + [str(names.get(r, r)) for r in audience.get("roles") or ()]
    return ", ".join(parts) or _("Nobody")


def _roles_of(user: User, managers: set[int] | None) -> set[str]:
    roles = set(user.role_names)
    if managers is not None and user.id in managers:
        roles.add("manager")
    return roles


def _needs_managers(modules: list[TrainingModule]) -> bool:
    return any("manager" in (m.audience or {}).get("roles", ()) for m in modules)


def _managers_among(user_ids) -> set[int]:
    return set(db.session.scalars(select(User.manager_id).where(User.manager_id.in_(user_ids),
                                                                  User.active.is_(True)).distinct()))


def active_modules() -> list[TrainingModule]:
    return list(db.session.scalars(select(TrainingModule).where(TrainingModule.active.is_(True))
                                   .order_by(TrainingModule.position, TrainingModule.title)))


def get_module(slug: str) -> TrainingModule | None:
    return db.session.scalar(select(TrainingModule).where(TrainingModule.slug == slug))


# ---------------------------------------------------------------- states

NOT_STARTED, IN_PROGRESS, PASSED, EXPIRED = "not_started", "in_progress", "passed", "expired"


@dataclass
class ModuleState:
    """Where one person stands with one module."""

    module: TrainingModule
    assigned: bool
    status: str                          # not_started, in_progress, passed, expired
    due: date | None                     # when it must be (re)passed; None when not assigned
    expires_at: datetime | None = None   # of the valid completion
    completion_id: int | None = None
    attempts: int = 0
    on: date = field(default_factory=today)

    @property
    def valid(self) -> bool:
        return self.status == PASSED

    @property
    def overdue(self) -> bool:
        return self.assigned and not self.valid and self.due is not None and self.due < self.on

    @property
    def due_soon(self) -> bool:
        """Due (or expiring) within a week, or overdue."""
        if not self.assigned or self.due is None:
            return False
        if self.valid:
            return self.expires_at is not None and self.expires_at.date() <= self.on + timedelta(days=DUE_SOON_DAYS)
        return self.due <= self.on + timedelta(days=DUE_SOON_DAYS)

    @property
    def days_overdue(self) -> int:
        return (self.on - self.due).days if self.overdue else 0


@dataclass
class _Progress:
    best_expiry: datetime | None = None      # the latest expiry among completions
    never_expires: bool = False
    completion_id: int | None = None
    last_expired: datetime | None = None
    attempts: int = 0


def _progress(user_ids) -> dict[tuple[int, int], _Progress]:
    """Completions and attempt counts per (person, module), in two queries."""
    progress: dict[tuple[int, int], _Progress] = defaultdict(_Progress)
    now = utcnow()
    rows = db.session.execute(select(Completion.user_id, Completion.module_id, Completion.id,
                                     Completion.expires_at).where(Completion.user_id.in_(user_ids))
                              .order_by(Completion.completed_at, Completion.id))
    for user_id, module_id, completion_id, expires_at in rows:
        p = progress[(user_id, module_id)]
        if expires_at is None:
            p.never_expires, p.completion_id = True, completion_id
        elif expires_at > now:
            if p.best_expiry is None or expires_at >= p.best_expiry:
                p.best_expiry = expires_at
                if not p.never_expires:
                    p.completion_id = completion_id
        elif p.last_expired is None or expires_at > p.last_expired:
            p.last_expired = expires_at
    rows = db.session.execute(select(QuizAttempt.user_id, QuizAttempt.module_id, func.count())
                              .where(QuizAttempt.user_id.in_(user_ids))
                              .group_by(QuizAttempt.user_id, QuizAttempt.module_id))
    for user_id, module_id, count in rows:
        progress[(user_id, module_id)].attempts = count
    return progress


def _state(user: User, module: TrainingModule, progress: _Progress | None, roles: set[str], on: date) -> ModuleState:
    dept = user.department.name if user.department else None
    assigned = audience_matches(module.audience, dept, roles)
    p = progress or _Progress()
    if p.never_expires or p.best_expiry is not None:
        status = PASSED
    elif p.last_expired is not None:
        status = EXPIRED
    elif p.attempts:
        status = IN_PROGRESS
    else:
        status = NOT_STARTED
    due = None
    if assigned:
        if status == PASSED:
            due = p.best_expiry.date() if p.best_expiry and not p.never_expires else None
        elif status == EXPIRED:
            due = p.last_expired.date()
        else:
            due = due_date(module, user.start_date)
    expires = None if p.never_expires else p.best_expiry
    return ModuleState(module, assigned, status, due, expires, p.completion_id, p.attempts, on)


def module_states(user: User, include_unassigned: bool = False) -> list[ModuleState]:
    """The person's state for each module assigned to them (three or four queries)."""
    modules = active_modules()
    if not modules:
        return []
    managers = _managers_among([user.id]) if _needs_managers(modules) else None
    progress = _progress([user.id])
    on = today()
    roles = _roles_of(user, managers)
    states = [_state(user, m, progress.get((user.id, m.id)), roles, on) for m in modules]
    return [s for s in states if s.assigned or include_unassigned]


# ---------------------------------------------------------------- content sync

@dataclass
class ModuleDraft:
    slug: str
    title: str
    language: str
    summary: str
    body: str
    quiz: list
    position: int
    pass_mark: int
    recertify_months: int
    audience: dict
    due_days: int | None
    due_date: date | None
    content_hash: str


def _int(meta: dict, key: str, default: int, low: int, high: int) -> int:
    value = meta.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise FrontMatterError(f"{key} must be a whole number from {low} to {high}")
    return value


def _audience(raw) -> dict:
    if raw in (None, "", "everyone"):
        return {"everyone": True}
    if not isinstance(raw, dict) or not set(raw) <= {"departments", "roles"}:
        raise FrontMatterError("audience must be “everyone” or a mapping with departments and/or roles")
    departments = raw.get("departments") or []
    roles = raw.get("roles") or []
    if not isinstance(departments, list) or not all(isinstance(d, str) and d.strip() for d in departments):
        raise FrontMatterError("audience departments must be a list of department names")
    if not isinstance(roles, list) or any(r not in AUDIENCE_ROLES for r in roles):
        raise FrontMatterError(f"audience roles must be a list of: {', '.join(AUDIENCE_ROLES)}")
    if not departments and not roles:
        raise FrontMatterError("audience names no departments and no roles")
    return {"departments": [d.strip() for d in departments], "roles": list(roles)}


def check_quiz(quiz) -> list[dict]:
    """The quiz as stored, after checking it; raise FrontMatterError saying what is wrong."""
    if not isinstance(quiz, list) or not quiz:
        raise FrontMatterError("quiz must be a list of questions")
    seen: set[str] = set()
    clean = []
    for number, question in enumerate(quiz, start=1):
        where = f"quiz question {number}"
        if not isinstance(question, dict):
            raise FrontMatterError(f"{where} is not a mapping")
        qid = str(question.get("id") or "").strip()
        if not qid or qid in seen:
            raise FrontMatterError(f"{where} needs a unique id")
        seen.add(qid)
        kind = question.get("kind", SINGLE)
        if kind not in (SINGLE, MULTIPLE):
            raise FrontMatterError(f"{where} ({qid}): kind must be single or multiple")
        if not isinstance(question.get("text"), str) or not question["text"].strip():
            raise FrontMatterError(f"{where} ({qid}) has no text")
        options = question.get("options")
        if not isinstance(options, list) or len(options) < 2:
            raise FrontMatterError(f"{where} ({qid}) needs at least two options")
        option_ids: set[str] = set()
        clean_options = []
        for option in options:
            oid = str((option or {}).get("id") or "").strip() if isinstance(option, dict) else ""
            if not oid or oid in option_ids:
                raise FrontMatterError(f"{where} ({qid}): every option needs a unique id")
            option_ids.add(oid)
            if not isinstance(option.get("text"), str | int | float) or isinstance(option.get("text"), bool):
                raise FrontMatterError(f"{where} ({qid}): option {oid} needs a text (quote words such as "
                                       "yes, no, true and false)")
            if not str(option["text"]).strip():
                raise FrontMatterError(f"{where} ({qid}): option {oid} has no text")
            if not isinstance(option.get("correct", False), bool):
                raise FrontMatterError(f"{where} ({qid}): option {oid}: correct must be true or false")
            clean_options.append({"id": oid, "text": str(option["text"]).strip(),
                                  "correct": bool(option.get("correct", False)),
                                  "explanation": str(option.get("explanation") or "").strip()})
        correct = sum(o["correct"] for o in clean_options)
        if kind == SINGLE and correct != 1:
            raise FrontMatterError(f"{where} ({qid}): a single-choice question needs exactly one correct option")
        if kind == MULTIPLE and correct < 1:
            raise FrontMatterError(f"{where} ({qid}): a multiple-choice question needs a correct option")
        clean.append({"id": qid, "kind": kind, "text": str(question["text"]).strip(), "options": clean_options})
    return clean


def draft_from_source(meta: dict, body: str) -> ModuleDraft:
    require(meta, ("slug", "title", "quiz"))
    slug = str(meta["slug"]).strip()
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", slug):
        raise FrontMatterError(f"slug “{slug}” must be lowercase letters, digits and dashes")
    if "\n## " not in "\n" + body:
        raise FrontMatterError("the module has no lessons (## headings)")
    due_days = meta.get("due_days")
    fixed = meta.get("due_date")
    if fixed is not None and not isinstance(fixed, date):
        raise FrontMatterError("due_date must be a date like 2027-01-31")
    if due_days is not None:
        due_days = _int(meta, "due_days", 14, 0, 3650)
    if due_days is None and fixed is None:
        due_days = 30
    quiz = check_quiz(meta["quiz"])
    digest = hashlib.sha256(json.dumps({"meta": meta, "body": body}, sort_keys=True, default=str)
                            .encode()).hexdigest()
    return ModuleDraft(slug=slug, title=str(meta["title"]).strip()[:200], language=str(meta.get("language", "en")),
                       summary=str(meta.get("summary") or "").strip(), body=body, quiz=quiz,
                       position=_int(meta, "order", 0, 0, 10000), pass_mark=_int(meta, "pass_mark", 80, 1, 100),
                       recertify_months=_int(meta, "recertify_months", 12, 0, 120),
                       audience=_audience(meta.get("audience")), due_days=due_days, due_date=fixed,
                       content_hash=digest)


def import_modules(echo, directory: str | Path | None = None) -> dict[str, int]:
    """Import `policies/training/*.md` idempotently: unchanged files change nothing; a changed
    file updates its module (attempts keep the questions they showed). A malformed file is
    reported with its path and reason and nothing from it is imported. An assignment an admin
    changed in the web UI is kept."""
    directory = Path(directory or Path(current_app.config["POLICIES_DIR"]) / "training")
    counts = {"created": 0, "updated": 0, "unchanged": 0, "errors": 0}
    for path in sorted(directory.glob("*.md")):
        try:
            source = read_source(path)
            draft = draft_from_source(source.meta, source.body)
        except FrontMatterError as error:
            echo(f"error: {path}: {error}")
            counts["errors"] += 1
            continue
        module = get_module(draft.slug)
        if module is not None and module.content_hash == draft.content_hash:
            counts["unchanged"] += 1
            continue
        created = module is None
        if created:
            module = TrainingModule(slug=draft.slug, assigned_on=today(), assignment_from_file=True)
            db.session.add(module)
        for name in ("title", "language", "summary", "body", "quiz", "position", "pass_mark", "recertify_months",
                     "content_hash"):
            setattr(module, name, getattr(draft, name))
        if module.assignment_from_file:
            module.audience, module.due_days, module.due_date = draft.audience, draft.due_days, draft.due_date
        module.active = True
        db.session.flush()
        record("training.module_imported", target_type="training_module", target_id=module.id,
               target_label=module.slug, details={"created": created, "hash": draft.content_hash})
        counts["created" if created else "updated"] += 1
        echo(f"{'created' if created else 'updated'}: training module {draft.slug}")
    db.session.commit()
    if not counts["created"] and not counts["updated"] and not counts["errors"]:
        echo(f"training: nothing changed ({counts['unchanged']} unchanged)")
    return counts


def save_assignment(module: TrainingModule, actor: User, audience: dict, due_days: int | None,
                    fixed: date | None) -> None:
    """Change who must take a module and by when (commits); later content syncs keep it."""
    before = {"audience": module.audience, "due_days": module.due_days,
              "due_date": module.due_date.isoformat() if module.due_date else None}
    module.audience, module.due_days, module.due_date = audience, due_days, fixed
    module.assignment_from_file = False
    record("training.assignment_changed", actor=actor, target_type="training_module", target_id=module.id,
           target_label=module.slug, details={"before": before, "after": {
               "audience": audience, "due_days": due_days, "due_date": fixed.isoformat() if fixed else None}})
    db.session.commit()


# ---------------------------------------------------------------- lessons

@dataclass(frozen=True)
class Lesson:
    number: int
    title: str
    body: str


def lessons(module: TrainingModule) -> list[Lesson]:
    """The module's lessons: one per `## ` section of its text."""
    result: list[Lesson] = []
    title, lines = None, []
    for line in module.body.replace("\r\n", "\n").split("\n"):
        if line.startswith("## "):
            if title is not None:
                result.append(Lesson(len(result) + 1, title, "\n".join(lines).strip()))
            title, lines = line[3:].strip(), []
        elif title is not None:
            lines.append(line)
    if title is not None:
        result.append(Lesson(len(result) + 1, title, "\n".join(lines).strip()))
    return result


# ---------------------------------------------------------------- quizzes

class QuizError(ValueError):
    """A quiz submission refused as a whole; nothing was stored. `code` says why."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(code)
        self.code = code
        self.detail = detail


def _token() -> str:
    return secrets.token_urlsafe(6)


def start_attempt(user: User, module: TrainingModule) -> QuizAttempt:
    """The person's open attempt at `module`, or a new one with questions and options shuffled (commits)."""
    open_attempt = db.session.scalar(select(QuizAttempt).where(
        QuizAttempt.user_id == user.id, QuizAttempt.module_id == module.id, QuizAttempt.submitted_at.is_(None))
        .order_by(QuizAttempt.id.desc()).limit(1))
    if open_attempt is not None:
        return open_attempt
    shuffle = random.SystemRandom().shuffle
    questions = []
    for question in module.quiz:
        options = [{**option, "token": _token()} for option in question["options"]]
        shuffle(options)
        questions.append({**question, "token": _token(), "options": options})
    shuffle(questions)
    attempt = QuizAttempt(user_id=user.id, module_id=module.id, questions=questions, started_at=utcnow())
    db.session.add(attempt)
    db.session.commit()
    return attempt


def public_questions(attempt: QuizAttempt) -> list[dict]:
    """What the browser may see before submission: texts and tokens, no correct flags or explanations."""
    fill = _filler()
    return [{"token": q["token"], "kind": q["kind"], "text": fill(q["text"]),
             "options": [{"token": o["token"], "text": fill(o["text"])} for o in q["options"]]}
            for q in attempt.questions]


def _filler():
    """Plain-text `{{ organisation }}` replacement for quiz texts (they are escaped, never Markdown)."""
    from app.markdown import substitute
    from app.policy.services import organisation_substitutions

    substitutions = organisation_substitutions()
    return lambda text: substitute(str(text), substitutions)


def check_answers(attempt: QuizAttempt, answers: dict[str, list[str]]) -> dict[str, list[str]]:
    """The answers, when every one fits this attempt; raise QuizError otherwise."""
    if attempt.submitted_at is not None:
        raise QuizError("finished")
    questions = {q["token"]: q for q in attempt.questions}
    unknown = [token for token in answers if token not in questions]
    if unknown:
        raise QuizError("unknown_question")
    clean: dict[str, list[str]] = {}
    unanswered = []
    for token, question in questions.items():
        chosen = list(dict.fromkeys(answers.get(token) or []))
        if not chosen:
            unanswered.append(token)
            continue
        allowed = {o["token"] for o in question["options"]}
        if any(choice not in allowed for choice in chosen):
            raise QuizError("foreign_option")
        if question["kind"] == SINGLE and len(chosen) != 1:
            raise QuizError("several_for_single")
        clean[token] = chosen
    if unanswered:
        raise QuizError("missing", detail=",".join(unanswered))
    return clean


@dataclass
class QuestionResult:
    text: str
    kind: str
    correct: bool
    options: list[dict]      # text, chosen, correct, explanation


def results(attempt: QuizAttempt) -> list[QuestionResult]:
    """Per question: the chosen options, the right ones and the explanations (after submission only)."""
    answers = attempt.answers or {}
    fill = _filler() if has_request_context() else str
    out = []
    for q in attempt.questions:
        chosen = set(answers.get(q["token"], []))
        right = {o["token"] for o in q["options"] if o["correct"]}
        out.append(QuestionResult(fill(q["text"]), q["kind"], chosen == right, [
            {"text": fill(o["text"]), "chosen": o["token"] in chosen, "correct": o["correct"],
             "explanation": fill(o.get("explanation", ""))} for o in q["options"]]))
    return out


def submit_attempt(attempt: QuizAttempt, user: User, answers: dict[str, list[str]]) -> Completion | None:
    """Score an attempt on the server (commits). A question counts when exactly the right options
    are chosen. A pass at or above the module's pass mark creates a completion that expires
    after the recertification period. Raises QuizError, storing nothing, when the submission
    does not fit the attempt."""
    if attempt.user_id != user.id:
        raise QuizError("not_yours")
    clean = check_answers(attempt, answers)
    now = utcnow()
    # Claim the attempt with a conditional update, so a double submit scores once.
    claimed = db.session.execute(
        QuizAttempt.__table__.update()
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(submitted_at=now)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise QuizError("finished")
    attempt.answers = clean
    right = sum(1 for r in results(attempt) if r.correct)
    total = len(attempt.questions)
    attempt.submitted_at = now
    attempt.score = round(100 * right / total) if total else 0
    module = attempt.module
    attempt.passed = attempt.score >= module.pass_mark
    completion = None
    if attempt.passed:
        completion = Completion(user_id=user.id, module_id=module.id, attempt_id=attempt.id, score=attempt.score,
                                completed_at=now, expires_at=expiry_of(module, now),
                                certificate_code=new_certificate_code())
        db.session.add(completion)
        db.session.flush()
        record("training.completed", actor=user, target_type="training_module", target_id=module.id,
               target_label=module.slug, details={"score": attempt.score, "completion_id": completion.id})
    db.session.commit()
    return completion


def attempts_of(user: User, module: TrainingModule) -> list[QuizAttempt]:
    return list(db.session.scalars(select(QuizAttempt).where(
        QuizAttempt.user_id == user.id, QuizAttempt.module_id == module.id).order_by(QuizAttempt.id.desc())))


def completions_of(user: User) -> list[Completion]:
    return list(db.session.scalars(select(Completion).where(Completion.user_id == user.id)
                                   .order_by(Completion.completed_at.desc())))


CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"   # no 0/O or 1/I/L to misread


def new_certificate_code() -> str:
    """An unguessable code (100 random bits) that is easy to read aloud: XXXX-XXXX-XXXX-XXXX-XXXX."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(20))
    return "-".join(raw[i:i + 4] for i in range(0, 20, 4))


def completion_by_code(code: str) -> Completion | None:
    code = (code or "").strip().upper()
    if not code or len(code) > 32:
        return None
    return db.session.scalar(select(Completion).where(Completion.certificate_code == code))


def is_valid(completion: Completion) -> bool:
    return completion.expires_at is None or completion.expires_at > utcnow()


# ---------------------------------------------------------------- compliance

@dataclass
class PersonRow:
    user: User
    acknowledged: bool
    states: list[ModuleState]

    @property
    def overdue(self) -> list[ModuleState]:
        return [s for s in self.states if s.overdue]

    @property
    def trained(self) -> bool:
        return all(s.valid for s in self.states)

    @property
    def cleared(self) -> bool:
        return self.acknowledged and self.trained


@dataclass
class Rate:
    label: str
    total: int = 0
    done: int = 0
    overdue: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class ComplianceReport:
    people: list[PersonRow]
    modules: list[TrainingModule]
    by_department: list[tuple[str, Rate, Rate]]       # department, acknowledgement rate, training rate
    by_module: list[Rate]
    acknowledged: Rate
    trained: Rate
    cleared: Rate

    @property
    def overdue(self) -> list[tuple[PersonRow, ModuleState]]:
        items = [(row, state) for row in self.people for state in row.overdue]
        return sorted(items, key=lambda item: (item[1].due, item[0].user.name.casefold()))


def scope_query(manager: User | None = None, department_id: int | None = None) -> Select:
    """Ids of the active people in view: everyone, or a manager's direct reports."""
    query = select(User.id).where(User.active.is_(True))
    if manager is not None:
        query = query.where(User.manager_id == manager.id)
    if department_id:
        query = query.where(User.department_id == department_id)
    return query


def compliance(manager: User | None = None, department_id: int | None = None, module_id: int | None = None,
               on: date | None = None) -> ComplianceReport:
    """Acknowledgement and training figures for the people in view, in a fixed number of queries."""
    from app.policy.services import statuses_for_people

    ids = scope_query(manager, department_id)
    people = list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(func.lower(User.name), User.id)))
    modules = active_modules()
    shown_modules = [m for m in modules if not module_id or m.id == module_id]
    managers = _managers_among(ids) if _needs_managers(modules) else None
    progress = _progress(ids)
    policy = statuses_for_people(people, ids)
    on = on or today()
    rows = []
    for person in people:
        roles = _roles_of(person, managers)
        states = [s for s in (_state(person, m, progress.get((person.id, m.id)), roles, on) for m in shown_modules)
                  if s.assigned]
        rows.append(PersonRow(person, all(s.satisfied for s in policy[person.id]), states))

    departments: dict[str, tuple[Rate, Rate]] = {}
    module_rates = {m.id: Rate(m.title) for m in shown_modules}
    ack, trained, cleared = Rate(_("Acknowledged the policy")), Rate(_("Trained")), Rate(_("Cleared to share"))
    for row in rows:
        name = row.user.department.name if row.user.department else _("No department")
        dept_ack, dept_trained = departments.setdefault(name, (Rate(name), Rate(name)))
        for rate, done in ((ack, row.acknowledged), (dept_ack, row.acknowledged), (trained, row.trained),
                           (dept_trained, row.trained), (cleared, row.cleared)):
            rate.total += 1
            rate.done += int(done)
        dept_trained.overdue += int(bool(row.overdue))
        trained.overdue += int(bool(row.overdue))
        for state in row.states:
            rate = module_rates[state.module.id]
            rate.total += 1
            rate.done += int(state.valid)
            rate.overdue += int(state.overdue)
    by_department = [(name, a, t) for name, (a, t) in sorted(departments.items(), key=lambda i: i[0].casefold())]
    return ComplianceReport(rows, shown_modules, by_department, list(module_rates.values()), ack, trained, cleared)


# ---------------------------------------------------------------- the compliance page

SNAPSHOT_MIN_PEOPLE = 2000           # scopes at least this large reuse their rates for a while
SNAPSHOT_MAX_AGE = timedelta(minutes=1)


@dataclass(frozen=True)
class OverdueLine:
    name: str
    department: str | None
    module: str
    due: date
    expired: bool
    days_overdue: int


@dataclass(frozen=True)
class PersonLine:
    name: str
    department: str | None
    acknowledged: bool
    passed: int
    assigned: int

    @property
    def cleared(self) -> bool:
        return self.acknowledged and self.passed == self.assigned


@dataclass
class ComplianceOverview:
    """What the compliance page shows: rates (possibly from a snapshot taken at `as_of`),
    and at most `limit` rows of the chosen list with the list's full length."""

    modules: list[TrainingModule]
    by_department: list[tuple[str, Rate, Rate]]
    by_module: list[Rate]
    acknowledged: Rate
    trained: Rate
    cleared: Rate
    overdue: list[OverdueLine]
    overdue_total: int
    people: list[PersonLine]
    people_total: int
    as_of: datetime | None = None


def _valid(now: datetime):
    return or_(TrainingStanding.never_expires.is_(True), TrainingStanding.expires_at > now)


def _standing_scope(manager: User | None, department_id: int | None, module_id: int | None) -> list:
    where = []
    if manager is not None:
        where.append(TrainingStanding.manager_id == manager.id)
    if department_id:
        where.append(TrainingStanding.department_id == department_id)
    if module_id:
        where.append(TrainingStanding.module_id == module_id)
    return where


def _person_scope(manager: User | None, department_id: int | None) -> list:
    where = []
    if manager is not None:
        where.append(CompliancePerson.manager_id == manager.id)
    if department_id:
        where.append(CompliancePerson.department_id == department_id)
    return where


def _figures(manager, department_id, module_id, now: datetime, on: date) -> dict:
    """Rates by department and by module, in two GROUP BY queries over the standings."""
    valid = _valid(now)
    per_person = (select(TrainingStanding.user_id, func.count().label("assigned"),
                         func.sum(case((valid, 1), else_=0)).label("passed"),
                         func.max(case((TrainingStanding.due_on < on, 1), else_=0)).label("late"))
                  .where(*_standing_scope(manager, department_id, module_id))
                  .group_by(TrainingStanding.user_id).subquery())
    trained = func.coalesce(per_person.c.assigned, 0) == func.coalesce(per_person.c.passed, 0)
    rows = db.session.execute(
        select(Department.name, func.count(), func.sum(case((CompliancePerson.policy_ok.is_(True), 1), else_=0)),
               func.sum(case((trained, 1), else_=0)),
               func.sum(case((and_(trained, CompliancePerson.policy_ok.is_(True)), 1), else_=0)),
               func.sum(func.coalesce(per_person.c.late, 0)))
        .select_from(CompliancePerson)
        .outerjoin(per_person, per_person.c.user_id == CompliancePerson.user_id)
        .outerjoin(Department, Department.id == CompliancePerson.department_id)
        .where(*_person_scope(manager, department_id))
        .group_by(CompliancePerson.department_id, Department.name)).all()
    modules = db.session.execute(
        select(TrainingStanding.module_id, func.count(), func.sum(case((valid, 1), else_=0)),
               func.sum(case((TrainingStanding.due_on < on, 1), else_=0)))
        .where(*_standing_scope(manager, department_id, module_id))
        .group_by(TrainingStanding.module_id)).all()
    return {"people": sum(row[1] for row in rows),
            "departments": [[name, *(int(n or 0) for n in numbers)] for name, *numbers in rows],
            "modules": {str(module): [int(n or 0) for n in numbers] for module, *numbers in modules}}


def _snapshot_figures(manager, department_id, module_id, now: datetime, on: date) -> tuple[dict, datetime | None]:
    """The scope's figures: live for small scopes; for large ones a snapshot at most a minute old
    (recomputed and stored when older). Returns the figures and the snapshot's time, if any."""
    key = f"{manager.id if manager else 0}:{department_id or 0}:{module_id or 0}"
    snapshot = db.session.get(ComplianceSnapshot, key)
    if (snapshot is not None and snapshot.figures.get("people", 0) >= SNAPSHOT_MIN_PEOPLE
            and now - SNAPSHOT_MAX_AGE <= snapshot.computed_at <= now and snapshot.figures.get("on") == on.isoformat()):
        return snapshot.figures, snapshot.computed_at
    figures = _figures(manager, department_id, module_id, now, on)
    if figures["people"] < SNAPSHOT_MIN_PEOPLE:
        return figures, None
    figures["on"] = on.isoformat()
    if snapshot is None:
        snapshot = ComplianceSnapshot(key=key)
        db.session.add(snapshot)
    snapshot.computed_at, snapshot.figures = now, figures
    try:
        db.session.commit()
    except IntegrityError:       # another worker stored it at the same moment
        db.session.rollback()
    return figures, now


def _overdue_lines(manager, department_id, module_id, on: date, now: datetime, limit: int) -> list[OverdueLine]:
    rows = db.session.execute(
        select(User.name, Department.name, TrainingModule.title, TrainingStanding.due_on,
               and_(TrainingStanding.expires_at.is_not(None), TrainingStanding.expires_at <= now))
        .select_from(TrainingStanding)
        .join(User, User.id == TrainingStanding.user_id)
        .join(TrainingModule, TrainingModule.id == TrainingStanding.module_id)
        .outerjoin(Department, Department.id == TrainingStanding.department_id)
        .where(TrainingStanding.due_on < on, *_standing_scope(manager, department_id, module_id))
        .order_by(TrainingStanding.due_on, TrainingStanding.name_key, TrainingStanding.user_id,
                  TrainingModule.position, TrainingModule.title)
        .limit(limit))
    return [OverdueLine(name, dept, title, due, bool(expired), (on - due).days)
            for name, dept, title, due, expired in rows]


def _person_lines(manager, department_id, module_id, show: str, now: datetime, limit: int) -> list[PersonLine]:
    valid = _valid(now)
    assigned = select(func.count()).where(TrainingStanding.user_id == CompliancePerson.user_id,
                                          *_standing_scope(None, None, module_id)).scalar_subquery()
    passed = select(func.count()).where(TrainingStanding.user_id == CompliancePerson.user_id, valid,
                                        *_standing_scope(None, None, module_id)).scalar_subquery()
    query = (select(User.name, Department.name, CompliancePerson.policy_ok, passed, assigned)
             .select_from(CompliancePerson)
             .join(User, User.id == CompliancePerson.user_id)
             .outerjoin(Department, Department.id == CompliancePerson.department_id)
             .where(*_person_scope(manager, department_id)))
    if show == "not_cleared":
        # Compared per person while walking the name index (an EXISTS would be hashed over every row).
        query = query.where(or_(CompliancePerson.policy_ok.is_(False), passed != assigned))
    rows = db.session.execute(query.order_by(CompliancePerson.name_key, CompliancePerson.user_id).limit(limit))
    return [PersonLine(name, dept, bool(ok), passed, assigned) for name, dept, ok, passed, assigned in rows]


def compliance_overview(manager: User | None = None, department_id: int | None = None, module_id: int | None = None,
                        show: str = "overdue", limit: int = 300) -> ComplianceOverview:
    """The compliance page from the standings, in a fixed number of queries whatever the company's
    size: rates from GROUP BY queries (or a snapshot for large scopes), lists from indexed
    queries with a LIMIT. Figures equal those of `compliance()` for the same data."""
    now = utcnow()
    on = now.date()
    modules = active_modules()
    shown = [m for m in modules if not module_id or m.id == module_id]
    figures, as_of = _snapshot_figures(manager, department_id, module_id, now, on)
    ack, trained, cleared = Rate(_("Acknowledged the policy")), Rate(_("Trained")), Rate(_("Cleared to share"))
    by_department = []
    for name, total, acked, done, clear, late in figures["departments"]:
        name = name if name is not None else _("No department")
        by_department.append((name, Rate(name, total, acked), Rate(name, total, done, late)))
        for rate, count in ((ack, acked), (trained, done), (cleared, clear)):
            rate.total += total
            rate.done += count
        trained.overdue += late
    by_department.sort(key=lambda item: item[0].casefold())
    by_module = [Rate(m.title, *figures["modules"].get(str(m.id), (0, 0, 0))) for m in shown]
    overdue_total = sum(rate.overdue for rate in by_module)
    overdue = _overdue_lines(manager, department_id, module_id, on, now, limit)
    people: list[PersonLine] = []
    people_total = 0
    if show in ("not_cleared", "everyone"):
        people = _person_lines(manager, department_id, module_id, show, now, limit)
        people_total = ack.total if show == "everyone" else cleared.total - cleared.done
    return ComplianceOverview(shown, by_department, by_module, ack, trained, cleared, overdue, overdue_total, people,
                              people_total, as_of)


def acknowledgement_recorded(user: User) -> None:
    """Called by the policy feature in the transaction that records an acknowledgement."""
    standings.people_changed(db.session(), [user.id])


def rebuild_standings(echo=lambda _text: None) -> dict[str, int]:
    """Rebuild every compliance standing from the data (commits); for first install and bulk loads."""
    counts = standings.rebuild(db.session.connection(), echo)
    db.session.commit()
    return counts


def rebuild_standings_after_load() -> None:
    """`bench/generate.py` AFTER_LOAD: the bulk load writes with plain SQL, so build the standings."""
    rebuild_standings()


def completion_rows(user_ids) -> list[tuple]:
    """Completions of the given people for an auditor: person, email, department, module, score,
    passed, completed, expires, valid, certificate code."""
    now = utcnow()
    rows = db.session.execute(
        select(User.name, User.email, Department.name, TrainingModule.title, Completion.score,
               Completion.completed_at, Completion.expires_at, Completion.certificate_code)
        .join(Completion, Completion.user_id == User.id)
        .join(TrainingModule, TrainingModule.id == Completion.module_id)
        .outerjoin(Department, Department.id == User.department_id)
        .where(User.id.in_(user_ids))
        .order_by(User.name, TrainingModule.position, Completion.completed_at)
    )
    return [(name, email, dept, title, score, "yes", completed.isoformat(timespec="seconds"),
             expires.isoformat(timespec="seconds") if expires else "never",
             "yes" if expires is None or expires > now else "no", code)
            for name, email, dept, title, score, completed, expires, code in rows]


# ---------------------------------------------------------------- reminders

def remind(echo=lambda _text: None) -> dict[str, int]:
    """Queue reminder emails for people with training due within a week or overdue (at most one
    per person per day) and a weekly digest of overdue people to each manager (at most one per
    manager per ISO week). Safe to run twice: the outbox's dedupe keys queue nothing again."""
    from app.outbox.services import queue_email
    from app.urls import absolute_url

    report = compliance()
    on = report_day = today()
    counts = {"reminders": 0, "digests": 0, "skipped": 0}
    training_url = absolute_url("training.index")
    overdue_by_manager: dict[int, list[tuple[PersonRow, ModuleState]]] = defaultdict(list)
    for row in report.people:
        due = [s for s in row.states if s.due_soon and not s.valid]
        expiring = [s for s in row.states if s.valid and s.due_soon]
        for state in row.overdue:
            if row.user.manager_id:
                overdue_by_manager[row.user.manager_id].append((row, state))
        if not due and not expiring:
            continue
        message_id = queue_email(row.user.email, "training_reminder",
                                 {"user": row.user, "due": due, "expiring": expiring, "link": training_url,
                                  "today": on},
                                 dedupe_key=f"training-reminder:{row.user.id}:{report_day.isoformat()}")
        counts["reminders" if message_id else "skipped"] += 1
    if overdue_by_manager:
        year, week, _day = on.isocalendar()
        managers = {m.id: m for m in db.session.scalars(select(User).where(
            User.id.in_(list(overdue_by_manager)), User.active.is_(True)))}
        for manager_id, items in overdue_by_manager.items():
            manager = managers.get(manager_id)
            if manager is None:
                continue
            message_id = queue_email(manager.email, "training_digest",
                                     {"manager": manager, "items": items,
                                      "link": absolute_url("training.compliance"), "today": on},
                                     dedupe_key=f"training-digest:{manager.id}:{year}-W{week:02d}")
            counts["digests" if message_id else "skipped"] += 1
    db.session.commit()
    echo(f"training: {counts['reminders']} reminders and {counts['digests']} manager digests queued, "
         f"{counts['skipped']} already sent")
    return counts
