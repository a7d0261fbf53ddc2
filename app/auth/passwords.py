"""Password hashing (argon2id) and the password rules of OWASP ASVS level 2.

Rules: at least 12 characters, at most 128, any characters allowed, no
composition rules, and not one of the 30,000 most common passwords nor the
person's own email or name.
"""

from __future__ import annotations

import functools
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _

MAX_LENGTH = 128


@functools.cache
def _hasher(time_cost: int, memory_cost: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)


def hasher() -> PasswordHasher:
    config = current_app.config
    return _hasher(config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"])


def normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    return hasher().hash(normalise(password))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash, still spend the time so timing tells nothing."""
    if not password_hash:
        hasher().hash("timing-equaliser")
        return False
    try:
        return hasher().verify(password_hash, normalise(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


@functools.cache
def common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problems(password: str, email: str = "", name: str = "") -> list[str]:
    """Reasons the password is refused, as messages for the person; empty when fine."""
    problems = []
    password = normalise(password)
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        problems.append(_("Use at least %(n)d characters. A few unrelated words make a strong password.", n=minimum))
    if len(password) > MAX_LENGTH:
        problems.append(_("Use at most %(n)d characters.", n=MAX_LENGTH))
    lowered = password.lower()
    if lowered in common_passwords() or lowered.strip() in common_passwords():
        problems.append(_("This password is one of the most commonly used. Choose another."))
    elif email and lowered in {email.lower(), email.lower().split("@")[0]}:
        problems.append(_("Do not use your email address as your password."))
    elif name and lowered.replace(" ", "") == name.lower().replace(" ", ""):
        problems.append(_("Do not use your name as your password."))
    elif len(set(lowered)) < 4:
        problems.append(_("This password repeats too few characters. Choose another."))
    return problems
