"""Migrations build the schema the models describe, both ways, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from app import create_app
from app.extensions import db
from tests.conftest import TEST_DATABASE_URL, SuiteConfig, _tmpdir


@pytest.fixture
def empty_database_url():
    """A brand-new empty database of the suite's kind, dropped afterwards."""
    if TEST_DATABASE_URL:
        name = f"touchpoint_migrations_{uuid.uuid4().hex[:8]}"
        admin_url = SuiteConfig.SQLALCHEMY_DATABASE_URI
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin_url.rsplit("/", 1)[0] + "/" + name
        yield url
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        path = os.path.join(_tmpdir, f"migrations-{uuid.uuid4().hex[:8]}.sqlite3")
        yield f"sqlite:///{path}"


def test_upgrade_downgrade_upgrade_and_models_match(empty_database_url):
    class MigrationConfig(SuiteConfig):
        SQLALCHEMY_DATABASE_URI = empty_database_url

    app = create_app(MigrationConfig)
    with app.app_context():
        upgrade()
        tables_at_head = set(inspect(db.engine).get_table_names())
        assert {"user", "department", "audit_event", "outbox_message", "login_session"} <= tables_at_head
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], f"models and migrations disagree: {differences}"
        assert set(inspect(db.engine).get_table_names()) == tables_at_head
        db.session.remove()
        db.engine.dispose()
