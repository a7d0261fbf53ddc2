"""The foundation's own home panels."""

from flask_babel import lazy_gettext as _l  # noqa: F401

from app.access import Role
from app.registry import HomePanel, add_home_panel


def admin_summary(user) -> dict:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.outbox.services import status_counts
    from app.people.models import User

    active = db.session.scalar(select(func.count()).select_from(User).where(User.active.is_(True)))
    never_signed_in = db.session.scalar(
        select(func.count()).select_from(User).where(User.active.is_(True), User.password_hash.is_(None))
    )
    return {"active_people": active, "never_signed_in": never_signed_in, "outbox": status_counts()}


add_home_panel(HomePanel("main/_panel_welcome.html", (Role.EMPLOYEE,), order=0))
add_home_panel(HomePanel("main/_panel_admin.html", (Role.ADMIN,), order=90, context=admin_summary))
