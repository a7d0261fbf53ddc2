"""Demo training: the modules in policies/training/, with mixed progress for the compliance view.

employee@example.com passes everything assigned (cleared); newjoiner@example.com has done
nothing; others are part-way, one has a lapsed completion, several are overdue.
"""

from __future__ import annotations

from datetime import timedelta

from app.registry import add_demo_loader

# email -> (slugs passed, days ago)
PASSED = {
    "employee@example.com": (None, 20),          # None: every module assigned to them
    "admin@example.com": (None, 40),
    "social@example.com": (None, 60),
    "social2@example.com": (("policy-essentials", "crises-and-confidential-information"), 30),
    "manager@example.com": (None, 50),
    "director@example.com": (("policy-essentials",), 45),
    "lars@example.com": (("policy-essentials", "customers-and-complaints"), 400),   # lapsed: recertify
    "daan@example.com": (None, 35),
    "oskar@example.com": (("policy-essentials", "crises-and-confidential-information",
                           "professional-profile"), 25),
    "maja@example.com": (("policy-essentials",), 10),
    "sigrid@example.com": (("policy-essentials", "professional-profile"), 5),
}
FAILED_ONCE = ("ingrid@example.com", "maja@example.com")
ASSIGNED_DAYS_AGO = 60


def load_training() -> None:
    """Import the modules and give the demo people their progress once; later runs add nothing."""
    from sqlalchemy import select

    from app.db import utcnow
    from app.extensions import db
    from app.people.services import find_by_email
    from app.training import services
    from app.training.models import Completion, QuizAttempt

    services.import_modules(lambda _text: None)
    assigned_on = utcnow().date() - timedelta(days=ASSIGNED_DAYS_AGO)
    for module in services.active_modules():
        module.assigned_on = min(module.assigned_on, assigned_on)
    db.session.commit()

    for email, (slugs, days_ago) in PASSED.items():
        user = find_by_email(email)
        if user is None:
            continue
        for state in services.module_states(user, include_unassigned=slugs is not None):
            module = state.module
            if (slugs is not None and module.slug not in slugs) or db.session.scalar(
                    select(Completion.id).where(Completion.user_id == user.id, Completion.module_id == module.id)
                    .limit(1)):
                continue
            _take(user, module, right=True, days_ago=days_ago)
    for email in FAILED_ONCE:
        user = find_by_email(email)
        if user is None:
            continue
        essentials = services.get_module("policy-essentials")
        if essentials and not db.session.scalar(select(QuizAttempt.id).where(
                QuizAttempt.user_id == user.id, QuizAttempt.passed.is_(False)).limit(1)):
            _take(user, essentials, right=False, days_ago=12)


def _take(user, module, right: bool, days_ago: int) -> None:
    """Answer a quiz through the real scoring (all right, or all wrong) and date it `days_ago`."""
    from app.db import utcnow
    from app.extensions import db
    from app.training import services

    attempt = services.start_attempt(user, module)
    answers = {}
    for question in attempt.questions:
        good = [o["token"] for o in question["options"] if o["correct"]]
        bad = [o["token"] for o in question["options"] if not o["correct"]][:1]
        answers[question["token"]] = good if right else bad
    completion = services.submit_attempt(attempt, user, answers)
    when = utcnow() - timedelta(days=days_ago)
    attempt.started_at = attempt.submitted_at = when
    if completion is not None:
        completion.completed_at = when
        completion.expires_at = services.expiry_of(module, when)
    db.session.commit()


add_demo_loader(30, "training", load_training)
