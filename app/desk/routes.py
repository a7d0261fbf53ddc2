import uuid

from flask import abort, flash, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.access import Role, public, role_required
from app.csvutil import csv_response
from app.desk import bp, services
from app.desk.forms import (
    AmplifyForm,
    AnonymousMessageForm,
    AnswerEscalationForm,
    AssignForm,
    CannedForm,
    ConfirmForm,
    EscalateForm,
    MessageForm,
    NoteForm,
    ReceiptForm,
    ReplyForm,
    ReportForm,
    StatusForm,
    TriageForm,
)
from app.desk.models import ACKNOWLEDGED, IN_PROGRESS, RESOLVED, STATUSES, WAITING, CannedReply, Escalation
from app.extensions import db, limiter
from app.uploads import MAX_IMAGE_BYTES, UploadError, stored_path

DESK_ERRORS = {
    "empty": _l("Write something first."),
    "reason_required": _l("Give a reason to dismiss the report; the reporter sees it."),
    "bad_status": _l("Choose a valid status."),
    "not_team": _l("Only members of the social team can be assigned."),
    "not_decision_maker": _l("Choose a decision maker."),
    "not_positive": _l("Only positive mentions can be amplified."),
    "no_link": _l("The report has no link to share."),
    "unavailable": _l("The content library cannot take drafts yet."),
    "amplify_failed": _l("The content library refused the draft; check the report's link."),
    "title_taken": _l("A canned reply with this title exists already."),
    "bad_urgency": _l("Choose a valid urgency."),
}


def _labels() -> dict:
    return {"category_labels": services.CATEGORY_SHORT, "category_long": services.CATEGORY_LABELS,
            "platform_labels": services.PLATFORM_LABELS, "urgency_labels": services.URGENCY_LABELS,
            "status_labels": services.STATUS_LABELS, "format_minutes": services.format_minutes,
            "format_receipt": services.format_receipt}


@bp.app_template_filter("desk_minutes")
def desk_minutes(value) -> str:
    return services.format_minutes(value or 0)


def _no_store(response):
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


# ---------------------------------------------------------------- reporting

def _valid_token(token: str | None) -> bool:
    try:
        return bool(token) and str(uuid.UUID(token)) == token
    except ValueError:
        return False


@bp.route("/report", methods=["GET", "POST"])
@role_required(Role.EMPLOYEE)
def new_report():
    form = ReportForm()
    if request.method == "GET":
        form.form_token.data = services.new_form_token()
        if request.args.get("category") in services.CATEGORY_LABELS:
            form.category.data = request.args["category"]
    if not _valid_token(form.form_token.data):
        form.form_token.data = services.new_form_token()
        if request.method == "POST":
            flash(_("The form had expired. Please check it and send it again."), "warning")
            return render_template("desk/new.html", form=form, **_labels())
    if form.validate_on_submit():
        images = []
        for upload in request.files.getlist(form.screenshots.name):
            if upload and upload.filename:
                data = upload.stream.read(MAX_IMAGE_BYTES + 1)
                images.append(data)
        data = {"category": form.category.data, "platform": form.platform.data, "links": form.links.links,
                "description": form.description.data, "urgency": form.urgency.data,
                "anonymous": form.anonymous.data}
        try:
            result = services.submit_report(current_user, data, images, form.form_token.data)
        except UploadError as error:
            form.screenshots.errors = [_("A screenshot was refused: %(reason)s", reason=_(str(error)))]
        else:
            if result.report.anonymous:
                return _no_store(render_template("desk/receipt.html", receipt=result.receipt,
                                                 duplicates=bool(result.duplicates), **_labels()))
            if result.duplicates:
                flash(_("Thank you. The team already has an open report about this link; yours is linked to it."),
                      "info")
            else:
                flash(_("Thank you. Your report has reached the social team."), "success")
            return redirect(url_for("desk.my_report", report_id=result.report.id))
    return render_template("desk/new.html", form=form, **_labels())


@bp.get("/my-reports")
@role_required(Role.EMPLOYEE)
def my_reports():
    reports = services.my_reports(current_user)
    return render_template("desk/mine.html", reports=reports,
                           replies=services.reply_counts([r.id for r in reports]), **_labels())


@bp.route("/my-reports/<int:report_id>", methods=["GET", "POST"])
@role_required(Role.EMPLOYEE)
def my_report(report_id: int):
    report = services.report_for_reporter(report_id, current_user)
    if report is None:
        abort(404)
    form = MessageForm()
    if form.validate_on_submit():
        services.add_reporter_message(report, current_user, form.body.data)
        flash(_("Your message was added to the report."), "success")
        return redirect(url_for("desk.my_report", report_id=report.id))
    return render_template("desk/my_report.html", report=report, messages=services.conversation(report),
                           form=form, **_labels())


@bp.route("/report/follow-up", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute", methods=["POST"])
def follow_up():
    """Open an anonymous report by its receipt code, without signing in (POST keeps the code out of URLs)."""
    form = ReceiptForm()
    if form.validate_on_submit():
        report = services.report_by_receipt(form.receipt.data)
        if report is not None:
            return _anonymous_page(report, services.normalise_receipt(form.receipt.data))
        form.receipt.errors = [_("No report matches this code. Check the digits and try again.")]
        return _no_store((render_template("desk/follow_up.html", form=form), 404))
    return _no_store(render_template("desk/follow_up.html", form=form))


def _anonymous_page(report, receipt: str, message_form: AnonymousMessageForm | None = None, sent: bool = False):
    message_form = message_form or AnonymousMessageForm(formdata=None)
    message_form.receipt.data = receipt
    return _no_store(render_template("desk/follow_up_show.html", report=report, form=message_form, sent=sent,
                                     messages=services.conversation(report), **_labels()))


@bp.post("/report/follow-up/message")
@public
@limiter.limit("10 per minute", methods=["POST"])
def follow_up_message():
    form = AnonymousMessageForm()
    report = services.report_by_receipt(form.receipt.data or "")
    if report is None:
        receipt_form = ReceiptForm(formdata=None)
        receipt_form.receipt.errors = [_("No report matches this code. Check the digits and try again.")]
        return _no_store((render_template("desk/follow_up.html", form=receipt_form), 404))
    receipt = services.normalise_receipt(form.receipt.data)
    if form.validate_on_submit():
        services.add_reporter_message(report, None, form.body.data)
        return _anonymous_page(services.load_report(report.id), receipt, sent=True)
    return _anonymous_page(report, receipt, form)


@bp.get("/reports/screenshots/<int:shot_id>")
@role_required(Role.EMPLOYEE)
def screenshot(shot_id: int):
    return _send_screenshot(shot_id, thumb=False)


@bp.get("/reports/screenshots/<int:shot_id>/thumb")
@role_required(Role.EMPLOYEE)
def screenshot_thumb(shot_id: int):
    return _send_screenshot(shot_id, thumb=True)


def _send_screenshot(shot_id: int, thumb: bool):
    shot = services.screenshot(shot_id)
    if shot is None:
        abort(404)
    report = db.session.get(services.Report, shot.report_id)
    if not services.may_view(current_user, report):
        abort(404)
    name = shot.thumbnail if thumb and shot.thumbnail else shot.name
    path = stored_path(services.UPLOAD_KIND, name)
    if path is None:
        abort(404)
    extension = name.rsplit(".", 1)[1]
    mime = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp"}[extension]
    response = send_file(path, mimetype=mime, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- the desk

@bp.get("/desk/")
@role_required(Role.SOCIAL)
def queue():
    args = request.args
    filters = services.QueueFilters(
        status=args.get("status", "open"), category=args.get("category", ""), urgency=args.get("urgency", ""),
        assignee=args.get("assignee", ""), department=args.get("department", type=int),
        overdue=args.get("overdue") == "1")
    result = services.queue(filters, current_user, page=args.get("page", 1, type=int))
    from app.people.services import departments

    return render_template("desk/queue.html", rows=result.rows, page=result.page, counts=result.counts,
                           filters=filters, team=services.social_team(), problems=services.schedule_problems(),
                           departments=departments(), statuses=STATUSES,
                           duplicates=services.duplicate_counts([r.id for r, _ in result.rows]), **_labels())


def _desk_report(report_id: int):
    report = services.load_report(report_id)
    if report is None:
        abort(404)
    return report


def _show(report, forms: dict | None = None):
    from app.people.services import department_choices

    forms = forms or {}
    team = services.social_team()
    assign = forms.get("assign") or AssignForm(formdata=None, assignee_id=report.assignee_id or 0)
    assign.assignee_id.choices = [(0, _("Nobody"))] + [(p.id, p.name) for p in team]
    status = forms.get("status") or StatusForm(formdata=None, status=report.status)
    status.status.choices = [(s, services.STATUS_LABELS[s]) for s in STATUSES
                             if s != "escalated" or report.status == "escalated"]
    canned = services.canned_replies()
    reply = forms.get("reply") or ReplyForm(formdata=None)
    reply.canned.choices = [("", _("— none —"))] + [(str(c.id), c.title) for c in canned]
    reply.status_after.choices = [("", _("Keep the current status")),
                                  (ACKNOWLEDGED, services.STATUS_LABELS[ACKNOWLEDGED]),
                                  (IN_PROGRESS, services.STATUS_LABELS[IN_PROGRESS]),
                                  (WAITING, services.STATUS_LABELS[WAITING]),
                                  (RESOLVED, services.STATUS_LABELS[RESOLVED])]
    triage = forms.get("triage") or TriageForm(formdata=None, urgency=report.urgency,
                                               department_id=report.department_id or 0)
    triage.department_id.choices = department_choices(blank=_("No department"))
    escalate = forms.get("escalate") or EscalateForm(formdata=None)
    escalate.to_user_id.choices = [(p.id, p.name) for p in services.decision_makers()]
    return render_template(
        "desk/show.html", report=report, sla=services.sla(report), messages=services.conversation(report),
        notes=services.internal_notes(report), related=services.related_reports(report),
        escalations=services.escalations_of(report), history=services.history(report), canned=canned,
        assign_form=assign, status_form=status, reply_form=reply,
        note_form=forms.get("note") or NoteForm(formdata=None),
        triage_form=triage, escalate_form=escalate, amplify_form=AmplifyForm(formdata=None),
        amplify_available=services.amplify_function() is not None, confirm=ConfirmForm(formdata=None), **_labels())


@bp.get("/desk/reports/<int:report_id>")
@role_required(Role.SOCIAL)
def show(report_id: int):
    return _show(_desk_report(report_id))


def _error(error: services.DeskError) -> None:
    flash(DESK_ERRORS.get(str(error), _("That did not work.")), "danger")


@bp.post("/desk/reports/<int:report_id>/assign")
@role_required(Role.SOCIAL)
def assign(report_id: int):
    report = _desk_report(report_id)
    form = AssignForm()
    form.assignee_id.choices = [(0, "")] + [(p.id, p.name) for p in services.social_team()]
    if form.validate_on_submit():
        person = db.session.get(services.User, form.assignee_id.data) if form.assignee_id.data else None
        try:
            services.assign(report, person, current_user)
        except services.DeskError as error:
            _error(error)
        else:
            flash(_("Assigned to %(name)s.", name=person.name) if person else _("Nobody is assigned now."), "success")
    return redirect(url_for("desk.show", report_id=report.id))


@bp.post("/desk/reports/<int:report_id>/take")
@role_required(Role.SOCIAL)
def take(report_id: int):
    report = _desk_report(report_id)
    if ConfirmForm().validate_on_submit():
        services.assign(report, current_user, current_user)
        flash(_("The report is assigned to you."), "success")
    return redirect(url_for("desk.show", report_id=report.id))


@bp.post("/desk/reports/<int:report_id>/status")
@role_required(Role.SOCIAL)
def status(report_id: int):
    report = _desk_report(report_id)
    form = StatusForm()
    form.status.choices = [(s, s) for s in STATUSES]
    if form.validate_on_submit():
        if form.status.data == report.status:
            flash(_("The status is unchanged."), "info")
            return redirect(url_for("desk.show", report_id=report.id))
        try:
            services.set_status(report, form.status.data, current_user, form.reason.data or "")
        except services.DeskError as error:
            _error(error)
        else:
            flash(_("Status: %(status)s.", status=services.STATUS_LABELS[report.status]), "success")
    return redirect(url_for("desk.show", report_id=report.id))


@bp.post("/desk/reports/<int:report_id>/reply")
@role_required(Role.SOCIAL)
def reply(report_id: int):
    report = _desk_report(report_id)
    form = ReplyForm()
    if form.validate_on_submit():
        body = (form.body.data or "").strip()
        if not body and form.canned.data and form.canned.data.isdigit():
            canned = db.session.get(CannedReply, int(form.canned.data))
            body = canned.body if canned else ""
        if not body:
            form.body.errors = [_("Write a reply or choose a canned reply.")]
            return _show(report, {"reply": form}), 400
        services.reply(report, current_user, body, form.status_after.data or "")
        flash(_("Your reply was sent to the reporter, signed with your name."), "success")
        return redirect(url_for("desk.show", report_id=report.id))
    return _show(report, {"reply": form}), 400


@bp.post("/desk/reports/<int:report_id>/note")
@role_required(Role.SOCIAL)
def note(report_id: int):
    report = _desk_report(report_id)
    form = NoteForm()
    if form.validate_on_submit():
        services.add_note(report, current_user, form.body.data)
        flash(_("Internal note added."), "success")
        return redirect(url_for("desk.show", report_id=report.id) + "#notes")
    return _show(report, {"note": form}), 400


@bp.post("/desk/reports/<int:report_id>/triage")
@role_required(Role.SOCIAL)
def triage(report_id: int):
    report = _desk_report(report_id)
    form = TriageForm()
    from app.people.services import department_choices

    form.department_id.choices = department_choices(blank="")
    if form.validate_on_submit():
        if form.urgency.data != report.urgency:
            services.set_urgency(report, form.urgency.data, current_user)
        if (form.department_id.data or None) != report.department_id:
            services.set_department(report, form.department_id.data, current_user)
        flash(_("Triage saved."), "success")
    return redirect(url_for("desk.show", report_id=report.id))


@bp.post("/desk/reports/<int:report_id>/escalate")
@role_required(Role.SOCIAL)
def escalate(report_id: int):
    report = _desk_report(report_id)
    form = EscalateForm()
    form.to_user_id.choices = [(p.id, p.name) for p in services.decision_makers()]
    if form.validate_on_submit():
        person = db.session.get(services.User, form.to_user_id.data)
        try:
            services.escalate(report, person, form.note.data, current_user)
        except services.DeskError as error:
            _error(error)
        else:
            flash(_("Escalated to %(name)s, who has been notified.", name=person.name), "success")
            return redirect(url_for("desk.show", report_id=report.id))
    return _show(report, {"escalate": form}), 400


@bp.post("/desk/reports/<int:report_id>/amplify")
@role_required(Role.SOCIAL)
def amplify(report_id: int):
    report = _desk_report(report_id)
    form = AmplifyForm()
    if form.validate_on_submit():
        try:
            services.amplify(report, current_user, form.note.data or "")
        except services.DeskError as error:
            _error(error)
        else:
            flash(_("A draft content item with the link is waiting in the content library."), "success")
    return redirect(url_for("desk.show", report_id=report.id))


# ---------------------------------------------------------------- canned replies and routing

@bp.route("/desk/canned", methods=["GET", "POST"])
@role_required(Role.SOCIAL)
def canned():
    form = CannedForm()
    if form.validate_on_submit():
        try:
            services.save_canned(CannedReply(), form.title.data, form.body.data, current_user)
        except services.DeskError as error:
            form.title.errors = [DESK_ERRORS[str(error)]]
        else:
            flash(_("Canned reply saved."), "success")
            return redirect(url_for("desk.canned"))
    return render_template("desk/canned.html", form=form, replies=services.canned_replies(),
                           confirm=ConfirmForm(formdata=None))


@bp.route("/desk/canned/<int:reply_id>", methods=["GET", "POST"])
@role_required(Role.SOCIAL)
def canned_edit(reply_id: int):
    row = db.get_or_404(CannedReply, reply_id)
    form = CannedForm(obj=row)
    if form.validate_on_submit():
        try:
            services.save_canned(row, form.title.data, form.body.data, current_user)
        except services.DeskError as error:
            form.title.errors = [DESK_ERRORS[str(error)]]
        else:
            flash(_("Canned reply saved."), "success")
            return redirect(url_for("desk.canned"))
    return render_template("desk/canned_form.html", form=form, row=row)


@bp.post("/desk/canned/<int:reply_id>/delete")
@role_required(Role.SOCIAL)
def canned_delete(reply_id: int):
    row = db.get_or_404(CannedReply, reply_id)
    if ConfirmForm().validate_on_submit():
        services.delete_canned(row, current_user)
        flash(_("Canned reply deleted."), "success")
    return redirect(url_for("desk.canned"))


@bp.route("/desk/routing", methods=["GET", "POST"])
@role_required(Role.SOCIAL, Role.ADMIN)
def routing():
    from app.people.services import departments

    all_departments = departments()
    valid = {d.id for d in all_departments}
    current = services.routes()
    if request.method == "POST" and ConfirmForm().validate_on_submit():
        mapping = {}
        for category in services.CATEGORY_LABELS:
            value = request.form.get(f"route-{category}", type=int)
            mapping[category] = value if value in valid else None
        services.save_routes(mapping, current_user)
        flash(_("Routing saved. New reports go to these departments."), "success")
        return redirect(url_for("desk.routing"))
    return render_template("desk/routing.html", current=current, departments=all_departments,
                           confirm=ConfirmForm(formdata=None), **_labels())


# ---------------------------------------------------------------- metrics

@bp.get("/desk/metrics")
@role_required(Role.SOCIAL)
def metrics():
    weeks = min(max(request.args.get("weeks", 12, type=int), 1), 104)
    return render_template("desk/metrics.html", m=services.metrics(weeks), **_labels())


@bp.get("/desk/metrics.csv")
@role_required(Role.SOCIAL)
def metrics_csv():
    weeks = min(max(request.args.get("weeks", 52, type=int), 1), 520)
    return csv_response("desk-reports.csv", services.EXPORT_HEADER, services.export_rows(weeks))


# ---------------------------------------------------------------- decision makers

@bp.get("/escalations")
@role_required(Role.DECISION_MAKER)
def escalations():
    return render_template("desk/escalations.html", escalations=services.escalations_for(current_user), **_labels())


@bp.route("/escalations/<int:escalation_id>", methods=["GET", "POST"])
@role_required(Role.DECISION_MAKER)
def escalation(escalation_id: int):
    item = db.session.get(Escalation, escalation_id)
    if item is None or item.to_user_id != current_user.id:
        abort(404)
    report = services.load_report(item.report_id)
    form = AnswerEscalationForm()
    if form.validate_on_submit():
        services.answer_escalation(item, current_user, form.answer.data)
        flash(_("Your decision was sent to the social team."), "success")
        return redirect(url_for("desk.escalation", escalation_id=item.id))
    return render_template("desk/escalation.html", item=item, report=report, form=form,
                           messages=services.conversation(report), notes=services.internal_notes(report),
                           **_labels())
