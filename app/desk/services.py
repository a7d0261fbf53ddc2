"""The report channel and the desk: filing, answering, routing, response targets, metrics.

The only code in the feature that commits. Anonymous reports store no user id and
no address; the receipt code exists only in the reporter's hands and as an HMAC here.
Internal notes are read by `internal_notes()` alone, which no reporter-facing view
and no email template calls.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, bindparam, case, func, literal, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from app.access import Role
from app.audit.services import record
from app.db import utcnow
from app.desk import clock
from app.desk.models import (
    ACKNOWLEDGED,
    CATEGORIES,
    CLOSED_STATUSES,
    DISMISSED,
    ESCALATED,
    IN_PROGRESS,
    NEW,
    OPEN_STATUSES,
    RESOLVED,
    STATUSES,
    URGENCIES,
    WAITING,
    CannedReply,
    CategoryRoute,
    Escalation,
    InternalNote,
    Report,
    ReportLink,
    ReportMessage,
    ReportPause,
    ReportScreenshot,
)
from app.extensions import db
from app.org.services import SettingSpec, get_setting, register_setting
from app.outbox.services import queue_email, queue_webhook
from app.people.models import User
from app.urls import absolute_url

log = logging.getLogger("touchpoint.desk")

UPLOAD_KIND = "desk"
MAX_SCREENSHOTS = 3
MAX_LINKS = 10
NEVER_ANSWERED_DAYS = 7
FIRST_RESPONSE = "first_response"
RESOLUTION = "resolution"

CATEGORY_LABELS = {
    "complaint": _l("A customer's complaint or question left unanswered"),
    "negative": _l("A negative post or misinformation"),
    "impersonation": _l("A fake account or impersonation"),
    "policy_breach": _l("A colleague's post that may breach the policy"),
    "crisis": _l("A possible crisis"),
    "confidential": _l("Confidential information exposed"),
    "positive": _l("A positive mention worth amplifying"),
    "other": _l("Other"),
}
CATEGORY_SHORT = {
    "complaint": _l("Complaint"), "negative": _l("Negative / misinformation"), "impersonation": _l("Impersonation"),
    "policy_breach": _l("Policy breach"), "crisis": _l("Possible crisis"), "confidential": _l("Confidential leak"),
    "positive": _l("Positive mention"), "other": _l("Other"),
}
PLATFORM_LABELS = {
    "linkedin": "LinkedIn", "x": "X", "facebook": "Facebook", "instagram": "Instagram", "tiktok": "TikTok",
    "youtube": "YouTube", "review_site": _l("Review site"), "news": _l("News"), "forum": _l("Forum"),
    "other": _l("Other"),
}
URGENCY_LABELS = {"critical": _l("Critical"), "high": _l("High"), "normal": _l("Normal"), "low": _l("Low")}
STATUS_LABELS = {
    NEW: _l("New"), ACKNOWLEDGED: _l("Acknowledged"), IN_PROGRESS: _l("In progress"),
    WAITING: _l("Waiting on reporter"), ESCALATED: _l("Escalated"), RESOLVED: _l("Resolved"),
    DISMISSED: _l("Dismissed"),
}
DEFAULT_ROUTES = {
    "complaint": "Customer Service", "negative": "PR & Communications", "impersonation": "PR & Communications",
    "policy_breach": "HR", "crisis": "PR & Communications", "confidential": "PR & Communications",
    "positive": "Product Marketing", "other": None,
}
DEFAULT_TARGETS = {  # urgency: (first response, resolution) in minutes on the report's clock
    "critical": (15, 240), "high": (60, 480), "normal": (240, 1440), "low": (480, 2400),
}
TRACKING_PARAMS = {"fbclid", "gclid", "dclid", "msclkid", "igshid", "mc_cid", "mc_eid", "_hsenc", "_hsmi",
                   "ref_src", "ref_url", "trk", "trackingid", "si"}

_SECTION = _l("Report desk")
for _urgency, (_first, _resolution) in DEFAULT_TARGETS.items():
    register_setting(SettingSpec(
        f"desk.first_response.{_urgency}", _l("First response target, %(urgency)s (minutes)",
                                              urgency=URGENCY_LABELS[_urgency]),
        "int", _first, _SECTION, roles=(Role.SOCIAL, Role.ADMIN),
        help=_l("Critical reports run around the clock; the others count business hours only.")))
    register_setting(SettingSpec(
        f"desk.resolution.{_urgency}", _l("Resolution target, %(urgency)s (minutes)", urgency=URGENCY_LABELS[_urgency]),
        "int", _resolution, _SECTION, roles=(Role.SOCIAL, Role.ADMIN)))
register_setting(SettingSpec("desk.hours_start", _l("Business hours start"), "str", "09:00", _SECTION,
                             roles=(Role.SOCIAL, Role.ADMIN), help=_l("24-hour time such as 09:00, in the "
                                                                       "organisation's time zone."), max_length=5))
register_setting(SettingSpec("desk.hours_end", _l("Business hours end"), "str", "17:00", _SECTION,
                             roles=(Role.SOCIAL, Role.ADMIN), help=_l("24-hour time such as 17:00."), max_length=5))
register_setting(SettingSpec("desk.business_days", _l("Business days"), "str", "mon,tue,wed,thu,fri", _SECTION,
                             roles=(Role.SOCIAL, Role.ADMIN), help=_l("Comma-separated: mon,tue,wed,thu,fri."),
                             max_length=40))
register_setting(SettingSpec("desk.webhook_url", _l("Webhook URL for critical reports"), "str", "", _SECTION,
                             roles=(Role.SOCIAL, Role.ADMIN),
                             help=_l("A Slack or Teams incoming webhook (https://...). Leave empty for none."),
                             max_length=1000))
register_setting(SettingSpec("desk.webhook_secret", _l("Webhook signing secret"), "secret", "", _SECTION,
                             roles=(Role.SOCIAL, Role.ADMIN),
                             help=_l("Signs the body with HMAC-SHA256 in the X-Touchpoint-Signature header.")))
register_setting(SettingSpec("desk.retention_days", _l("Keep screenshots and receipts of closed reports (days)"),
                             "int", 90, _SECTION, roles=(Role.SOCIAL, Role.ADMIN),
                             help=_l("`flask desk purge` deletes them after this many days.")))


class DeskError(ValueError):
    """A desk action the rules refuse; str(error) is a message key for the view."""


# ---------------------------------------------------------------- secrets and links

def _hmac(purpose: str, value: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def new_form_token() -> str:
    """A random one-time token for the report form (a UUID drawn from `secrets`)."""
    return str(uuid.UUID(bytes=secrets.token_bytes(16), version=4))


def submission_key(form_token: str) -> str:
    return hashlib.sha256(form_token.encode()).hexdigest()


def receipt_for(form_token: str) -> str:
    """The 20-digit receipt code of the anonymous report filed with `form_token`.

    Derived from the secret one-time token (random, from `secrets`) that only the
    reporter's browser holds, so a retried submission can show the same code again;
    only an HMAC of the code is stored.
    """
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), f"receipt:{form_token}".encode(),
                      hashlib.sha256).digest()
    return str(int.from_bytes(digest, "big") % 10**20).zfill(20)


def receipt_hash(code: str) -> str:
    return _hmac("receipt-lookup", normalise_receipt(code))


def normalise_receipt(text: str) -> str:
    return "".join(ch for ch in str(text or "") if ch.isdigit())[:40]


def format_receipt(code: str) -> str:
    return " ".join(code[i:i + 4] for i in range(0, len(code), 4))


def is_web_link(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and " " not in url.strip()


def normalise_link(url: str) -> str:
    """One spelling per page: lower-case scheme and host, no www., no tracking parameters, no trailing slash."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower().rstrip(".")
    host = host.removeprefix("www.")
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/")
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                   if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS)
    text = f"{scheme}://{host}{path}"
    return text + ("?" + urlencode(query) if query else "")


def link_key(url: str) -> str:
    return hashlib.sha256(normalise_link(url).encode()).hexdigest()


def parse_links(text: str) -> list[str]:
    """Links from a box with one per line (or separated by spaces); duplicates removed, order kept."""
    seen, links = set(), []
    for raw in (text or "").split():
        raw = raw.strip()
        if raw and raw not in seen:
            seen.add(raw)
            links.append(raw)
    return links


# ---------------------------------------------------------------- people

def social_team() -> list[User]:
    return list(db.session.scalars(select(User).where(User.is_social.is_(True), User.active.is_(True))
                                   .order_by(User.name)))


def decision_makers() -> list[User]:
    return list(db.session.scalars(select(User).where(User.is_decision_maker.is_(True), User.active.is_(True))
                                   .order_by(User.name)))


def is_team(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.active and user.is_social)


# ---------------------------------------------------------------- routing

def routes() -> dict[str, int | None]:
    """Category -> owning department id, stored rows first, then the defaults by department name."""
    stored = {row.category: row.department_id for row in db.session.scalars(select(CategoryRoute))}
    from app.people.services import departments

    names = {d.name.lower(): d.id for d in departments()}
    result = {}
    for category in CATEGORIES:
        if category in stored:
            result[category] = stored[category]
        else:
            default = DEFAULT_ROUTES.get(category)
            result[category] = names.get(default.lower()) if default else None
    return result


def save_routes(mapping: dict[str, int | None], actor: User) -> None:
    existing = {row.category: row for row in db.session.scalars(select(CategoryRoute))}
    for category, department_id in mapping.items():
        if category not in CATEGORIES:
            continue
        row = existing.get(category) or CategoryRoute(category=category)
        row.department_id = department_id or None
        db.session.add(row)
    record("desk.routing_changed", actor=actor, target_type="desk_routing",
           details={k: v for k, v in mapping.items() if k in CATEGORIES})
    db.session.commit()


# ---------------------------------------------------------------- response targets

def business_schedule() -> clock.Schedule:
    from app.templating import org_timezone

    return clock.Schedule(
        tz=org_timezone(),
        start=clock.parse_time(get_setting("desk.hours_start"), clock.time(9, 0)),
        end=clock.parse_time(get_setting("desk.hours_end"), clock.time(17, 0)),
        days=clock.parse_days(get_setting("desk.business_days")) or frozenset(range(5)),
    )


def schedule_problems() -> list[str]:
    """Desk settings the clock cannot understand (it falls back to 09:00-17:00, Monday to Friday)."""
    from flask_babel import gettext

    problems = []
    sentinel = clock.time(0, 1)
    for key in ("desk.hours_start", "desk.hours_end"):
        if clock.parse_time(get_setting(key), sentinel) == sentinel and get_setting(key).strip() != "00:01":
            problems.append(gettext("“%(value)s” is not a time like 09:00; the desk uses the default.",
                                    value=get_setting(key)))
    if not clock.parse_days(get_setting("desk.business_days")):
        problems.append(gettext("No business days are set; the desk uses Monday to Friday."))
    schedule = business_schedule()
    if schedule.start >= schedule.end:
        problems.append(gettext("Business hours end before they start; non-critical clocks count every minute."))
    return problems


def schedule_for(urgency: str) -> clock.Schedule:
    return clock.AROUND_THE_CLOCK if urgency == "critical" else business_schedule()


def target_minutes(urgency: str, phase: str) -> int:
    key = "first_response" if phase == FIRST_RESPONSE else "resolution"
    value = get_setting(f"desk.{key}.{urgency}")
    return value if isinstance(value, int) and value > 0 else DEFAULT_TARGETS[urgency][0 if key == FIRST_RESPONSE
                                                                                      else 1]


@dataclass
class Sla:
    phase: str | None                 # FIRST_RESPONSE, RESOLUTION or None when closed
    target: int = 0
    elapsed: float = 0.0
    paused: bool = False
    due_at: datetime | None = None

    @property
    def remaining(self) -> float:
        return self.target - self.elapsed

    @property
    def overdue(self) -> bool:
        return self.phase is not None and self.remaining < 0

    @property
    def used(self) -> float:
        return self.elapsed / self.target if self.target else 0.0

    @property
    def percent_used(self) -> int:
        return min(100, int(self.used * 100))

    @property
    def sort_key(self) -> tuple:
        if self.phase is None:
            return (3, 0.0)
        if self.paused:
            return (2, -self.used)
        if self.overdue:
            return (0, self.remaining)
        return (1, self.due_at.timestamp() if self.due_at else 0.0)


def _pauses(report: Report) -> list[tuple[datetime, datetime | None]]:
    return [(p.started_at, p.ended_at) for p in report.pauses]


def sla(report: Report, now: datetime | None = None, schedules: dict | None = None) -> Sla:
    """Where the report stands against its current target (pauses excluded)."""
    now = now or utcnow()
    if report.status in CLOSED_STATUSES:
        return Sla(phase=None)
    phase = FIRST_RESPONSE if report.first_response_at is None else RESOLUTION
    schedule = (schedules or {}).get(report.urgency) or schedule_for(report.urgency)
    paused = report.status == WAITING
    elapsed = clock.elapsed_minutes(report.created_at, now, _pauses(report), schedule)
    state = Sla(phase=phase, target=target_minutes(report.urgency, phase), elapsed=elapsed, paused=paused)
    if not paused and state.remaining > 0:
        state.due_at = clock.add_working_minutes(now, state.remaining, schedule)
    return state


def format_minutes(minutes: float) -> str:
    """A duration for people: '12 min', '3 h 5 min', '2 d 4 h' (always positive)."""
    from flask_babel import gettext

    minutes = int(math.ceil(abs(minutes)))
    if minutes < 60:
        return gettext("%(m)d min", m=minutes)
    hours, mins = divmod(minutes, 60)
    if hours < 24:
        return gettext("%(h)d h %(m)d min", h=hours, m=mins) if mins else gettext("%(h)d h", h=hours)
    days, hours = divmod(hours, 24)
    return gettext("%(d)d d %(h)d h", d=days, h=hours) if hours else gettext("%(d)d d", d=days)


# ---------------------------------------------------------------- stored deadlines

RUNNING_STATUSES = tuple(s for s in OPEN_STATUSES if s != WAITING)
BASIS_VERSION = "1"


@dataclass(frozen=True)
class Clocks:
    """The desk's clocks at one moment: each urgency's schedule, and where `now` stands on each kind of clock."""

    now: datetime
    schedules: dict
    basis: str
    business_now: float
    always_now: float


def clocks(now: datetime | None = None) -> Clocks:
    """The clocks now; `basis` fingerprints the hours, days, time zone and targets the deadlines depend on."""
    now = now or utcnow()
    schedules = {u: schedule_for(u) for u in URGENCIES}
    business = schedules["normal"]
    parts = [BASIS_VERSION, str(business.tz), business.start.isoformat(), business.end.isoformat(),
             ",".join(str(d) for d in sorted(business.days))]
    parts += [f"{u}:{target_minutes(u, FIRST_RESPONSE)}:{target_minutes(u, RESOLUTION)}" for u in URGENCIES]
    basis = hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
    return Clocks(now, schedules, basis, clock.position(now, business), clock.position(now, clock.AROUND_THE_CLOCK))


def _deadline(created_at: datetime, urgency: str, status: str, first_response_at: datetime | None,
              pauses: list[tuple[datetime, datetime | None]], now: datetime, clocks_now: Clocks) -> dict:
    """The stored facts that place a report in the queue (see Report.sla_due_clock)."""
    facts = {"sla_due_clock": None, "sla_due_at": None, "sla_paused_used": None, "sla_basis": clocks_now.basis}
    if status in CLOSED_STATUSES:
        return facts
    schedule = clocks_now.schedules.get(urgency) or schedule_for(urgency)
    target = target_minutes(urgency, FIRST_RESPONSE if first_response_at is None else RESOLUTION)
    if status == WAITING:
        facts["sla_paused_used"] = clock.elapsed_minutes(created_at, now, pauses, schedule) / target
        return facts
    paused = sum(clock.working_minutes(max(start, created_at), min(end or now, now), schedule) for start, end in pauses)
    due = clock.position(created_at, schedule) + paused + target
    facts["sla_due_clock"] = due
    facts["sla_due_at"] = clock.moment_at(due, schedule)
    return facts


def refresh_deadline(report: Report, now: datetime | None = None) -> None:
    """Recompute the report's stored place against its target (after any change of status, urgency or phase)."""
    now = now or utcnow()
    facts = _deadline(report.created_at, report.urgency, report.status, report.first_response_at,
                      _pauses(report), now, clocks(now))
    for key, value in facts.items():
        setattr(report, key, value)


def refresh_deadlines(stale_only: bool = True, now: datetime | None = None) -> int:
    """Recompute the stored deadlines of open reports in bulk; commits. Returns how many changed.

    With `stale_only`, only reports computed under other business hours or targets (or never, as after a
    bulk load) are touched, so calling this before every queue read costs one small query. A report
    changed meanwhile (its `updated_at` moved) is left to the change that moved it.
    """
    now = now or utcnow()
    current = clocks(now)
    condition = [Report.status.in_(OPEN_STATUSES)]
    if stale_only:
        condition.append(or_(Report.sla_basis.is_(None), Report.sla_basis != current.basis))
    rows = db.session.execute(select(Report.id, Report.created_at, Report.urgency, Report.status,
                                     Report.first_response_at, Report.updated_at).where(*condition)).all()
    if not rows:
        return 0
    pauses: dict[int, list] = {}
    for report_id, started, ended in db.session.execute(
            select(ReportPause.report_id, ReportPause.started_at, ReportPause.ended_at)
            .join(Report, Report.id == ReportPause.report_id).where(*condition).order_by(ReportPause.id)):
        pauses.setdefault(report_id, []).append((started, ended))
    table = Report.__table__
    statement = (update(table).where(table.c.id == bindparam("b_id"), table.c.updated_at == bindparam("b_updated"))
                 .values(updated_at=bindparam("b_updated"),
                         **{key: bindparam(f"b_{key}") for key in ("sla_due_clock", "sla_due_at", "sla_paused_used",
                                                                   "sla_basis")}))
    values = [{"b_id": row.id, "b_updated": row.updated_at,
               **{f"b_{key}": value for key, value in _deadline(
                   row.created_at, row.urgency, row.status, row.first_response_at, pauses.get(row.id, []), now,
                   current).items()}} for row in rows]
    db.session.execute(statement, values)
    db.session.commit()
    return len(values)


def rebuild_deadlines() -> None:
    """Recompute every open report's stored deadline (after a bulk load; idempotent)."""
    count = refresh_deadlines(stale_only=False)
    log.info("desk: recomputed the deadlines of %d open reports", count)


def _clock_now(current: Clocks):
    """Where `now` stands on each report's own clock, as an SQL expression."""
    return case((Report.urgency == "critical", literal(current.always_now)), else_=literal(current.business_now))


def overdue_condition(current: Clocks):
    """Open reports past their current target (paused ones included), in SQL."""
    return or_(and_(Report.status.in_(RUNNING_STATUSES), Report.sla_due_clock < _clock_now(current)),
               and_(Report.status == WAITING, Report.sla_paused_used > 1))


def _queue_order(current: Clocks) -> list:
    """Overdue first (latest first, in minutes on each report's clock), then by due time, then paused ones
    (most of their target used first), then closed ones (newest first); ties by report number."""
    now_on_clock = _clock_now(current)
    group = case((Report.status.in_(CLOSED_STATUSES), 3), (Report.status == WAITING, 2),
                 (Report.sla_due_clock < now_on_clock, 0), else_=1)
    return [group,
            case((group == 0, Report.sla_due_clock - now_on_clock)),
            case((group == 1, Report.sla_due_at)),
            case((group == 2, -Report.sla_paused_used)),
            case((group == 3, -Report.id), else_=Report.id)]


# ---------------------------------------------------------------- filing a report

@dataclass
class Submission:
    report: Report
    receipt: str | None
    created: bool
    duplicates: list[int] = field(default_factory=list)


def _existing_submission(key: str) -> Report | None:
    return db.session.scalar(select(Report).where(Report.submission_key == key))


def submit_report(user: User, data: dict, images: list[bytes], form_token: str) -> Submission:
    """File a report once per form token (a retry returns the first one); commits.

    `data` holds category, platform, links (list), description, urgency, anonymous.
    Anonymous reports keep no user id; their receipt code is returned, never stored.
    Raises app.uploads.UploadError for a refused screenshot.
    """
    from app.uploads import delete_stored, store_image

    key = submission_key(form_token)
    anonymous = bool(data.get("anonymous"))
    existing = _existing_submission(key)
    if existing is not None:
        return Submission(existing, receipt_for(form_token) if existing.anonymous else None, False)
    stored = []
    try:
        for raw in images[:MAX_SCREENSHOTS]:
            stored.append(store_image(raw, UPLOAD_KIND))
    except Exception:
        for image in stored:
            delete_stored(UPLOAD_KIND, image.name)
            delete_stored(UPLOAD_KIND, image.thumbnail)
        raise
    now = utcnow()
    receipt = receipt_for(form_token) if anonymous else None
    report = Report(
        submission_key=key, category=data["category"], platform=data["platform"],
        description=data["description"].strip(), urgency=data["urgency"], anonymous=anonymous,
        reporter_id=None if anonymous else user.id, receipt_hash=receipt_hash(receipt) if receipt else None,
        status=NEW, department_id=routes().get(data["category"]), created_at=now, updated_at=now,
    )
    links = data.get("links") or []
    report.links = [ReportLink(url=url, link_key=link_key(url)) for url in links[:MAX_LINKS]]
    report.screenshots = [ReportScreenshot(name=i.name, thumbnail=i.thumbnail, width=i.width, height=i.height,
                                           size=i.size) for i in stored]
    report.pauses = []
    duplicates = open_reports_with_links([link_key(u) for u in links])
    if duplicates:
        report.duplicate_of_id = min(r.duplicate_of_id or r.id for r in duplicates)
    refresh_deadline(report, now)
    db.session.add(report)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        for image in stored:
            delete_stored(UPLOAD_KIND, image.name)
            delete_stored(UPLOAD_KIND, image.thumbnail)
        existing = _existing_submission(key)
        if existing is None:
            raise
        return Submission(existing, receipt_for(form_token) if existing.anonymous else None, False)
    if anonymous:
        record("desk.report_filed", actor_label="anonymous", target_type="desk_report", target_id=report.id,
               target_label=f"#{report.id}", details={"category": report.category, "urgency": report.urgency})
    else:
        record("desk.report_filed", actor=user, target_type="desk_report", target_id=report.id,
               target_label=f"#{report.id}", details={"category": report.category, "urgency": report.urgency})
    if report.urgency == "critical":
        notify_critical(report)
    db.session.commit()
    return Submission(report, receipt, True, sorted({r.id for r in duplicates}))


def open_reports_with_links(keys: list[str], exclude_id: int | None = None) -> list[Report]:
    if not keys:
        return []
    query = (select(Report).join(ReportLink, ReportLink.report_id == Report.id)
             .where(ReportLink.link_key.in_(keys), Report.status.in_(OPEN_STATUSES)).distinct())
    if exclude_id:
        query = query.where(Report.id != exclude_id)
    return list(db.session.scalars(query))


def related_reports(report: Report) -> list[Report]:
    """Other reports about the same links, or in the same duplicate group, oldest first."""
    keys = [link.link_key for link in report.links]
    root = report.duplicate_of_id or report.id
    conditions = [Report.duplicate_of_id == root, Report.id == root]
    if keys:
        conditions.append(Report.id.in_(select(ReportLink.report_id).where(ReportLink.link_key.in_(keys))))
    return list(db.session.scalars(select(Report).where(or_(*conditions), Report.id != report.id)
                                   .order_by(Report.created_at)))


def notify_critical(report: Report) -> None:
    """Email the social team and call the webhook about a new critical report (in the caller's transaction)."""
    link = absolute_url("desk.show", report_id=report.id)
    context = {"report": report, "link": link, "category": CATEGORY_SHORT[report.category],
               "platform": PLATFORM_LABELS[report.platform]}
    for member in social_team():
        with force_locale(member.language or "en"):
            queue_email(member.email, "desk_critical", context, dedupe_key=f"desk-critical:{report.id}:{member.id}")
    url = (get_setting("desk.webhook_url") or "").strip()
    if url.startswith(("https://", "http://")):
        text = (f"Critical report #{report.id} on Touchpoint: {CATEGORY_SHORT[report.category]} "
                f"({PLATFORM_LABELS[report.platform]}). Open the desk: {link}")
        payload = {"text": text, "report_id": report.id, "category": report.category, "urgency": report.urgency,
                   "platform": report.platform, "url": link}
        queue_webhook(url, payload, get_setting("desk.webhook_secret") or "", dedupe_key=f"desk-webhook:{report.id}")


# ---------------------------------------------------------------- reading

def _conversation_query(report_id: int):
    return select(ReportMessage).where(ReportMessage.report_id == report_id).order_by(ReportMessage.created_at,
                                                                                       ReportMessage.id)


def conversation(report: Report) -> list[ReportMessage]:
    """What the reporter sees: team replies and their own additions. Never an internal note."""
    return list(db.session.scalars(_conversation_query(report.id)))


def internal_notes(report: Report) -> list[InternalNote]:
    """Notes for the desk only (the desk page and an addressed decision maker's page)."""
    return list(db.session.scalars(select(InternalNote).where(InternalNote.report_id == report.id)
                                   .order_by(InternalNote.created_at, InternalNote.id)))


def load_report(report_id: int) -> Report | None:
    return db.session.scalar(
        select(Report).where(Report.id == report_id)
        .options(selectinload(Report.links), selectinload(Report.pauses), selectinload(Report.screenshots),
                 joinedload(Report.assignee), joinedload(Report.department), joinedload(Report.reporter))
    )


def report_for_reporter(report_id: int, user: User) -> Report | None:
    """The named report `user` filed, or None (someone else's and anonymous ones look the same: absent)."""
    report = load_report(report_id)
    if report is None or report.anonymous or report.reporter_id != user.id:
        return None
    return report


def report_by_receipt(code: str) -> Report | None:
    digits = normalise_receipt(code)
    report_id = db.session.scalar(select(Report.id).where(Report.receipt_hash == receipt_hash(digits)))
    return load_report(report_id) if report_id else None


def my_reports(user: User) -> list[Report]:
    return list(db.session.scalars(
        select(Report).where(Report.reporter_id == user.id, Report.anonymous.is_(False))
        .order_by(Report.created_at.desc()).options(selectinload(Report.links))
    ))


def reply_counts(report_ids: list[int]) -> dict[int, int]:
    if not report_ids:
        return {}
    rows = db.session.execute(select(ReportMessage.report_id, func.count()).where(
        ReportMessage.report_id.in_(report_ids), ReportMessage.from_team.is_(True)).group_by(ReportMessage.report_id))
    return dict(rows.all())


def may_view(user, report: Report) -> bool:
    """Whether a signed-in person may see this report's desk details or screenshots."""
    if is_team(user):
        return True
    if not report.anonymous and report.reporter_id == getattr(user, "id", None):
        return True
    if getattr(user, "is_decision_maker", False):
        return db.session.scalar(select(func.count()).select_from(Escalation).where(
            Escalation.report_id == report.id, Escalation.to_user_id == user.id)) > 0
    return False


def screenshot(shot_id: int) -> ReportScreenshot | None:
    return db.session.get(ReportScreenshot, shot_id)


def history(report: Report):
    from app.audit.services import events_for

    return events_for("desk_report", report.id)


# ---------------------------------------------------------------- the queue

@dataclass
class QueueFilters:
    status: str = "open"
    category: str = ""
    urgency: str = ""
    assignee: str = ""        # "", "me", "none" or a user id
    department: int | None = None
    overdue: bool = False


QUEUE_PAGE_SIZE = 50


@dataclass
class QueuePage:
    rows: list[tuple[Report, Sla]]
    page: object              # a Flask-SQLAlchemy Pagination (total, pages, iter_pages ...)
    counts: dict[str, int]


def _queue_conditions(filters: QueueFilters, viewer: User | None, current: Clocks) -> list:
    conditions = []
    if filters.status == "open":
        conditions.append(Report.status.in_(OPEN_STATUSES))
    elif filters.status in STATUSES:
        conditions.append(Report.status == filters.status)
    if filters.category in CATEGORIES:
        conditions.append(Report.category == filters.category)
    if filters.urgency in URGENCIES:
        conditions.append(Report.urgency == filters.urgency)
    if filters.assignee == "me" and viewer is not None:
        conditions.append(Report.assignee_id == viewer.id)
    elif filters.assignee == "none":
        conditions.append(Report.assignee_id.is_(None))
    elif filters.assignee.isdigit():
        conditions.append(Report.assignee_id == int(filters.assignee))
    if filters.department:
        conditions.append(Report.department_id == filters.department)
    if filters.overdue:
        conditions.append(overdue_condition(current))
    return conditions


def queue(filters: QueueFilters, viewer: User | None, page: int = 1, per_page: int = QUEUE_PAGE_SIZE,
          now: datetime | None = None) -> QueuePage:
    """One page of reports for the desk, most urgent first (overdue, then by due time; paused and closed last).

    The database sorts by the stored deadlines; the precise clock is computed only for the rows shown.
    A fixed number of statements and a bounded page whatever the number of reports.
    """
    now = now or utcnow()
    refresh_deadlines(now=now)
    current = clocks(now)
    result = _QueuePagination(page=max(1, page), per_page=per_page, max_per_page=per_page, error_out=False,
                              conditions=_queue_conditions(filters, viewer, current), order=_queue_order(current))
    rows = [(report, sla(report, now, current.schedules)) for report in result.items]
    return QueuePage(rows, result, queue_counts(viewer, current))


class _QueuePagination(Pagination):
    """Sorts only the narrow sort keys of the matching reports, then loads the page's reports in full."""

    def _query_items(self) -> list[Report]:
        conditions, order = self._query_args["conditions"], self._query_args["order"]
        keys = (select(Report.id, *[key.label(f"k{i}") for i, key in enumerate(order)]).where(*conditions)
                .order_by(*order).limit(self.per_page).offset((self.page - 1) * self.per_page).subquery())
        return list(db.session.scalars(
            select(Report).join(keys, keys.c.id == Report.id).order_by(*[keys.c[f"k{i}"] for i in range(len(order))])
            .options(selectinload(Report.pauses), joinedload(Report.assignee), joinedload(Report.department))))

    def _query_count(self) -> int:
        return db.session.scalar(select(func.count()).select_from(Report).where(*self._query_args["conditions"]))


def queue_counts(viewer: User | None, current: Clocks) -> dict[str, int]:
    """Open, overdue, unassigned and (for `viewer`) assigned-to-me reports, in one statement."""
    def counted(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    mine = Report.assignee_id == viewer.id if viewer is not None else literal(False)
    row = db.session.execute(select(func.count(), counted(overdue_condition(current)),
                                    counted(Report.assignee_id.is_(None)), counted(mine))
                             .where(Report.status.in_(OPEN_STATUSES))).one()
    return {"open": row[0], "overdue": row[1], "unassigned": row[2], "mine": row[3]}


def duplicate_counts(report_ids: list[int]) -> dict[int, int]:
    if not report_ids:
        return {}
    rows = db.session.execute(select(Report.duplicate_of_id, func.count()).where(
        Report.duplicate_of_id.in_(report_ids)).group_by(Report.duplicate_of_id))
    return dict(rows.all())


def queue_summary(now: datetime | None = None) -> dict:
    now = now or utcnow()
    refresh_deadlines(now=now)
    counts = queue_counts(None, clocks(now))
    return {"open": counts["open"], "overdue": counts["overdue"], "unassigned": counts["unassigned"]}


# ---------------------------------------------------------------- desk actions

def _audit(action: str, report: Report, actor: User | None, **details) -> None:
    record(action, actor=actor, actor_label=None if actor else "anonymous", target_type="desk_report",
           target_id=report.id, target_label=f"#{report.id}", details=details)


def _open_pause(report: Report, now: datetime) -> None:
    if not any(p.ended_at is None for p in report.pauses):
        report.pauses.append(ReportPause(started_at=now))


def _close_pauses(report: Report, now: datetime) -> None:
    for pause in report.pauses:
        if pause.ended_at is None:
            pause.ended_at = now


def _change_status(report: Report, status: str, now: datetime) -> None:
    if status == report.status:
        return
    if status == WAITING:
        _open_pause(report, now)
    elif report.status == WAITING:
        _close_pauses(report, now)
    if status in CLOSED_STATUSES:
        report.closed_at = now
    elif report.status in CLOSED_STATUSES:
        report.closed_at = None
        report.dismiss_reason = None
    report.status = status
    refresh_deadline(report, now)


def set_status(report: Report, status: str, actor: User, reason: str = "") -> None:
    """Move a report to another status; dismissing needs a reason (shown to the reporter)."""
    if status not in STATUSES or status == ESCALATED:
        raise DeskError("bad_status")
    reason = (reason or "").strip()
    if status == DISMISSED and not reason:
        raise DeskError("reason_required")
    before = report.status
    _change_status(report, status, utcnow())
    if status == DISMISSED:
        report.dismiss_reason = reason
    _audit("desk.status_changed", report, actor, before=before, after=status, reason=reason or None)
    if status in CLOSED_STATUSES and not report.anonymous and report.reporter is not None:
        _email_reporter(report, "desk_closed", {"reason": report.dismiss_reason, "closed_by": actor.name})
    db.session.commit()


def assign(report: Report, assignee: User | None, actor: User) -> None:
    if assignee is not None and not (assignee.is_social and assignee.active):
        raise DeskError("not_team")
    if report.assignee_id == (assignee.id if assignee else None):
        return
    report.assignee_id = assignee.id if assignee else None
    report.assignee = assignee
    if assignee is not None and report.status == NEW:
        _change_status(report, ACKNOWLEDGED, utcnow())
    _audit("desk.assigned", report, actor, assignee=assignee.email if assignee else None)
    if assignee is not None and assignee.id != actor.id:
        with force_locale(assignee.language or "en"):
            queue_email(assignee.email, "desk_assigned",
                        {"report": report, "by": actor.name, "link": absolute_url("desk.show", report_id=report.id),
                         "category": CATEGORY_SHORT[report.category]})
    db.session.commit()


def reply(report: Report, actor: User, body: str, status_after: str = "") -> ReportMessage:
    """Answer the reporter, signed with the responder's name; the first reply stops the first-response clock."""
    body = (body or "").strip()
    if not body:
        raise DeskError("empty")
    now = utcnow()
    message = ReportMessage(report_id=report.id, from_team=True, author_id=actor.id, author_name=actor.name,
                            body=body, created_at=now)
    db.session.add(message)
    if report.first_response_at is None:
        elapsed = clock.elapsed_minutes(report.created_at, now, _pauses(report), schedule_for(report.urgency))
        report.first_response_at = now
        report.first_response_minutes = round(elapsed, 2)
        report.first_response_met = elapsed <= target_minutes(report.urgency, FIRST_RESPONSE)
    if report.status == NEW:
        _change_status(report, ACKNOWLEDGED, now)
    if status_after in (ACKNOWLEDGED, IN_PROGRESS, WAITING, RESOLVED):
        _change_status(report, status_after, now)
    refresh_deadline(report, now)
    _audit("desk.replied", report, actor, status=report.status)
    if not report.anonymous and report.reporter is not None:
        _email_reporter(report, "desk_reply", {"message": message})
    db.session.commit()
    return message


def _email_reporter(report: Report, template: str, context: dict) -> None:
    reporter = report.reporter
    if reporter is None or not reporter.active:
        return
    with force_locale(reporter.language or "en"):
        queue_email(reporter.email, template, {"report": report, "reporter": reporter,
                                               "link": absolute_url("desk.my_report", report_id=report.id),
                                               "status_label": STATUS_LABELS[report.status], **context})


def add_note(report: Report, actor: User, body: str) -> InternalNote:
    """An internal note: for the desk only, and not a response (the clocks keep running)."""
    body = (body or "").strip()
    if not body:
        raise DeskError("empty")
    note = InternalNote(report_id=report.id, author_id=actor.id, author_name=actor.name, body=body)
    db.session.add(note)
    _audit("desk.noted", report, actor)
    db.session.commit()
    return note


def add_reporter_message(report: Report, user: User | None, body: str) -> ReportMessage:
    """The reporter adds information; `user` is None for an anonymous reporter (nothing ties it to them)."""
    body = (body or "").strip()
    if not body:
        raise DeskError("empty")
    now = utcnow()
    message = ReportMessage(report_id=report.id, from_team=False, author_id=None if report.anonymous else user.id,
                            author_name=None, body=body, created_at=now)
    db.session.add(message)
    if report.status == WAITING or report.status in CLOSED_STATUSES:
        _change_status(report, IN_PROGRESS, now)
    _audit("desk.reporter_added", report, None if report.anonymous else user)
    recipients = [report.assignee] if report.assignee_id and report.assignee else social_team()
    for person in recipients:
        with force_locale(person.language or "en"):
            queue_email(person.email, "desk_reporter_added",
                        {"report": report, "link": absolute_url("desk.show", report_id=report.id)})
    db.session.commit()
    return message


def set_department(report: Report, department_id: int | None, actor: User) -> None:
    report.department_id = department_id or None
    _audit("desk.routed", report, actor, department_id=report.department_id)
    db.session.commit()


def set_urgency(report: Report, urgency: str, actor: User) -> None:
    if urgency not in URGENCIES:
        raise DeskError("bad_urgency")
    before = report.urgency
    report.urgency = urgency
    refresh_deadline(report)
    _audit("desk.urgency_changed", report, actor, before=before, after=urgency)
    if urgency == "critical" and before != "critical":
        notify_critical(report)
    db.session.commit()


def escalate(report: Report, to_user: User, note: str, actor: User) -> Escalation:
    """Hand a case to a decision maker with a note; they get an email at once (outbox)."""
    note = (note or "").strip()
    if not note:
        raise DeskError("empty")
    if not (to_user.is_decision_maker and to_user.active):
        raise DeskError("not_decision_maker")
    escalation = Escalation(report_id=report.id, to_user_id=to_user.id, by_user_id=actor.id, note=note)
    db.session.add(escalation)
    _change_status(report, ESCALATED, utcnow())
    db.session.flush()
    _audit("desk.escalated", report, actor, to=to_user.email)
    with force_locale(to_user.language or "en"):
        queue_email(to_user.email, "desk_escalation",
                    {"report": report, "escalation": escalation, "by": actor.name, "to": to_user,
                     "category": CATEGORY_SHORT[report.category], "urgency": URGENCY_LABELS[report.urgency],
                     "links": [link.url for link in report.links],
                     "link": absolute_url("desk.escalation", escalation_id=escalation.id)},
                    dedupe_key=f"desk-escalation:{escalation.id}")
    db.session.commit()
    return escalation


def escalations_for(user: User) -> list[Escalation]:
    return list(db.session.scalars(
        select(Escalation).where(Escalation.to_user_id == user.id)
        .options(joinedload(Escalation.report), joinedload(Escalation.by_user))
        .order_by(Escalation.answered_at.is_not(None), Escalation.created_at.desc())
    ))


def escalations_of(report: Report) -> list[Escalation]:
    return list(db.session.scalars(select(Escalation).where(Escalation.report_id == report.id)
                                   .options(joinedload(Escalation.to_user), joinedload(Escalation.by_user))
                                   .order_by(Escalation.created_at)))


def answer_escalation(escalation: Escalation, actor: User, answer: str) -> None:
    """The decision maker's answer goes to the desk (an internal note), never to the reporter."""
    answer = (answer or "").strip()
    if not answer:
        raise DeskError("empty")
    now = utcnow()
    escalation.answer = answer
    escalation.answered_at = now
    report = db.session.get(Report, escalation.report_id)
    db.session.add(InternalNote(report_id=report.id, author_id=actor.id, author_name=actor.name,
                                body=f"[Decision] {answer}"))
    if report.status == ESCALATED:
        _change_status(report, IN_PROGRESS, now)
    _audit("desk.escalation_answered", report, actor)
    recipients = [db.session.get(User, report.assignee_id)] if report.assignee_id else social_team()
    by = db.session.get(User, escalation.by_user_id) if escalation.by_user_id else None
    if by is not None and by not in recipients:
        recipients.append(by)
    for person in recipients:
        if person is not None and person.active:
            with force_locale(person.language or "en"):
                queue_email(person.email, "desk_escalation_answered",
                            {"report": report, "by": actor.name,
                             "link": absolute_url("desk.show", report_id=report.id)})
    db.session.commit()


# ---------------------------------------------------------------- amplify

def amplify_function():
    """The content library's `draft_from_report`, or None while that feature is not there."""
    try:
        from app.library import services as library_services
    except ImportError:
        return None
    return getattr(library_services, "draft_from_report", None)


def amplify(report: Report, actor: User, note: str = ""):
    """Turn a positive mention into a draft content-library item with the link filled in."""
    if report.category != "positive":
        raise DeskError("not_positive")
    if not report.links:
        raise DeskError("no_link")
    draft_from_report = amplify_function()
    if draft_from_report is None:
        raise DeskError("unavailable")
    title = report.title or str(CATEGORY_SHORT["positive"])
    try:
        item = draft_from_report(report.links[0].url, title, (note or report.description).strip(), actor)
    except ValueError as error:
        db.session.rollback()
        raise DeskError("amplify_failed") from error
    report.amplified_item_id = getattr(item, "id", None)
    _audit("desk.amplified", report, actor, content_item_id=report.amplified_item_id)
    db.session.commit()
    return item


# ---------------------------------------------------------------- canned replies

def canned_replies() -> list[CannedReply]:
    return list(db.session.scalars(select(CannedReply).order_by(CannedReply.title)))


def save_canned(reply_row: CannedReply, title: str, body: str, actor: User) -> None:
    title = title.strip()
    clash = db.session.scalar(select(CannedReply).where(func.lower(CannedReply.title) == title.lower(),
                                                        CannedReply.id != (reply_row.id or 0)))
    if clash is not None:
        raise DeskError("title_taken")
    reply_row.title = title
    reply_row.body = body.strip()
    db.session.add(reply_row)
    db.session.flush()
    record("desk.canned_saved", actor=actor, target_type="desk_canned_reply", target_id=reply_row.id,
           target_label=title)
    db.session.commit()


def delete_canned(reply_row: CannedReply, actor: User) -> None:
    record("desk.canned_deleted", actor=actor, target_type="desk_canned_reply", target_id=reply_row.id,
           target_label=reply_row.title)
    db.session.delete(reply_row)
    db.session.commit()


# ---------------------------------------------------------------- watch and purge

def watch(now: datetime | None = None) -> dict[str, int]:
    """Warn once at 80% of a target and once at breach (safe every minute: the outbox dedupe key decides)."""
    now = now or utcnow()
    counts = {"warned": 0, "breached": 0}
    team = None
    schedules = {u: schedule_for(u) for u in URGENCIES}
    reports = db.session.scalars(select(Report).where(Report.status.in_(OPEN_STATUSES), Report.status != WAITING)
                                 .options(selectinload(Report.pauses), selectinload(Report.links),
                                          joinedload(Report.assignee)))
    for report in reports.unique():
        state = sla(report, now, schedules)
        if state.phase is None or state.paused or state.used < 0.8:
            continue
        level = "breach" if state.overdue else "80"
        if report.assignee is not None and report.assignee.active:
            recipients = [report.assignee]
        else:
            team = team if team is not None else social_team()
            recipients = team
        for person in recipients:
            with force_locale(person.language or "en"):
                queued = queue_email(
                    person.email, "desk_watch",
                    {"report": report, "level": level, "phase": state.phase, "target": format_minutes(state.target),
                     "left": format_minutes(state.remaining), "category": CATEGORY_SHORT[report.category],
                     "urgency": URGENCY_LABELS[report.urgency],
                     "link": absolute_url("desk.show", report_id=report.id)},
                    dedupe_key=f"desk-watch:{report.id}:{state.phase}:{level}:{person.id}")
            if queued:
                counts["breached" if level == "breach" else "warned"] += 1
    db.session.commit()
    return counts


def purge(now: datetime | None = None) -> dict[str, int]:
    """Delete closed reports' screenshots and anonymous receipts after the retention period."""
    from app.uploads import delete_stored

    now = now or utcnow()
    days = get_setting("desk.retention_days")
    days = days if isinstance(days, int) and days >= 0 else 90
    cutoff = now - timedelta(days=days)
    reports = list(db.session.scalars(
        select(Report).where(Report.status.in_(CLOSED_STATUSES), Report.closed_at <= cutoff,
                             or_(Report.receipt_hash.is_not(None),
                                 Report.id.in_(select(ReportScreenshot.report_id))))
        .options(selectinload(Report.screenshots))
    ))
    counts = {"reports": 0, "screenshots": 0, "receipts": 0}
    for report in reports:
        for shot in list(report.screenshots):
            delete_stored(UPLOAD_KIND, shot.name)
            delete_stored(UPLOAD_KIND, shot.thumbnail)
            report.screenshots.remove(shot)
            counts["screenshots"] += 1
        if report.screenshots_purged_at is None and counts["screenshots"]:
            report.screenshots_purged_at = now
        if report.receipt_hash is not None:
            report.receipt_hash = None
            counts["receipts"] += 1
        counts["reports"] += 1
    if counts["reports"]:
        record("desk.purged", details=counts)
    db.session.commit()
    return counts


# ---------------------------------------------------------------- metrics

def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def _wait_order():
    """First-response wait (wall clock) as a sortable SQL expression on either database."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.julianday(Report.first_response_at) - func.julianday(Report.created_at)
    return Report.first_response_at - Report.created_at


def _first_response_percentiles(since: datetime, answered: int) -> dict[float, float]:
    """Nearest-rank median and 90th percentile of the wall-clock first-response wait, in one statement.

    The ranks are chosen here exactly as `percentile()` chooses them; the database ranks the answered
    reports and returns only the ones at those ranks, and the minutes are computed here as before.
    """
    ranks = {share: max(1, math.ceil(share * answered)) for share in (0.5, 0.9)}
    ranked = (select(Report.created_at, Report.first_response_at,
                     func.row_number().over(order_by=(_wait_order(), Report.id)).label("rank"))
              .where(Report.created_at >= since, Report.first_response_at.is_not(None)).subquery())
    waits = {rank: (responded - created).total_seconds() / 60 for created, responded, rank in db.session.execute(
        select(ranked.c.created_at, ranked.c.first_response_at, ranked.c.rank)
        .where(ranked.c.rank.in_(sorted(set(ranks.values())))))}
    return {share: waits[rank] for share, rank in ranks.items() if rank in waits}


def metrics(weeks: int = 12, now: datetime | None = None) -> dict:
    """Figures for the desk metrics page over the last `weeks` weeks.

    Counted and ranked by the database (a fixed number of statements, rows bounded by weeks × urgencies ×
    categories); only the two reports at the median and 90th-percentile ranks are read back.
    """
    now = now or utcnow()
    since = now - timedelta(weeks=weeks)
    refresh_deadlines(now=now)
    current = clocks(now)
    week_starts = [(now - timedelta(weeks=weeks - 1 - i)).date() for i in range(weeks)]
    week_starts = [d - timedelta(days=d.weekday()) for d in week_starts]
    by_week = {d: {"total": 0, **{u: 0 for u in URGENCIES}} for d in week_starts}
    by_week_category = {d: {c: 0 for c in CATEGORIES} for d in week_starts}
    by_category = {c: 0 for c in CATEGORIES}
    by_urgency = {u: 0 for u in URGENCIES}
    starts = [datetime.combine(d, time(0), UTC) for d in week_starts]
    bucket = case(*[(and_(Report.created_at >= start, Report.created_at < start + timedelta(days=7)), index)
                    for index, start in enumerate(starts)], else_=-1)
    def counted(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    answered_condition = Report.first_response_at.is_not(None)
    old_condition = Report.created_at <= now - timedelta(days=NEVER_ANSWERED_DAYS)
    unanswered = and_(Report.first_response_at.is_(None), Report.status != DISMISSED)
    total = answered = met = late_unanswered = old_enough = never = 0
    for index, urgency, category, count, *facts in db.session.execute(
            select(bucket, Report.urgency, Report.category, func.count(), counted(answered_condition),
                   counted(and_(answered_condition, Report.first_response_met.is_(True))),
                   counted(and_(unanswered, overdue_condition(current))), counted(old_condition),
                   counted(and_(old_condition, unanswered)))
            .where(Report.created_at >= since).group_by(bucket, Report.urgency, Report.category)):
        total += count
        if index >= 0:
            week = week_starts[index]
            by_week[week]["total"] += count
            by_week[week][urgency] += count
            by_week_category[week][category] += count
        by_category[category] = by_category.get(category, 0) + count
        by_urgency[urgency] += count
        answered, met, late_unanswered, old_enough, never = (
            a + b for a, b in zip((answered, met, late_unanswered, old_enough, never), facts, strict=True))
    judged = answered + late_unanswered
    waits = _first_response_percentiles(since, answered)
    peak = max([w["total"] for w in by_week.values()] + [1])
    return {
        "weeks": weeks, "total": total, "by_week": by_week, "by_week_category": by_week_category,
        "peak": peak,
        "by_category": by_category, "by_urgency": by_urgency,
        "within_target": (met / judged) if judged else None, "judged": judged, "met": met,
        "median_first_response": waits.get(0.5), "p90_first_response": waits.get(0.9), "answered": answered,
        "never_answered": (never / old_enough) if old_enough else None, "never_count": never,
        "old_enough": old_enough,
    }


def export_rows(weeks: int = 52, now: datetime | None = None):
    """One CSV row per report (no reporter names: the export is about the desk, not about people)."""
    now = now or utcnow()
    since = now - timedelta(weeks=weeks)
    reports = db.session.scalars(select(Report).where(Report.created_at >= since).order_by(Report.created_at)
                                 .options(joinedload(Report.assignee), joinedload(Report.department)))
    for r in reports.unique():
        never = (r.created_at <= now - timedelta(days=NEVER_ANSWERED_DAYS) and r.first_response_at is None
                 and r.status != DISMISSED)
        yield [r.id, r.created_at.isoformat(timespec="seconds"), r.category, r.platform, r.urgency, r.status,
               r.department.name if r.department else "", r.assignee.name if r.assignee else "",
               "yes" if r.anonymous else "no",
               r.first_response_at.isoformat(timespec="seconds") if r.first_response_at else "",
               "" if r.first_response_minutes is None else round(r.first_response_minutes, 1),
               "" if r.first_response_met is None else ("yes" if r.first_response_met else "no"),
               r.closed_at.isoformat(timespec="seconds") if r.closed_at else "", "yes" if never else "no"]


EXPORT_HEADER = ["id", "created_at_utc", "category", "platform", "urgency", "status", "department", "assignee",
                 "anonymous", "first_response_at_utc", "first_response_clock_minutes", "first_response_within_target",
                 "closed_at_utc", "never_answered"]
