from datetime import UTC, datetime, timedelta

from flask import render_template, request

from app.access import Role, role_required
from app.audit import bp, services
from app.csvutil import csv_response
from app.extensions import db


def _filters() -> dict:
    def parse_day(name: str):
        try:
            return datetime.strptime(request.args.get(name, ""), "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            return None

    until = parse_day("until")
    return {
        "action": request.args.get("action", "").strip()[:64] or None,
        "actor": request.args.get("actor", "").strip()[:100] or None,
        "since": parse_day("since"),
        "until": until + timedelta(days=1) if until else None,
    }


@bp.get("/")
@role_required(Role.ADMIN)
def index():
    page = db.paginate(services.filtered_events(**_filters()), per_page=50, error_out=False)
    return render_template("audit/index.html", page=page, actions=services.action_names(), args=request.args)


@bp.get("/export.csv")
@role_required(Role.ADMIN)
def export():
    events = db.session.scalars(services.filtered_events(**_filters()).execution_options(yield_per=1000))
    rows = ((e.occurred_at.isoformat(), e.actor_label, e.action, e.target_type or "", e.target_id or "",
             e.target_label or "", e.details) for e in events)
    return csv_response("audit-log.csv", ["time_utc", "actor", "action", "target_type", "target_id",
                                          "target", "details"], rows)
