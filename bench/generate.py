"""Fill a database with a realistic large (or small) company, fast.

    python -m bench.generate --database-url URL --size large|small

Builds the schema with the migrations, loads the demo organisation (so the
demo accounts can sign in), then bulk-inserts the generated company with COPY
(PostgreSQL) or executemany (SQLite), showing progress. The small size is the
large one scaled down 100×.

Running it again on a database that already holds a generated company loads
nothing more: it upgrades the schema and rebuilds the summaries (AFTER_LOAD).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import os
import random
import secrets
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from bench.bulk import load, reset_sequence


@dataclass(frozen=True)
class Size:
    employees: int
    departments: int
    acknowledgements: int
    attempts: int
    items: int
    share_links: int
    clicks: int
    reports: int
    messages: int


SIZES = {
    "large": Size(100_000, 60, 250_000, 400_000, 2_000, 300_000, 3_000_000, 20_000, 60_000),
    "small": Size(1_000, 6, 2_500, 4_000, 20, 3_000, 30_000, 200, 600),
}
NOW = datetime.now(UTC).replace(microsecond=0)
FIRST_NAMES = ["Anna", "Lars", "Mette", "Jens", "Sofie", "Emil", "Ida", "Noah", "Freja", "Oskar", "Ingrid", "Daan",
               "Sanne", "Pieter", "Elin", "Nils", "Astrid", "Mikkel", "Maja", "Sven", "Liv", "Bram", "Eva", "Jonas"]
LAST_NAMES = ["Hansen", "Jensen", "Nielsen", "Andersson", "Johansson", "Berg", "Haugen", "de Vries", "Bakker",
              "Jansen", "Lindqvist", "Holm", "Dahl", "Larsen", "Svensson", "Visser", "Nilsen", "Møller"]
LANGUAGES = ["en", "da", "sv", "nb", "nl"]


def when(days_back: int) -> datetime:
    """A random moment within the last `days_back` days."""
    return NOW - timedelta(seconds=random.randint(0, days_back * 86400))


def ensure_database(database_url: str) -> None:
    """Create the PostgreSQL database named in the URL when it does not exist yet."""
    if not database_url.startswith("postgresql"):
        return
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = make_url(database_url).set(drivername="postgresql+psycopg")
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        if not connection.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)).first():
            connection.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
    server.dispose()


def in_order(n: int, total: int, days_back: int) -> datetime:
    """The n-th of `total` moments spread evenly over the last `days_back` days, oldest first:
    an append-only log (clicks, shares) is written in time order, so it is generated that way."""
    return NOW - timedelta(seconds=days_back * 86400 * (total - 1 - n) / total)


def generate(database_url: str, size_name: str) -> dict:
    ensure_database(database_url)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-not-for-production")
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from app.registry import content_sources, demo_loaders

    size = SIZES[size_name]
    random.seed(20261122)
    app = create_app()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with app.app_context():
        upgrade()
        for loader in demo_loaders:
            loader.fn()
        del content_sources  # the demo loaders already import policies/ and content_library/
        metadata = db.metadata
        if already_generated(db.engine):
            sys.stderr.write("this database already holds a generated company: loading nothing more\n")
        else:
            with db.engine.begin() as connection:
                ids = _people(connection, metadata, size, timings)
                for step in STEPS:
                    step(connection, metadata, size, ids, timings)
                for table in metadata.sorted_tables:
                    reset_sequence(connection, table)
        for dotted in AFTER_LOAD:
            module_name, _, function_name = dotted.partition(":")
            began = time.perf_counter()
            getattr(importlib.import_module(module_name), function_name)()
            db.session.commit()
            timings[dotted] = time.perf_counter() - began
            sys.stderr.write(f"  {dotted}: {timings[dotted]:.1f}s\n")
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("ANALYZE")
    timings["total"] = time.perf_counter() - started
    return timings


def already_generated(engine) -> bool:
    """Whether the first generated person exists (the generator has run on this database)."""
    with engine.connect() as connection:
        return connection.exec_driver_sql(
            "SELECT 1 FROM \"user\" WHERE email = 'person000000@bench.example.com'").first() is not None


def _next_id(connection, table) -> int:
    return (connection.exec_driver_sql(f'SELECT COALESCE(MAX(id), 0) FROM "{table.name}"').scalar() or 0) + 1


def _people(connection, metadata, size: Size, timings: dict) -> dict:
    department = metadata.tables["department"]
    user = metadata.tables["user"]
    first_department = _next_id(connection, department)
    departments = [{"id": first_department + n, "name": f"Department {n + 1:02d}", "created_at": NOW}
                   for n in range(size.departments)]
    timings["departments"] = load(connection, department, departments, len(departments))
    department_ids = [d["id"] for d in departments]

    first_user = _next_id(connection, user)
    password_hash = connection.exec_driver_sql(
        "SELECT password_hash FROM \"user\" WHERE email = 'employee@example.com'").scalar()
    per_department = max(1, size.employees // size.departments)
    managers = {dept: first_user + i * per_department for i, dept in enumerate(department_ids)}

    def rows():
        for n in range(size.employees):
            dept = department_ids[min(n // per_department, len(department_ids) - 1)]
            uid = first_user + n
            manager = managers[dept]
            yield {
                "id": uid, "email": f"person{n:06d}@bench.example.com",
                "name": f"{random.choice(FIRST_NAMES)} {random.choice(LAST_NAMES)}",
                "department_id": dept, "manager_id": None if uid == manager else manager,
                "language": random.choice(LANGUAGES),
                "start_date": date.today() - timedelta(days=random.randint(1, 3000)),
                "active": random.random() > 0.02, "is_social": n % 2000 == 1, "is_admin": False,
                "is_decision_maker": uid == manager and n % 10 == 0, "password_hash": password_hash,
                "created_at": NOW, "updated_at": NOW, "last_login_at": None,
            }

    timings["people"] = load(connection, user, rows(), size.employees, "people")
    return {"users": list(range(first_user, first_user + size.employees)), "departments": department_ids}


def code() -> str:
    return secrets.token_urlsafe(12)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# Feature steps: each takes (connection, metadata, size, ids, timings) and bulk-loads its tables.
def _policy(connection, metadata, size: Size, ids: dict, timings: dict) -> None:
    version = metadata.tables["policy_version"]
    ack = metadata.tables["acknowledgement"]
    rows = connection.execute(version.select().order_by(version.c.id)).mappings().all()
    english = next(r for r in rows if r["language"] == "en")
    if not any(r["version_label"] == "1.1" and r["language"] == "en" for r in rows):
        body = english["body"] + "\n\nMinor wording update for the benchmark.\n"
        connection.execute(version.insert().values(
            policy_id=english["policy_id"], language="en", version_label="1.1", change="minor",
            title=english["title"], summary="Wording.", body=body, content_hash=digest(body), source="web",
            published_at=NOW - timedelta(days=10)))
        rows = connection.execute(version.select().order_by(version.c.id)).mappings().all()
    versions = rows[:3]
    users = ids["users"]
    shares = [len(users), len(users) // 2, len(users)]

    def generate():
        count = 0
        for version_row, how_many in zip(versions, shares, strict=False):
            for uid in users[:how_many]:
                if count >= size.acknowledgements:
                    return
                count += 1
                yield {"user_id": uid, "policy_version_id": version_row["id"],
                       "content_hash": version_row["content_hash"], "acknowledged_at": when(365)}

    timings["acknowledgements"] = load(connection, ack, generate(), size.acknowledgements, "acknowledgements")


def _training(connection, metadata, size: Size, ids: dict, timings: dict) -> None:
    module = metadata.tables["training_module"]
    attempt = metadata.tables["quiz_attempt"]
    completion = metadata.tables["completion"]
    modules = connection.execute(module.select().order_by(module.c.id)).mappings().all()
    if len(modules) < 5:
        template = modules[0]
        connection.execute(module.insert().values(
            slug="data-protection-basics", title="Data protection basics", language="en", summary=template["summary"],
            body=template["body"], quiz=template["quiz"], position=5, pass_mark=80, recertify_months=12,
            audience={"everyone": True}, due_days=30, assigned_on=date.today() - timedelta(days=400),
            assignment_from_file=False, active=True, content_hash="", created_at=NOW, updated_at=NOW))
        modules = connection.execute(module.select().order_by(module.c.id)).mappings().all()
    modules = modules[:5]
    snapshots = []
    for row in modules:
        questions = []
        for q_index, question in enumerate(row["quiz"]):
            options = [{**o, "token": f"o{q_index}{o_index}"} for o_index, o in enumerate(question["options"])]
            questions.append({**question, "token": f"q{q_index}", "options": options})
        answers = {q["token"]: [o["token"] for o in q["options"] if o.get("correct")] for q in questions}
        snapshots.append((row, questions, answers))
    users = ids["users"]
    first_attempt = _next_id(connection, attempt)
    passed_rows: list[tuple] = []

    def attempts():
        for n in range(size.attempts):
            uid = users[n % len(users)]
            row, questions, answers = snapshots[(n // len(users) + n) % len(snapshots)]
            submitted = when(400)
            passed = random.random() < 0.85
            if passed:
                passed_rows.append((first_attempt + n, uid, row, submitted))
            yield {"id": first_attempt + n, "user_id": uid, "module_id": row["id"], "questions": questions,
                   "answers": answers, "started_at": submitted - timedelta(minutes=12), "submitted_at": submitted,
                   "score": 92 if passed else 50, "passed": passed}

    timings["quiz attempts"] = load(connection, attempt, attempts(), size.attempts, "quiz attempts")

    def completions():
        for attempt_id, uid, row, submitted in passed_rows:
            yield {"user_id": uid, "module_id": row["id"], "attempt_id": attempt_id, "score": 92,
                   "completed_at": submitted, "expires_at": submitted + timedelta(days=30 * row["recertify_months"]),
                   "certificate_code": secrets.token_hex(12).upper()}

    timings["completions"] = load(connection, completion, completions(), len(passed_rows), "completions")


NETWORKS = ("linkedin", "x", "facebook")
REFERRERS = ("www.linkedin.com", "t.co", "l.facebook.com", "lm.facebook.com", None)


def _library(connection, metadata, size: Size, ids: dict, timings: dict) -> None:
    item = metadata.tables["content_item"]
    link = metadata.tables["share_link"]
    event = metadata.tables["share_event"]
    click = metadata.tables["click"]
    existing = connection.execute(item.select().with_only_columns(item.c.id)).scalars().all()
    first_item = _next_id(connection, item)
    new_items = max(0, size.items - len(existing))

    def items():
        for n in range(new_items):
            published = when(365)
            yield {"id": first_item + n, "slug": f"bench-item-{first_item + n}", "title": f"Benchmark story {n}",
                   "kind": "company-news", "body": "A story worth sharing. " * 20,
                   "link": f"https://example.com/stories/{n}?ref=bench", "topics": random.choice(
                       ["product", "careers", "customers", "events", "community"]), "language": "en",
                   "audience_languages": "", "caption_linkedin": "Proud of this one. " * 10,
                   "caption_x": "Proud of this one.", "caption_facebook": "Have a look!", "publish_at": published,
                   "status": "published", "source": "ui", "created_at": published, "updated_at": published,
                   "published_at": published}

    timings["content items"] = load(connection, item, items(), new_items, "content items")
    item_ids = [*existing, *range(first_item, first_item + new_items)]
    users = ids["users"]
    first_link = _next_id(connection, link)
    links: list[tuple[int, int, str]] = []

    def share_links():
        for n in range(size.share_links):
            block = n // len(users)
            uid = users[n % len(users)]
            item_id = item_ids[(n * 31 + block) % len(item_ids)]
            network = NETWORKS[block % 3]
            links.append((first_link + n, item_id, network))
            yield {"id": first_link + n, "code": code(), "user_id": uid, "item_id": item_id, "network": network,
                   "created_at": when(365)}

    timings["share links"] = load(connection, link, share_links(), size.share_links, "share links")

    def share_events():
        for n, (link_id, item_id, network) in enumerate(links):
            yield {"share_link_id": link_id, "item_id": item_id, "user_id": users[(link_id - first_link) % len(users)],
                   "network": network, "personalised": random.random() < 0.6,
                   "created_at": in_order(n, len(links), 365)}

    timings["share events"] = load(connection, event, share_events(), len(links), "share events")

    def clicks():
        for n in range(size.clicks):
            link_id, item_id, network = random.choice(links)
            yield {"share_link_id": link_id, "item_id": item_id, "network": network,
                   "occurred_at": in_order(n, size.clicks, 365),
                   "referrer_host": random.choice(REFERRERS), "is_bot": random.random() < 0.05,
                   "visitor_key": secrets.token_hex(32)}

    timings["clicks"] = load(connection, click, clicks(), size.clicks, "clicks")


CATEGORIES = ("complaint", "negative", "impersonation", "policy_breach", "crisis", "confidential", "positive", "other")
PLATFORMS = ("linkedin", "x", "facebook", "instagram", "tiktok", "youtube", "review", "news", "forum", "other")
URGENCIES = ("critical", "high", "normal", "normal", "low")


def _desk(connection, metadata, size: Size, ids: dict, timings: dict) -> None:
    report = metadata.tables["desk_report"]
    report_link = metadata.tables["desk_report_link"]
    message = metadata.tables["desk_report_message"]
    social = connection.exec_driver_sql('SELECT id, name FROM "user" WHERE is_social').all()
    users = ids["users"]
    first_report = _next_id(connection, report)
    created: list[tuple[int, datetime, bool, int | None]] = []

    def reports():
        for n in range(size.reports):
            rid = first_report + n
            opened = when(365)
            closed = random.random() < 0.9
            anonymous = random.random() < 0.05
            assignee = random.choice(social)
            answered = closed or random.random() < 0.5
            minutes = random.uniform(2, 600)
            created.append((rid, opened, anonymous, None if anonymous else users[n % len(users)]))
            yield {"id": rid, "submission_key": secrets.token_hex(16), "category": random.choice(CATEGORIES),
                   "platform": random.choice(PLATFORMS), "description": "Someone posted this about us. " * 5,
                   "urgency": random.choice(URGENCIES), "anonymous": anonymous,
                   "reporter_id": None if anonymous else users[n % len(users)],
                   "receipt_hash": secrets.token_hex(32) if anonymous else None,
                   "status": random.choice(("resolved", "dismissed")) if closed else random.choice(
                       ("new", "acknowledged", "in_progress", "waiting")),
                   "dismiss_reason": None, "assignee_id": assignee[0], "department_id": random.choice(
                       ids["departments"]), "created_at": opened, "updated_at": opened,
                   "first_response_at": opened + timedelta(minutes=minutes) if answered else None,
                   "first_response_minutes": minutes if answered else None,
                   "first_response_met": (minutes < 240) if answered else None,
                   "closed_at": opened + timedelta(hours=random.uniform(1, 72)) if closed else None}

    timings["reports"] = load(connection, report, reports(), size.reports, "reports")

    def links():
        for rid, _opened, _anonymous, _reporter in created:
            url = f"https://www.example.org/posts/{rid}"
            yield {"report_id": rid, "url": url, "link_key": digest(url)}

    timings["report links"] = load(connection, report_link, links(), len(created), "report links")
    per_report = max(1, size.messages // max(1, size.reports))

    def messages():
        count = 0
        for rid, opened, _anonymous, reporter in created:
            for k in range(per_report):
                if count >= size.messages:
                    return
                count += 1
                from_team = k % 2 == 1
                author = random.choice(social)
                yield {"report_id": rid, "from_team": from_team, "author_id": author[0] if from_team else reporter,
                       "author_name": author[1] if from_team else None,
                       "body": "Thanks, we are on it." if from_team else "More detail here.",
                       "created_at": opened + timedelta(minutes=10 * (k + 1))}

    timings["report messages"] = load(connection, message, messages(), size.messages, "report messages")


STEPS: list = [_policy, _training, _library, _desk]

# Summaries the features keep (counters, rollups, standings), rebuilt after a bulk load:
# "module:function" names called in an app context, each committing its own work.
AFTER_LOAD: list[str] = ["app.training.services:rebuild_standings_after_load", "app.library.services:rebuild_rollups",
                         "app.desk.services:rebuild_deadlines"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    args = parser.parse_args(argv)
    timings = generate(args.database_url, args.size)
    sys.stderr.write(f"generated the {args.size} company in {timings['total']:.1f}s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
