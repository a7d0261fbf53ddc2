"""Demo departments and people (see the README for the accounts)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.people.models import User
from app.people.services import find_by_email, get_or_create_department
from app.registry import add_demo_loader

DEMO_PASSWORD = "touchpoint-demo-2026"  # noqa: S105 (documented demo password)
DEPARTMENTS = ("Customer Service", "PR & Communications", "Product Marketing", "Sales", "HR", "IT")

# email, name, department, manager email, language, start (days ago), flags
DEMO_PEOPLE = [
    ("director@example.com", "Dagny Director", "PR & Communications", None, "en", 2400, {"is_decision_maker": True}),
    ("admin@example.com", "Astrid Admin", "HR", "director@example.com", "en", 1500, {"is_admin": True}),
    ("social@example.com", "Sami Social", "PR & Communications", "director@example.com", "en", 900,
     {"is_social": True}),
    ("social2@example.com", "Sofie Sørensen", "PR & Communications", "director@example.com", "da", 700,
     {"is_social": True}),
    ("manager@example.com", "Mikkel Manager", "Customer Service", "director@example.com", "da", 1200,
     {"is_decision_maker": True}),
    ("employee@example.com", "Emma Employee", "Customer Service", "manager@example.com", "en", 400, {}),
    ("newjoiner@example.com", "Noah Newjoiner", "Customer Service", "manager@example.com", "en", 3, {}),
    ("lars@example.com", "Lars Lindqvist", "Sales", "manager@example.com", "sv", 800, {}),
    ("ingrid@example.com", "Ingrid Nilsen", "Sales", "manager@example.com", "nb", 650, {}),
    ("daan@example.com", "Daan de Vries", "Product Marketing", "director@example.com", "nl", 500, {}),
    ("freja@example.com", "Freja Holm", "Product Marketing", "daan@example.com", "da", 300, {}),
    ("oskar@example.com", "Oskar Berg", "IT", "director@example.com", "sv", 1100, {}),
    ("maja@example.com", "Maja Jensen", "Customer Service", "manager@example.com", "da", 200, {}),
    ("pieter@example.com", "Pieter Bakker", "Sales", "manager@example.com", "nl", 150, {}),
    ("sigrid@example.com", "Sigrid Haugen", "HR", "admin@example.com", "nb", 90, {}),
    ("elin@example.com", "Elin Svensson", "IT", "oskar@example.com", "sv", 60, {}),
    ("jonas@example.com", "Jonas Møller", "Customer Service", "manager@example.com", "da", 30, {}),
]


def load_people() -> None:
    """Create the demo departments and people once; later runs change nothing."""
    from app.auth.passwords import hash_password

    for name in DEPARTMENTS:
        get_or_create_department(name)
    password_hash = None
    for email, name, department, manager_email, language, days_ago, flags in DEMO_PEOPLE:
        if find_by_email(email) is not None:
            continue
        password_hash = password_hash or hash_password(DEMO_PASSWORD)
        user = User(email=email, name=name, department=get_or_create_department(department), language=language,
                    start_date=date.today() - timedelta(days=days_ago), password_hash=password_hash, **flags)
        manager = find_by_email(manager_email) if manager_email else None
        user.manager_id = manager.id if manager else None
        db.session.add(user)
        db.session.flush()
    db.session.commit()


def demo_user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


add_demo_loader(10, "people", load_people)
