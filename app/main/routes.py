from flask import jsonify, render_template
from flask_login import current_user
from sqlalchemy import text

from app.access import Role, has_role, public, role_required
from app.extensions import db
from app.main import bp
from app.registry import home_panels


@bp.get("/")
@role_required(Role.EMPLOYEE)
def home():
    """The signed-in person's home: the panels that fit their roles."""
    user = current_user._get_current_object()
    panels = []
    for panel in home_panels:
        if any(has_role(user, role) for role in panel.roles):
            context = panel.context(user) if panel.context else {}
            if context is not None:
                panels.append((panel.template, context))
    return render_template("main/home.html", panels=panels)


@bp.get("/healthz")
@public
def healthz():
    """200 after a real database round trip; 503 when the database cannot be reached."""
    try:
        db.session.execute(text("SELECT 1")).scalar_one()
    except Exception:  # any database failure means "not healthy", never a 500 page
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok")
