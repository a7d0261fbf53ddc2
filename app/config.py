"""Configuration from environment variables, with safe defaults for local use."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = BASE_DIR / "instance"


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable ("1", "true", "yes", "on" mean yes)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def database_url() -> str:
    """The database to use: DATABASE_URL, or SQLite under instance/ for local use."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'touchpoint.sqlite3'}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    """Settings read from the environment when the class is created."""

    ENV_NAME = os.environ.get("TOUCHPOINT_ENV", "development")
    IS_PRODUCTION = ENV_NAME == "production"
    TESTING = False

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me")
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/")

    SQLALCHEMY_DATABASE_URI = database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    SESSION_COOKIE_NAME = "touchpoint_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", IS_PRODUCTION)
    PERMANENT_SESSION_LIFETIME = env_int("SESSION_LIFETIME_HOURS", 12) * 3600
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    HSTS_ENABLED = env_bool("HSTS_ENABLED", IS_PRODUCTION)
    TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 0)

    MAX_CONTENT_LENGTH = env_int("MAX_UPLOAD_MB", 16) * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    RESET_RATE_LIMIT = os.environ.get("RESET_RATE_LIMIT", "5 per minute;20 per hour")

    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "console")  # console | smtp
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = env_int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = env_bool("MAIL_USE_SSL", False)
    MAIL_TIMEOUT = env_int("MAIL_TIMEOUT", 20)
    MAIL_FROM = os.environ.get("MAIL_FROM", "Touchpoint <touchpoint@example.com>")
    OUTBOX_MAX_ATTEMPTS = env_int("OUTBOX_MAX_ATTEMPTS", 12)
    OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 300)

    INVITE_TOKEN_DAYS = env_int("INVITE_TOKEN_DAYS", 7)
    RESET_TOKEN_MINUTES = env_int("RESET_TOKEN_MINUTES", 60)
    PASSWORD_MIN_LENGTH = 12
    ARGON2_TIME_COST = env_int("ARGON2_TIME_COST", 3)
    ARGON2_MEMORY_COST = env_int("ARGON2_MEMORY_COST", 65536)

    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    POLICIES_DIR = os.environ.get("POLICIES_DIR", str(BASE_DIR / "policies"))
    CONTENT_LIBRARY_DIR = os.environ.get("CONTENT_LIBRARY_DIR", str(BASE_DIR / "content_library"))

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    LANGUAGES = {"en": "English", "da": "Dansk", "sv": "Svenska", "nb": "Norsk bokmål", "nl": "Nederlands"}

    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")

    @classmethod
    def check(cls) -> None:
        """Refuse to start in production with an unsafe configuration."""
        if cls.IS_PRODUCTION and cls.SECRET_KEY.startswith("dev-only"):
            raise RuntimeError("SECRET_KEY must be set when TOUCHPOINT_ENV=production")


class TestConfig(Config):
    """Fast, isolated settings for the test suite."""

    TESTING = True
    ENV_NAME = "test"
    IS_PRODUCTION = False
    SECRET_KEY = "test-secret-key"  # noqa: S105 (tests only)
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    MAIL_BACKEND = "memory"
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_ENABLED = True
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    SESSION_COOKIE_SECURE = False
    HSTS_ENABLED = False
    BASE_URL = "http://localhost"
