"""factory_boy factories for the foundation's models. Features add theirs here or in their own module."""

from __future__ import annotations

import factory

from app.extensions import db
from app.people.models import Department, User

TEST_PASSWORD = "correct horse battery staple"


class BaseFactory(factory.alchemy.SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class DepartmentFactory(BaseFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"Department {n}")


_password_hash_cache: dict[str, str] = {}


def password_hash(password: str = TEST_PASSWORD) -> str:
    from app.auth.passwords import hash_password

    if password not in _password_hash_cache:
        _password_hash_cache[password] = hash_password(password)
    return _password_hash_cache[password]


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    name = factory.Sequence(lambda n: f"Person {n}")
    language = "en"
    active = True
    password_hash = factory.LazyFunction(password_hash)
