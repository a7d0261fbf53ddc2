from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.access import Role, role_required
from app.extensions import db
from app.outbox import bp, services
from app.outbox.models import OutboxMessage
from app.people.forms import ConfirmForm


@bp.get("/")
@role_required(Role.ADMIN)
def index():
    status = request.args.get("status", "")
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status:
        query = query.where(OutboxMessage.status == status)
    page = db.paginate(query, per_page=50, error_out=False)
    return render_template("outbox/index.html", page=page, status=status, counts=services.status_counts(),
                           confirm=ConfirmForm())


@bp.post("/<int:message_id>/retry")
@role_required(Role.ADMIN)
def retry(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    if ConfirmForm().validate_on_submit():
        services.retry(message)
        flash(_("Message %(id)d is queued again.", id=message.id), "success")
    return redirect(url_for("outbox.index"))
