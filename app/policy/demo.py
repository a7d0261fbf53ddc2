"""Demo policy: the files in policies/, acknowledged by most demo people (not the new joiner)."""

from __future__ import annotations

from app.registry import add_demo_loader

# Demo people who have acknowledged the current policy.
ACKNOWLEDGED = ("employee@example.com", "admin@example.com", "social@example.com", "social2@example.com",
                "manager@example.com", "director@example.com", "lars@example.com", "daan@example.com",
                "oskar@example.com", "maja@example.com", "sigrid@example.com")


def load_policy() -> None:
    """Import policies/ (as `flask content sync` does) and acknowledge it for the demo people; idempotent."""
    from app.extensions import db
    from app.people.services import find_by_email
    from app.policy.models import PolicyVersion
    from app.policy.services import import_policies, policy_statuses

    import_policies(lambda _text: None)
    for email in ACKNOWLEDGED:
        user = find_by_email(email)
        if user is None:
            continue
        for status in policy_statuses(user):
            if not status.satisfied:
                from app.policy.services import acknowledge

                acknowledge(user, db.session.get(PolicyVersion, status.current.id))


add_demo_loader(20, "policy", load_policy)
