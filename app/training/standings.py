"""Compliance standings: a row per active person (policy acknowledged or not) and a row per
person and assigned module (the dates that decide valid, expired and overdue), so the
compliance page reads indexed rows instead of recomputing the whole company per request.

They are kept current in the transaction that changes them: the ORM changes that matter
(people, departments, modules, attempts, completions, policy versions) are noted after each
flush and applied, as set-based SQL, just before the commit; code that writes with plain SQL
(acknowledgements) calls `people_changed`. Nothing here depends on the date, so no job has
to run as days pass. `rebuild` builds everything from scratch (first install, bulk loads).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import (
    Date,
    Integer,
    and_,
    case,
    cast,
    delete,
    event,
    exists,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.attributes import get_history

from app.people.models import Department, User
from app.policy.models import MATERIAL, Acknowledgement, PolicyVersion
from app.training.models import (
    Completion,
    CompliancePerson,
    ComplianceSnapshot,
    QuizAttempt,
    TrainingModule,
    TrainingStanding,
)

PERSON_FIELDS = ("department_id", "manager_id", "start_date", "active", "is_social", "is_admin",
                 "is_decision_maker", "name")
MODULE_FIELDS = ("audience", "due_days", "due_date", "assigned_on", "active")
CHUNK = 2000                 # people refreshed per statement
REBUILD_ABOVE = 20000        # more changed people than this: rebuild everything instead
_KEY = "training_standings"


# ---------------------------------------------------------------- building rows

def counting_versions(connection: Connection) -> list[list[int]]:
    """Per policy, the ids of the versions whose acknowledgement counts: those published at or
    after the first publication of the latest material revision's label (the rule of
    `app.policy.services`; tests compare the two)."""
    rows = connection.execute(select(PolicyVersion.id, PolicyVersion.policy_id, PolicyVersion.version_label,
                                     PolicyVersion.change)
                              .order_by(PolicyVersion.policy_id, PolicyVersion.published_at, PolicyVersion.id)).all()
    by_policy: dict[int, list] = defaultdict(list)
    for row in rows:
        by_policy[row.policy_id].append(row)
    result = []
    for versions in by_policy.values():
        label = ([v for v in versions if v.change == MATERIAL] or versions[:1])[-1].version_label
        first = next(i for i, v in enumerate(versions) if v.version_label == label)
        result.append([v.id for v in versions[first:]])
    return result


def _policy_ok(counting: list[list[int]]):
    if not counting:
        return true()
    return and_(*[exists().where(Acknowledgement.user_id == User.id, Acknowledgement.policy_version_id.in_(ids))
                  for ids in counting])


def _audience(module, departments: dict[str, list[int]]):
    """SQL over `User` saying whether a person belongs to the module's audience
    (the rule of `services.audience_matches`)."""
    audience = module.audience or {}
    if not audience or audience.get("everyone"):
        return true()
    roles = set(audience.get("roles") or ())
    if "employee" in roles:
        return true()
    parts = []
    ids = [i for name in audience.get("departments") or () for i in departments.get(name.casefold(), ())]
    if ids:
        parts.append(User.department_id.in_(ids))
    flags = {"social": User.is_social, "admin": User.is_admin, "decision_maker": User.is_decision_maker}
    parts.extend(flags[role].is_(True) for role in sorted(roles) if role in flags)
    if "manager" in roles:
        report = aliased(User)
        parts.append(exists().where(report.manager_id == User.id, report.active.is_(True)))
    return or_(*parts) if parts else false()


def _date_of(connection: Connection, moment):
    if connection.dialect.name == "postgresql":
        return cast(func.timezone("UTC", moment), Date)
    return func.date(moment)


def _first_due(connection: Connection, module):
    """SQL for `services.due_date(module, User.start_date)`."""
    if module.due_date is not None:
        return literal(module.due_date, Date)
    assigned = literal(module.assigned_on, Date)
    start = func.coalesce(User.start_date, assigned)
    days = int(module.due_days or 0)
    if connection.dialect.name == "postgresql":
        return func.greatest(start, assigned) + literal_column(str(days), Integer)
    return func.date(func.max(start, assigned), f"+{days} days")


def _department_keys(connection: Connection) -> dict[str, list[int]]:
    keys: dict[str, list[int]] = defaultdict(list)
    for department_id, name in connection.execute(select(Department.id, Department.name)):
        keys[name.casefold()].append(department_id)
    return keys


def _modules(connection: Connection, module_ids: Iterable[int] | None = None):
    query = select(TrainingModule.id, TrainingModule.audience, TrainingModule.due_date, TrainingModule.due_days,
                   TrainingModule.assigned_on).where(TrainingModule.active.is_(True)).order_by(TrainingModule.id)
    if module_ids is not None:
        query = query.where(TrainingModule.id.in_(list(module_ids)))
    return connection.execute(query).all()


def _insert_people(connection: Connection, counting, user_ids: list[int] | None) -> None:
    query = select(User.id, User.department_id, User.manager_id, func.lower(User.name), _policy_ok(counting)) \
        .where(User.active.is_(True))
    if user_ids is not None:
        query = query.where(User.id.in_(user_ids))
    connection.execute(CompliancePerson.__table__.insert().from_select(
        ["user_id", "department_id", "manager_id", "name_key", "policy_ok"], query))


def _insert_standings(connection: Connection, module, departments, user_ids: list[int] | None) -> None:
    done = select(Completion.user_id, func.max(Completion.expires_at).label("latest"),
                  func.max(case((Completion.expires_at.is_(None), 1), else_=0)).label("never")) \
        .where(Completion.module_id == module.id)
    if user_ids is not None:
        done = done.where(Completion.user_id.in_(user_ids))
    done = done.group_by(Completion.user_id).subquery()
    never = func.coalesce(done.c.never, 0) == 1
    due_on = case((never, None), (done.c.latest.is_not(None), _date_of(connection, done.c.latest)),
                  else_=_first_due(connection, module))
    attempted = exists().where(QuizAttempt.user_id == User.id, QuizAttempt.module_id == module.id)
    query = select(User.id, literal(module.id, Integer), User.department_id, User.manager_id, func.lower(User.name),
                   due_on, done.c.latest, never, attempted) \
        .select_from(User).outerjoin(done, done.c.user_id == User.id) \
        .where(User.active.is_(True), _audience(module, departments))
    if user_ids is not None:
        query = query.where(User.id.in_(user_ids))
    connection.execute(TrainingStanding.__table__.insert().from_select(
        ["user_id", "module_id", "department_id", "manager_id", "name_key", "due_on", "expires_at", "never_expires",
         "attempted"], query))


def rebuild(connection: Connection, echo: Callable[[str], None] | None = None) -> dict[str, int]:
    """Build every standing from scratch with set-based SQL (idempotent); returns row counts."""
    echo = echo or (lambda _text: None)
    connection.execute(delete(TrainingStanding))
    connection.execute(delete(CompliancePerson))
    connection.execute(delete(ComplianceSnapshot))
    _insert_people(connection, counting_versions(connection), None)
    people = connection.scalar(select(func.count()).select_from(CompliancePerson))
    echo(f"standings: {people} people")
    departments = _department_keys(connection)
    for module in _modules(connection):
        _insert_standings(connection, module, departments, None)
        rows = connection.scalar(select(func.count()).where(TrainingStanding.module_id == module.id))
        echo(f"standings: module {module.id}: {rows} people assigned")
    return {"people": people, "standings": connection.scalar(select(func.count()).select_from(TrainingStanding))}


def refresh_people(connection: Connection, user_ids: Iterable[int]) -> None:
    """Rebuild the rows of these people (whoever is no longer active loses them)."""
    ids = sorted(set(user_ids))
    if len(ids) > REBUILD_ABOVE:
        rebuild(connection)
        return
    counting = counting_versions(connection)
    departments = _department_keys(connection)
    modules = _modules(connection)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        connection.execute(delete(TrainingStanding).where(TrainingStanding.user_id.in_(chunk)))
        connection.execute(delete(CompliancePerson).where(CompliancePerson.user_id.in_(chunk)))
        _insert_people(connection, counting, chunk)
        for module in modules:
            _insert_standings(connection, module, departments, chunk)


def refresh_modules(connection: Connection, module_ids: Iterable[int]) -> None:
    """Rebuild who is assigned these modules and by when (an inactive module has no rows)."""
    ids = sorted(set(module_ids))
    connection.execute(delete(TrainingStanding).where(TrainingStanding.module_id.in_(ids)))
    departments = _department_keys(connection)
    for module in _modules(connection, ids):
        _insert_standings(connection, module, departments, None)


def refresh_policy(connection: Connection) -> None:
    """Recompute everyone's acknowledgement after a policy version is published."""
    connection.execute(update(CompliancePerson).values(policy_ok=select(_policy_ok(counting_versions(connection)))
                                                       .where(User.id == CompliancePerson.user_id)
                                                       .scalar_subquery()))


# ---------------------------------------------------------------- keeping them current

@dataclass
class Pending:
    people: set[int] = field(default_factory=set)
    departments: set[int] = field(default_factory=set)
    modules: set[int] = field(default_factory=set)
    policy: bool = False

    def __bool__(self) -> bool:
        return bool(self.people or self.departments or self.modules or self.policy)


def pending(session: Session) -> Pending:
    return session.info.setdefault(_KEY, Pending())


def people_changed(session: Session, user_ids: Iterable[int]) -> None:
    """Refresh these people's standings before `session` commits (for writes made with plain SQL)."""
    pending(session).people.update(user_ids)


def _changed(obj, names) -> bool:
    return any(get_history(obj, name).has_changes() for name in names)


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _context) -> None:
    work = None
    for obj in list(session.new) + list(session.dirty):
        new = obj in session.new
        if isinstance(obj, User) and (new or _changed(obj, PERSON_FIELDS)):
            work = work or pending(session)
            work.people.add(obj.id)
            history = get_history(obj, "manager_id")
            work.people.update(i for i in (*history.deleted, *history.added, obj.manager_id) if i)
        elif isinstance(obj, Department) and not new and _changed(obj, ("name",)):
            (work := work or pending(session)).departments.add(obj.id)
        elif isinstance(obj, TrainingModule) and (new or _changed(obj, MODULE_FIELDS)):
            (work := work or pending(session)).modules.add(obj.id)
        elif isinstance(obj, Completion | QuizAttempt) and new:
            (work := work or pending(session)).people.add(obj.user_id)
        elif isinstance(obj, PolicyVersion) and new:
            (work := work or pending(session)).policy = True


@event.listens_for(Session, "before_commit")
def _apply_changes(session: Session) -> None:
    if session.new or session.dirty:
        session.flush()                  # the commit's own flush comes after this hook
    work = session.info.pop(_KEY, None)
    if not work:
        return
    connection = session.connection()
    if work.policy:
        refresh_policy(connection)
    if work.modules:
        refresh_modules(connection, work.modules)
    people = set(work.people)
    if work.departments:
        people.update(connection.scalars(select(User.id).where(User.department_id.in_(work.departments))))
    if people:
        refresh_people(connection, people)


@event.listens_for(Session, "after_rollback")
def _forget_changes(session: Session) -> None:
    session.info.pop(_KEY, None)
