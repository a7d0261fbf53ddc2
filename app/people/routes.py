from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import Role, role_required
from app.extensions import db
from app.people import bp, services
from app.people.forms import ConfirmForm, DepartmentForm, ImportApplyForm, ImportUploadForm, PersonForm
from app.people.models import Department, PeopleImport, User

PEOPLE_ERRORS = {
    "email_taken": ("email", "Someone else already has this email address."),
    "manager_loop": ("manager_email", "This manager reports to this person; choose someone else."),
}


def _fill_choices(form: PersonForm) -> None:
    form.department_id.choices = services.department_choices(blank=_("No department"))


def _manager_id(form: PersonForm, user: User) -> int | None:
    """The manager named by email in the form (0 for none), or None with an error on the field.

    An email field rather than a list of everyone: a company of 100,000 people cannot pick
    from a drop-down, and the email is what HR has at hand.
    """
    email = (form.manager_email.data or "").strip()
    if not email:
        return 0
    manager = services.find_by_email(email)
    if manager is None or not manager.active:
        form.manager_email.errors.append(_("Nobody active has this email address."))
        return None
    if user.id is not None and manager.id == user.id:
        form.manager_email.errors.append(_("A person cannot be their own manager."))
        return None
    return manager.id


@bp.get("/")
@role_required(Role.ADMIN)
def index():
    search = request.args.get("q", "").strip()[:100]
    department_id = request.args.get("department", type=int)
    status = request.args.get("status", "active")
    role = request.args.get("role", "")
    page = db.paginate(services.people_query(search, department_id, status, role), per_page=25, error_out=False)
    return render_template("people/index.html", page=page, search=search, department_id=department_id,
                           status=status, role=role, departments=services.departments())


def _save(user: User, form: PersonForm, template: str):
    if form.validate_on_submit() and (manager_id := _manager_id(form, user)) is not None:
        try:
            is_new = user.id is None
            services.save_person(user, current_user, {**form.data, "manager_id": manager_id})
        except services.PeopleError as error:
            field, message = PEOPLE_ERRORS[str(error)]
            getattr(form, field).errors.append(_(message))
        else:
            if is_new and form.send_invitation.data:
                from app.auth.services import send_invitation

                send_invitation(user, current_user)
                db.session.commit()
                flash(_("%(name)s was added and an invitation is on its way.", name=user.name), "success")
            else:
                flash(_("%(name)s was saved.", name=user.name), "success")
            return redirect(url_for("people.show", user_id=user.id))
    return render_template(template, form=form, user=user)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create():
    form = PersonForm()
    _fill_choices(form)
    return _save(User(), form, "people/form.html")


@bp.get("/<int:user_id>")
@role_required(Role.ADMIN)
def show(user_id: int):
    user = db.get_or_404(User, user_id)
    return render_template("people/show.html", user=user, team=services.team_of(user), confirm=ConfirmForm())


@bp.route("/<int:user_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = PersonForm(obj=user)
    if request.method == "GET":
        form.department_id.data = user.department_id or 0
        form.manager_email.data = user.manager.email if user.manager else ""
    _fill_choices(form)
    del form.send_invitation
    return _save(user, form, "people/form.html")


@bp.post("/<int:user_id>/deactivate")
@role_required(Role.ADMIN)
def deactivate(user_id: int):
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        flash(_("You cannot deactivate yourself."), "danger")
    elif ConfirmForm().validate_on_submit():
        services.set_active(user, False, current_user)
        flash(_("%(name)s is deactivated and signed out everywhere.", name=user.name), "success")
    return redirect(url_for("people.show", user_id=user.id))


@bp.post("/<int:user_id>/reactivate")
@role_required(Role.ADMIN)
def reactivate(user_id: int):
    user = db.get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        services.set_active(user, True, current_user)
        flash(_("%(name)s is active again.", name=user.name), "success")
    return redirect(url_for("people.show", user_id=user.id))


@bp.post("/<int:user_id>/invite")
@role_required(Role.ADMIN)
def invite(user_id: int):
    from app.auth.services import send_invitation

    user = db.get_or_404(User, user_id)
    if not user.active:
        abort(400)
    if ConfirmForm().validate_on_submit():
        send_invitation(user, current_user)
        db.session.commit()
        flash(_("An invitation is on its way to %(email)s.", email=user.email), "success")
    return redirect(url_for("people.show", user_id=user.id))


@bp.route("/departments", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def departments():
    form = DepartmentForm()
    if form.validate_on_submit():
        try:
            services.rename_department(Department(), form.name.data, current_user)
        except services.PeopleError:
            form.name.errors.append(_("A department with this name exists already."))
        else:
            flash(_("Department %(name)s was added.", name=form.name.data.strip()), "success")
            return redirect(url_for("people.departments"))
    return render_template("people/departments.html", form=form, departments=services.departments(),
                           sizes=services.department_sizes(), confirm=ConfirmForm())


@bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_department(department_id: int):
    department = db.get_or_404(Department, department_id)
    form = DepartmentForm(obj=department)
    if form.validate_on_submit():
        try:
            services.rename_department(department, form.name.data, current_user)
        except services.PeopleError:
            form.name.errors.append(_("A department with this name exists already."))
        else:
            flash(_("Department renamed."), "success")
            return redirect(url_for("people.departments"))
    return render_template("people/department_form.html", form=form, department=department)


@bp.post("/departments/<int:department_id>/delete")
@role_required(Role.ADMIN)
def delete_department(department_id: int):
    department = db.get_or_404(Department, department_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.delete_department(department, current_user)
        except services.PeopleError:
            flash(_("%(name)s still has people in it; move them first.", name=department.name), "danger")
        else:
            flash(_("Department deleted."), "success")
    return redirect(url_for("people.departments"))


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def import_upload():
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            text = services.decode_upload(upload.read())
        except services.PeopleError:
            form.file.errors.append(_("The file is not UTF-8 text. Export it from your HR system as CSV (UTF-8)."))
        else:
            stored = services.store_import(upload.filename or "people.csv", text, current_user)
            return redirect(url_for("people.import_preview", import_id=stored.id))
    return render_template("people/import_upload.html", form=form, columns=services.IMPORT_COLUMNS)


@bp.route("/import/<int:import_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def import_preview(import_id: int):
    upload = db.get_or_404(PeopleImport, import_id)
    form = ImportApplyForm()
    if form.validate_on_submit():
        if upload.applied_at is not None:
            flash(_("This file was applied already; nothing was changed."), "info")
            return redirect(url_for("people.import_preview", import_id=upload.id))
        plan = services.apply_import(upload, current_user, invite_new=form.invite_new.data)
        if plan.ok:
            flash(_("Import applied: %(created)d added, %(updated)d updated, %(unchanged)d unchanged.",
                    created=plan.count("create"), updated=plan.count("update"),
                    unchanged=plan.count("unchanged")), "success")
            return redirect(url_for("people.index"))
        flash(_("The file has errors; nothing was changed."), "danger")
    plan = services.plan_import(upload.content)
    return render_template("people/import_preview.html", upload=upload, plan=plan, form=form)
