"""Touchpoint: social media policy, training, advocacy and a report channel in one place."""

from __future__ import annotations

import logging
import time

from flask import Flask, g, has_request_context, request
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import Config

FEATURES = ("main", "auth", "people", "audit", "outbox", "org", "policy", "training", "library", "desk")


def create_app(config: type[Config] = Config) -> Flask:
    """Build a configured Touchpoint application."""
    config.check()
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(config)
    configure_logging(app)
    import_models()
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    register_error_handlers(app)
    register_request_hooks(app)
    register_wsgi_middleware(app)
    return app


def register_wsgi_middleware(app: Flask) -> None:
    """Features' WSGI fast paths, then the proxy fix outermost so they see the real client."""
    from app.registry import wsgi_middlewares

    for factory in wsgi_middlewares:
        app.wsgi_app = factory(app.wsgi_app, app)
    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)


def configure_logging(app: Flask) -> None:
    logging.basicConfig(level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def register_extensions(app: Flask) -> None:
    from flask_login import current_user

    from app.extensions import babel, bootstrap, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    from app.config import BASE_DIR

    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    limiter.init_app(app)
    bootstrap.init_app(app)

    def select_locale():
        if not has_request_context():
            return app.config["BABEL_DEFAULT_LOCALE"]
        if current_user and current_user.is_authenticated and current_user.language:
            return current_user.language
        return request.accept_languages.best_match(list(app.config["LANGUAGES"])) or "en"

    babel.init_app(app, locale_selector=select_locale)

    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from sqlalchemy import event

        with app.app_context():
            event.listen(db.engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Enforce foreign keys and let readers and a writer work side by side."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def import_models() -> None:
    """Import every feature's models so the metadata knows all tables."""
    import importlib

    for name in FEATURES:
        try:
            importlib.import_module(f"app.{name}.models")
        except ModuleNotFoundError as error:
            if error.name != f"app.{name}.models":
                raise


def register_blueprints(app: Flask) -> None:
    import importlib

    for name in FEATURES:
        module = importlib.import_module(f"app.{name}")
        bp = getattr(module, "bp", None)
        if bp is not None:
            importlib.import_module(f"app.{name}.routes")
            app.register_blueprint(bp)


def register_cli(app: Flask) -> None:
    from app.cli import register_commands

    register_commands(app)


def register_error_handlers(app: Flask) -> None:
    from flask import render_template
    from werkzeug.exceptions import HTTPException

    def render_error(error: HTTPException):
        code = error.code or 500
        template = f"errors/{code}.html" if code in (400, 401, 403, 404, 405, 413, 429) else "errors/500.html"
        return render_template(template, error=error), code

    for code in (400, 401, 403, 404, 405, 413, 429):
        app.register_error_handler(code, render_error)

    @app.errorhandler(500)
    def internal_error(error):
        from app.extensions import db

        db.session.rollback()
        return render_template("errors/500.html"), 500


def register_request_hooks(app: Flask) -> None:
    from app.security import register_security
    from app.templating import register_templating

    register_security(app)
    register_templating(app)
    log = logging.getLogger("touchpoint.request")

    @app.before_request
    def start_timer():
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        started = g.get("request_started")
        if started is not None and request.endpoint not in ("static", "bootstrap.static"):
            duration_ms = (time.perf_counter() - started) * 1000
            log.info("%s %s %s %.1fms", request.method, request.path, response.status_code, duration_ms)
        return response
