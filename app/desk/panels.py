"""Home panels: the desk's state for the social team, a way to report for everyone."""

from __future__ import annotations

from app.access import Role
from app.registry import HomePanel, add_home_panel


def desk_summary(user) -> dict:
    from app.desk import services

    return services.queue_summary()


def my_summary(user) -> dict:
    from app.desk import services

    reports = services.my_reports(user)
    return {"open": sum(1 for r in reports if r.is_open), "total": len(reports)}


add_home_panel(HomePanel("desk/_panel_report.html", (Role.EMPLOYEE,), order=20, context=my_summary))
add_home_panel(HomePanel("desk/_panel_desk.html", (Role.SOCIAL,), order=21, context=desk_summary))


def escalations_summary(user) -> dict | None:
    from app.desk import services

    waiting = [e for e in services.escalations_for(user) if e.answered_at is None]
    return {"waiting": len(waiting)} if waiting else None


add_home_panel(HomePanel("desk/_panel_escalations.html", (Role.DECISION_MAKER,), order=19,
                         context=escalations_summary))
