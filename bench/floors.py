"""The floors Touchpoint is measured against, served by gunicorn like the app.

`ok_app` answers "ok" and does nothing else; `redirect_app` is the bare Flask app
doing what `/s/<code>` does (look the code up, insert one click, answer 302).
"""

from __future__ import annotations

import os

from flask import Flask

ok_app = Flask(__name__)


@ok_app.get("/")
def ok():
    return "ok"


@ok_app.get("/healthz")
def healthz():
    return "ok"


os.environ.setdefault("BENCH_DATABASE_URL", os.environ.get("DATABASE_URL", "sqlite://"))
from bench.share_bare_app import app as _bare_app  # noqa: E402

redirect_app = _bare_app


@redirect_app.get("/healthz")
def redirect_app_healthz():
    return "ok"
