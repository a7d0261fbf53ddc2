"""The pages the benchmark drives, with the ids and codes they need from the database."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import create_engine, text


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    role: str
    email: str | None
    dashboard: bool = False


def _engine(database_url: str):
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    return create_engine(database_url)


def tracked_link_codes(database_url: str, how_many: int) -> list[str]:
    """A random sample of existing tracked-link codes."""
    engine = _engine(database_url)
    with engine.connect() as connection:
        codes = list(connection.execute(text("SELECT code FROM share_link ORDER BY id LIMIT 200000")).scalars())
    engine.dispose()
    random.seed(7)
    return random.sample(codes, min(how_many, len(codes)))


def _open_attempt(connection, email: str) -> int:
    """An unfinished quiz attempt of `email` (made from a module's quiz if there is none)."""
    user_id = connection.execute(text('SELECT id FROM "user" WHERE email = :e'), {"e": email}).scalar_one()
    found = connection.execute(text("SELECT id FROM quiz_attempt WHERE user_id = :u AND submitted_at IS NULL "
                                     "ORDER BY id DESC LIMIT 1"), {"u": user_id}).scalar()
    if found:
        return found
    module_id, quiz = connection.execute(
        text("SELECT id, quiz FROM training_module ORDER BY position, id LIMIT 1")).one()
    import json

    questions = json.loads(quiz) if isinstance(quiz, str) else quiz
    for q_index, question in enumerate(questions):
        question["token"] = f"bq{q_index}"
        for o_index, option in enumerate(question["options"]):
            option["token"] = f"bo{q_index}{o_index}"
    connection.execute(text("INSERT INTO quiz_attempt (user_id, module_id, questions, started_at) "
                            "VALUES (:u, :m, :q, CURRENT_TIMESTAMP)"),
                       {"u": user_id, "m": module_id, "q": json.dumps(questions)})
    connection.commit()
    return connection.execute(text("SELECT MAX(id) FROM quiz_attempt WHERE user_id = :u"), {"u": user_id}).scalar()


def discover_pages(database_url: str) -> list[Page]:
    engine = _engine(database_url)
    with engine.connect() as connection:
        attempt = _open_attempt(connection, "employee@example.com")
    engine.dispose()
    employee, social, admin = "employee@example.com", "social@example.com", "admin@example.com"
    return [
        Page("tracked link", "/s/<code>", "anonymous", None),
        Page("employee home", "/", "employee", employee),
        Page("content feed", "/library/", "employee", employee),
        Page("policy", "/policy/", "employee", employee),
        Page("training list", "/training/", "employee", employee),
        Page("quiz", f"/training/attempts/{attempt}", "employee", employee),
        Page("my reports", "/my-reports", "employee", employee),
        Page("my impact", "/library/impact", "employee", employee),
        Page("desk queue", "/desk/", "social", social, dashboard=True),
        Page("desk metrics", "/desk/metrics", "social", social, dashboard=True),
        Page("sharing analytics", "/library/analytics", "social", social, dashboard=True),
        Page("compliance", "/compliance", "admin", admin, dashboard=True),
    ]
