"""People, departments and the HR import."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, exists, func, or_, select

from app.access import Role, register_role_check
from app.audit.services import record
from app.db import utcnow
from app.extensions import db
from app.forms import normalise_email
from app.people.models import LANGUAGE_CODES, Department, PeopleImport, User

IMPORT_COLUMNS = ("email", "name", "department", "manager_email", "language", "start_date", "roles")
REQUIRED_COLUMNS = ("email", "name")
ROLE_WORDS = {"employee": None, "social": "is_social", "social team": "is_social", "social_team": "is_social",
              "admin": "is_admin", "decision maker": "is_decision_maker", "decision_maker": "is_decision_maker"}
MAX_IMPORT_ROWS = 20000


def find_by_email(email: str) -> User | None:
    """The person with this email, whatever its case."""
    email = (email or "").strip().lower()
    if not email:
        return None
    return db.session.scalar(select(User).where(func.lower(User.email) == email))


def has_reports(user: User) -> bool:
    """Whether `user` manages anyone who is active."""
    return bool(db.session.scalar(select(exists().where(User.manager_id == user.id, User.active.is_(True)))))


register_role_check(Role.MANAGER, has_reports)


def team_of(manager: User) -> list[User]:
    return list(db.session.scalars(select(User).where(User.manager_id == manager.id).order_by(User.name)))


def people_query(search: str = "", department_id: int | None = None, status: str = "active",
                 role: str = "") -> Select:
    """People matching the filters, by name."""
    query = select(User).order_by(func.lower(User.name), User.id)
    if search:
        query = query.where(or_(User.name.icontains(search, autoescape=True),
                                User.email.icontains(search, autoescape=True)))
    if department_id:
        query = query.where(User.department_id == department_id)
    if status == "active":
        query = query.where(User.active.is_(True))
    elif status == "inactive":
        query = query.where(User.active.is_(False))
    if role in ("is_social", "is_admin", "is_decision_maker"):
        query = query.where(getattr(User, role).is_(True))
    return query


def departments() -> list[Department]:
    return list(db.session.scalars(select(Department).order_by(Department.name)))


def department_choices(blank: str | None = None) -> list[tuple[int, str]]:
    choices = [(d.id, d.name) for d in departments()]
    return [(0, blank), *choices] if blank is not None else choices


def department_sizes() -> dict[int, int]:
    rows = db.session.execute(
        select(User.department_id, func.count()).where(User.active.is_(True)).group_by(User.department_id)
    )
    return {dept_id: count for dept_id, count in rows if dept_id is not None}


def get_or_create_department(name: str) -> Department:
    department = db.session.scalar(select(Department).where(func.lower(Department.name) == name.strip().lower()))
    if department is None:
        department = Department(name=name.strip())
        db.session.add(department)
        db.session.flush()
    return department


class PeopleError(ValueError):
    """A change to a person that the rules refuse; the message is for the admin."""


def save_person(user: User, actor: User, data: dict) -> User:
    """Create or update a person from form data and audit what changed (commits).

    Raises PeopleError when the email is taken or the manager would form a loop.
    """
    email = normalise_email(data["email"])
    clash = find_by_email(email)
    if clash is not None and clash.id != user.id:
        raise PeopleError("email_taken")
    manager_id = data.get("manager_id") or None
    if manager_id and user.id and _would_loop(user.id, manager_id):
        raise PeopleError("manager_loop")
    before = {"roles": user.role_names} if user.id else None
    is_new = user.id is None
    user.email = email
    user.name = data["name"].strip()
    user.department_id = data.get("department_id") or None
    user.manager_id = manager_id
    user.language = data.get("language") or "en"
    user.start_date = data.get("start_date")
    for flag in ("is_social", "is_admin", "is_decision_maker"):
        if flag in data:
            setattr(user, flag, bool(data[flag]))
    if is_new:
        db.session.add(user)
    db.session.flush()
    if is_new:
        record("people.created", actor=actor, target_type="user", target_id=user.id, target_label=user.email,
               details={"roles": user.role_names})
    else:
        record("people.updated", actor=actor, target_type="user", target_id=user.id, target_label=user.email)
        if before and before["roles"] != user.role_names:
            record("people.roles_changed", actor=actor, target_type="user", target_id=user.id,
                   target_label=user.email, details={"before": before["roles"], "after": user.role_names})
    db.session.commit()
    return user


def _would_loop(user_id: int, manager_id: int) -> bool:
    seen = {user_id}
    current = manager_id
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = db.session.scalar(select(User.manager_id).where(User.id == current))
    return False


def set_active(user: User, active: bool, actor: User) -> None:
    """Deactivate or reactivate a person; deactivation ends their open sessions at once."""
    from app.auth.services import revoke_all_sessions

    if user.active == active:
        return
    user.active = active
    if not active:
        revoke_all_sessions(user)
    record("people.reactivated" if active else "people.deactivated", actor=actor, target_type="user",
           target_id=user.id, target_label=user.email)
    db.session.commit()


def rename_department(department: Department, name: str, actor: User) -> None:
    clash = db.session.scalar(select(Department).where(func.lower(Department.name) == name.strip().lower(),
                                                       Department.id != (department.id or 0)))
    if clash is not None:
        raise PeopleError("department_exists")
    old = department.name
    department.name = name.strip()
    if department.id is None:
        db.session.add(department)
        db.session.flush()
        record("departments.created", actor=actor, target_type="department", target_id=department.id,
               target_label=department.name)
    else:
        record("departments.renamed", actor=actor, target_type="department", target_id=department.id,
               target_label=department.name, details={"before": old})
    db.session.commit()


def delete_department(department: Department, actor: User) -> None:
    """Delete a department with nobody in it."""
    if db.session.scalar(select(exists().where(User.department_id == department.id))):
        raise PeopleError("department_in_use")
    record("departments.deleted", actor=actor, target_type="department", target_id=department.id,
           target_label=department.name)
    db.session.delete(department)
    db.session.commit()


# ---------------------------------------------------------------- HR import

@dataclass
class ImportRow:
    line: int
    email: str
    name: str
    department: str
    manager_email: str
    language: str
    start_date: date | None
    roles: dict[str, bool]
    errors: list[str] = field(default_factory=list)
    action: str = ""                 # "create", "update" or "unchanged"
    changes: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    rows: list[ImportRow]
    file_errors: list[str]
    new_departments: list[str]

    @property
    def ok(self) -> bool:
        return not self.file_errors and all(not row.errors for row in self.rows)

    @property
    def error_count(self) -> int:
        return len(self.file_errors) + sum(1 for row in self.rows if row.errors)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action and not row.errors)


def decode_upload(raw: bytes) -> str:
    """The upload as text; raises PeopleError("not_utf8") when it is not UTF-8."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PeopleError("not_utf8") from error


def _parse_roles(text: str, errors: list[str]) -> dict[str, bool]:
    flags = {"is_social": False, "is_admin": False, "is_decision_maker": False}
    for word in filter(None, (w.strip().lower() for w in text.replace("|", ";").replace(",", ";").split(";"))):
        if word not in ROLE_WORDS:
            errors.append(f"unknown role “{word}” (use employee, social, admin, decision_maker)")
        elif ROLE_WORDS[word]:
            flags[ROLE_WORDS[word]] = True
    return flags


def plan_import(text: str) -> ImportPlan:
    """Check every row of an HR export and say what applying it would do; changes nothing."""
    reader = csv.DictReader(io.StringIO(text))
    headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    if missing:
        return ImportPlan([], [f"missing column(s): {', '.join(missing)}; expected {', '.join(IMPORT_COLUMNS)}"], [])
    reader.fieldnames = headers
    rows: list[ImportRow] = []
    seen: dict[str, int] = {}
    file_errors: list[str] = []
    for index, raw in enumerate(reader, start=2):
        if index - 1 > MAX_IMPORT_ROWS:
            file_errors.append(f"more than {MAX_IMPORT_ROWS} rows; split the file")
            break
        if None in raw:
            extra = raw.pop(None)
            raw["_extra"] = extra
        value = {k: (raw.get(k) or "").strip() for k in IMPORT_COLUMNS}
        if not any(value.values()):
            continue
        errors: list[str] = []
        try:
            email = normalise_email(value["email"])
        except ValueError:
            email = value["email"].lower()
            errors.append(f"bad email “{value['email']}”" if value["email"] else "email is missing")
        if not value["name"]:
            errors.append("name is missing")
        elif len(value["name"]) > 120:
            errors.append("name is longer than 120 characters")
        if len(value["department"]) > 120:
            errors.append("department is longer than 120 characters")
        language = value["language"].lower() or "en"
        if language not in LANGUAGE_CODES:
            errors.append(f"unknown language “{value['language']}” (use {', '.join(LANGUAGE_CODES)})")
        start = None
        if value["start_date"]:
            try:
                start = date.fromisoformat(value["start_date"])
            except ValueError:
                errors.append(f"start_date “{value['start_date']}” is not a date like 2026-01-31")
        roles = _parse_roles(value["roles"], errors)
        if email in seen:
            errors.append(f"duplicate row: {email} is also on line {seen[email]}")
        elif email:
            seen[email] = index
        rows.append(ImportRow(index, email, value["name"], value["department"], value["manager_email"].lower(),
                              language, start, roles, errors))
    if not rows and not file_errors:
        file_errors.append("the file has no rows")

    existing = {u.email.lower(): u for u in db.session.scalars(select(User))}
    known_departments = {d.name.lower(): d.name for d in departments()}
    new_departments = sorted({r.department for r in rows if r.department and r.department.lower()
                              not in known_departments}, key=str.lower)
    for row in rows:
        if row.manager_email:
            if row.manager_email == row.email:
                row.errors.append("a person cannot be their own manager")
            elif row.manager_email not in seen and row.manager_email not in existing:
                row.errors.append(f"unknown manager “{row.manager_email}”")
        user = existing.get(row.email)
        if user is None:
            row.action = "create"
        else:
            row.changes = _changes(user, row)
            row.action = "update" if row.changes else "unchanged"
    return ImportPlan(rows, file_errors, new_departments)


def _changes(user: User, row: ImportRow) -> list[str]:
    changes = []
    if user.name != row.name:
        changes.append("name")
    if (user.department.name if user.department else "").lower() != row.department.lower():
        changes.append("department")
    if (user.manager.email if user.manager else "") != row.manager_email:
        changes.append("manager")
    if user.language != row.language:
        changes.append("language")
    if user.start_date != row.start_date:
        changes.append("start_date")
    if any(getattr(user, flag) != value for flag, value in row.roles.items()):
        changes.append("roles")
    return changes


def store_import(filename: str, text: str, actor: User) -> PeopleImport:
    upload = PeopleImport(filename=filename[:255], content=text, uploaded_by_id=actor.id)
    db.session.add(upload)
    db.session.commit()
    return upload


def apply_import(upload: PeopleImport, actor: User, invite_new: bool = False) -> ImportPlan:
    """Apply a checked import in one transaction; a plan with errors applies nothing.

    Applying the same upload twice does nothing the second time; re-importing the
    same file updates nobody, because rows are matched by email.
    """
    plan = plan_import(upload.content)
    if not plan.ok or upload.applied_at is not None:
        return plan
    by_email = {u.email.lower(): u for u in db.session.scalars(select(User))}
    created = []
    for row in plan.rows:
        user = by_email.get(row.email)
        if user is None:
            user = User(email=row.email, name=row.name)
            db.session.add(user)
            by_email[row.email] = user
            created.append(user)
        elif row.action == "unchanged":
            continue
        user.name = row.name
        user.department = get_or_create_department(row.department) if row.department else None
        user.language = row.language
        user.start_date = row.start_date
        for flag, value in row.roles.items():
            setattr(user, flag, value)
    db.session.flush()
    for row in plan.rows:
        if row.action == "unchanged":
            continue
        user = by_email[row.email]
        user.manager_id = by_email[row.manager_email].id if row.manager_email else None
    upload.applied_at = utcnow()
    summary = {"created": plan.count("create"), "updated": plan.count("update"),
               "unchanged": plan.count("unchanged"), "new_departments": plan.new_departments}
    upload.summary = str(summary)
    record("people.imported", actor=actor, target_type="people_import", target_id=upload.id,
           target_label=upload.filename, details=summary)
    if invite_new:
        from app.auth.services import send_invitation

        for user in created:
            send_invitation(user, actor)
    db.session.commit()
    return plan
