"""The floor for `/s/<code>`: a bare Flask app doing the same work and nothing else.

It looks the code up (one indexed query joined to the item), inserts one click
row and answers 302. Served by gunicorn from bench/share_links.py.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from flask import Flask, abort, redirect
from sqlalchemy import create_engine, event, text

url = os.environ["BENCH_DATABASE_URL"]
if url.startswith("postgresql://"):
    url = "postgresql+psycopg://" + url[len("postgresql://"):]
engine = create_engine(url, pool_pre_ping=True)

if url.startswith("sqlite"):
    @event.listens_for(engine, "connect")
    def _pragmas(connection, _record):
        cursor = connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

LOOKUP = text("SELECT share_link.id, share_link.item_id, share_link.network, content_item.link FROM share_link "
              "JOIN content_item ON content_item.id = share_link.item_id WHERE share_link.code = :code")
INSERT = text("INSERT INTO click (share_link_id, item_id, network, occurred_at, referrer_host, is_bot, visitor_key) "
              "VALUES (:share_link_id, :item_id, :network, :occurred_at, NULL, false, 'bare')")

app = Flask(__name__)


@app.get("/s/<code>")
def go(code: str):
    with engine.begin() as connection:
        row = connection.execute(LOOKUP, {"code": code}).first()
        if row is None:
            abort(404)
        now = datetime.now(UTC)
        connection.execute(INSERT, {"share_link_id": row.id, "item_id": row.item_id, "network": row.network,
                                    "occurred_at": now.replace(tzinfo=None) if url.startswith("sqlite") else now})
    return redirect(row.link, code=302)
