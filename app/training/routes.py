from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from app.access import Role, has_role, public, role_required
from app.csvutil import csv_response
from app.extensions import db
from app.policy.services import export_rows, render
from app.training import bp, services
from app.training.forms import AssignmentForm, QuizForm, StartQuizForm
from app.training.models import Completion, QuizAttempt, TrainingModule
from app.urls import absolute_url

QUIZ_ERRORS = {
    "finished": _l("This attempt is already submitted; its result is below. Start a new attempt to try again."),
    "unknown_question": _l("Your answers do not match this quiz (an unknown question). Nothing was saved; "
                          "please answer the questions on this page."),
    "foreign_option": _l("An answer does not belong to its question. Nothing was saved; please answer the "
                        "questions on this page."),
    "several_for_single": _l("Choose one answer for each single-choice question. Nothing was saved."),
    "missing": _l("Please answer every question. Nothing was saved yet."),
    "not_yours": _l("This attempt is not yours."),
}


def _module_or_404(slug: str) -> TrainingModule:
    module = services.get_module(slug)
    if module is None or not module.active:
        abort(404)
    return module


@bp.get("/training/")
@role_required(Role.EMPLOYEE)
def index():
    states = services.module_states(current_user, include_unassigned=True)
    return render_template("training/index.html", assigned=[s for s in states if s.assigned],
                           optional=[s for s in states if not s.assigned])


@bp.get("/training/<slug>")
@role_required(Role.EMPLOYEE)
def module(slug: str):
    module = _module_or_404(slug)
    state = next(s for s in services.module_states(current_user, include_unassigned=True) if s.module.id == module.id)
    return render_template("training/module.html", module=module, state=state, lessons=services.lessons(module),
                           attempts=services.attempts_of(current_user, module), start_form=StartQuizForm(),
                           audience=services.describe_audience(module.audience))


@bp.get("/training/<slug>/lessons/<int:number>")
@role_required(Role.EMPLOYEE)
def lesson(slug: str, number: int):
    module = _module_or_404(slug)
    lessons = services.lessons(module)
    if not 1 <= number <= len(lessons):
        abort(404)
    lesson = lessons[number - 1]
    return render_template("training/lesson.html", module=module, lesson=lesson, lessons=lessons,
                           body=render(lesson.body), start_form=StartQuizForm())


@bp.post("/training/<slug>/quiz")
@role_required(Role.EMPLOYEE)
def start_quiz(slug: str):
    module = _module_or_404(slug)
    if not StartQuizForm().validate_on_submit():
        abort(400)
    attempt = services.start_attempt(current_user, module)
    return redirect(url_for("training.attempt", attempt_id=attempt.id))


def _own_attempt(attempt_id: int) -> QuizAttempt:
    attempt = db.get_or_404(QuizAttempt, attempt_id)
    if attempt.user_id != current_user.id:
        abort(404)
    return attempt


@bp.get("/training/attempts/<int:attempt_id>")
@role_required(Role.EMPLOYEE)
def attempt(attempt_id: int):
    """An open attempt shows the quiz (no answers, no explanations); a finished one its result."""
    attempt = _own_attempt(attempt_id)
    if attempt.submitted_at is None:
        return render_template("training/quiz.html", attempt=attempt, questions=services.public_questions(attempt),
                               form=QuizForm(), chosen={}, error=None, missing=set())
    completion = db.session.scalar(select(Completion).where(Completion.attempt_id == attempt.id))
    return render_template("training/result.html", attempt=attempt, results=services.results(attempt),
                           completion=completion, start_form=StartQuizForm())


@bp.post("/training/attempts/<int:attempt_id>")
@role_required(Role.EMPLOYEE)
def submit(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    form = QuizForm()
    if not form.validate_on_submit():
        abort(400)
    answers = form.answers()
    try:
        completion = services.submit_attempt(attempt, current_user, answers)
    except services.QuizError as error:
        db.session.rollback()
        if error.code == "finished":
            flash(str(QUIZ_ERRORS["finished"]), "warning")
            return redirect(url_for("training.attempt", attempt_id=attempt.id)), 303
        db.session.refresh(attempt)
        missing = set(error.detail.split(",")) if error.code == "missing" else set()
        return render_template("training/quiz.html", attempt=attempt, questions=services.public_questions(attempt),
                               form=form, chosen=answers, error=QUIZ_ERRORS[error.code], missing=missing), 400
    if completion is not None:
        flash(_("You passed with %(score)d%%. Well done!", score=attempt.score), "success")
    else:
        flash(_("You scored %(score)d%%; the pass mark is %(mark)d%%. Read the explanations and try again.",
                score=attempt.score, mark=attempt.module.pass_mark), "warning")
    return redirect(url_for("training.attempt", attempt_id=attempt.id))


@bp.get("/training/certificates/<int:completion_id>")
@role_required(Role.EMPLOYEE)
def certificate(completion_id: int):
    completion = db.get_or_404(Completion, completion_id)
    if completion.user_id != current_user.id and not has_role(current_user, Role.ADMIN):
        abort(404)
    return render_template("training/certificate.html", completion=completion, valid=services.is_valid(completion),
                           verify_url=absolute_url("training.verify", code=completion.certificate_code))


@bp.get("/verify/<code>")
@public
def verify(code: str):
    """Confirms a certificate: name, module, date and valid or expired, and nothing else."""
    completion = services.completion_by_code(code)
    if completion is None:
        return render_template("training/verify.html", completion=None), 404
    return render_template("training/verify.html", completion=completion, valid=services.is_valid(completion))


# ---------------------------------------------------------------- compliance

LIST_LIMIT = 300  # rows per list on the page; the CSV exports hold everything


def _scope_manager():
    """None for admins (everyone), else the manager whose team is in view."""
    return None if has_role(current_user, Role.ADMIN) else current_user


def _int_arg(name: str) -> int | None:
    return request.args.get(name, type=int) or None


@bp.get("/compliance")
@role_required(Role.ADMIN, Role.MANAGER)
def compliance():
    manager = _scope_manager()
    department_id, module_id = _int_arg("department"), _int_arg("module")
    show = request.args.get("show", "overdue")
    if show not in ("overdue", "not_cleared", "everyone"):
        show = "overdue"
    report = services.compliance_overview(manager, department_id, module_id, show, LIST_LIMIT)
    from app.people.services import departments

    return render_template("training/compliance.html", report=report, manager=manager, show=show, limit=LIST_LIMIT,
                           department_id=department_id, module_id=module_id, departments=departments(),
                           modules=services.active_modules())


@bp.get("/compliance/acknowledgements.csv")
@role_required(Role.ADMIN, Role.MANAGER)
def export_acknowledgements():
    ids = services.scope_query(_scope_manager(), _int_arg("department"))
    header = ["person", "email", "department", "policy", "language", "version label", "content hash",
              "acknowledged at (UTC)"]
    return _buffered(csv_response("acknowledgements.csv", header, export_rows(ids)))


@bp.get("/compliance/completions.csv")
@role_required(Role.ADMIN, Role.MANAGER)
def export_completions():
    ids = services.scope_query(_scope_manager(), _int_arg("department"))
    header = ["person", "email", "department", "module", "score", "passed", "completed at (UTC)",
              "expires (UTC)", "valid now", "certificate code"]
    return _buffered(csv_response("completions.csv", header, services.completion_rows(ids)))


def _buffered(response):
    """The rows are already loaded, so write the file now rather than leave a streaming request context open."""
    response.make_sequence()
    return response


# ---------------------------------------------------------------- assignments

@bp.get("/training/admin/modules")
@role_required(Role.ADMIN)
def admin_modules():
    modules = services.active_modules()
    return render_template("training/admin_modules.html", modules=modules, describe=services.describe_audience)


@bp.route("/training/admin/modules/<int:module_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def assignment(module_id: int):
    from app.people.services import departments

    module = db.get_or_404(TrainingModule, module_id)
    form = AssignmentForm()
    names = [d.name for d in departments()]
    form.departments.choices = [(n, n) for n in sorted(set(names) | set((module.audience or {}).get(
        "departments", [])), key=str.casefold)]
    if request.method == "GET":
        audience = module.audience or {}
        form.audience.data = "everyone" if audience.get("everyone") or not audience else "groups"
        form.departments.data = audience.get("departments", [])
        form.roles.data = audience.get("roles", [])
        form.due_mode.data = "date" if module.due_date else "days"
        form.due_days.data, form.due_date.data = module.due_days, module.due_date
    if form.validate_on_submit():
        audience = {"everyone": True} if form.audience.data == "everyone" else {
            "departments": form.departments.data, "roles": form.roles.data}
        by_days = form.due_mode.data == "days"
        services.save_assignment(module, current_user, audience, form.due_days.data if by_days else None,
                                 None if by_days else form.due_date.data)
        flash(_("The assignment of “%(title)s” is saved.", title=module.title), "success")
        return redirect(url_for("training.admin_modules"))
    return render_template("training/assignment.html", module=module, form=form)
