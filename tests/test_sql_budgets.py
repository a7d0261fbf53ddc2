"""Every main page costs a fixed number of SQL statements, however much data there is.

The bench generator fills the database with 1, then 50, of everything (people,
acknowledgements, attempts, items, share links, clicks, reports, messages);
each page must issue the same number of statements both times, within budget.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event

from app.extensions import limiter
from app.people.demo import DEMO_PASSWORD
from bench import generate
from bench.pages import discover_pages
from tests.conftest import SuiteConfig, _empty_all_tables

# Statements per request, including sign-in session and settings lookups.
BUDGETS = {
    "employee home": 16, "content feed": 20, "policy": 10, "training list": 10, "quiz": 8, "my reports": 10,
    "my impact": 18, "desk queue": 12, "desk metrics": 7, "sharing analytics": 16, "compliance": 16,
}


def _fill(app, db, n: int) -> None:
    _empty_all_tables()
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    size = generate.Size(n, 1, n, n, n, n, n, n, n)
    with db.engine.begin() as connection:
        ids = generate._people(connection, db.metadata, size, {})
        for step in generate.STEPS:
            step(connection, db.metadata, size, ids, {})
        for table in db.metadata.sorted_tables:
            generate.reset_sequence(connection, table)


def _statements_per_page(app, db) -> dict[str, int]:
    counts: dict[str, int] = {}
    statements: list[str] = []

    def count(*_args):
        statements.append("")

    pages = [p for p in discover_pages(SuiteConfig.SQLALCHEMY_DATABASE_URI) if p.email]
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        for page in pages:
            limiter.reset()
            client = app.test_client()
            client.post("/login", data={"email": page.email, "password": DEMO_PASSWORD})
            assert client.get(page.path).status_code == 200, page.name
            statements.clear()
            assert client.get(page.path).status_code == 200, page.name
            counts[page.name] = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return counts


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_page_statement_counts_do_not_grow_with_the_data_and_stay_within_budget(app, db):
    _fill(app, db, 1)
    few = _statements_per_page(app, db)
    _fill(app, db, 50)
    many = _statements_per_page(app, db)
    assert set(few) == set(BUDGETS)
    grew = {name: (few[name], many[name]) for name in few if few[name] != many[name]}
    assert grew == {}, f"statement counts grew from 1 to 50 rows: {grew}"
    over = {name: count for name, count in many.items() if count > BUDGETS[name]}
    assert over == {}, f"over budget: {over}"
