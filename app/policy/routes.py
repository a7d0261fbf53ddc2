from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import Role, role_required
from app.extensions import db
from app.policy import bp, services
from app.policy.forms import AcknowledgeForm, PublishForm
from app.policy.models import PolicyVersion


def _status_for(slug: str | None):
    statuses = services.policy_statuses(current_user)
    if not statuses:
        return None
    if slug:
        return next((s for s in statuses if s.info.slug == slug), None) or abort(404)
    return statuses[0]


@bp.get("/")
@role_required(Role.EMPLOYEE)
def index():
    """The current policy in the person's language, and whether they must acknowledge it."""
    status = _status_for(request.args.get("policy"))
    if status is None:
        return render_template("policy/empty.html")
    shown = status.current
    language = request.args.get("lang")
    if language and language != shown.language:
        alternative = [v for v in status.info.versions if v.language == language]
        if alternative:
            shown = alternative[-1]
    version = db.get_or_404(PolicyVersion, shown.id)
    outdated = shown.key < status.info.cutoff
    base = services.comparison_base(status) if status.needs_acknowledgement else None
    changes = services.compare(base.body, version.body) if base is not None and base.id != version.id else None
    return render_template("policy/index.html", status=status, version=version, body=services.render(version.body),
                           form=AcknowledgeForm(), base=base, changes=changes,
                           languages=status.info.languages(), outdated=outdated)


@bp.post("/versions/<int:version_id>/acknowledge")
@role_required(Role.EMPLOYEE)
def acknowledge(version_id: int):
    version = db.get_or_404(PolicyVersion, version_id)
    form = AcknowledgeForm()
    if not form.validate_on_submit():
        flash(form.confirm.errors[0] if form.confirm.errors else _("Please try again."), "danger")
        return redirect(url_for("policy.index", policy=version.policy.slug, lang=version.language))
    services.acknowledge(current_user, version)
    flash(_("Thank you. Your acknowledgement of version %(label)s is recorded.", label=version.version_label),
          "success")
    return redirect(url_for("policy.index", policy=version.policy.slug))


@bp.get("/history")
@role_required(Role.EMPLOYEE)
def history():
    policies = [(policy, services.versions_of(policy.id)) for policy in services.all_policies()]
    acknowledged = {s.last_acknowledged.id for s in services.policy_statuses(current_user) if s.last_acknowledged}
    return render_template("policy/history.html", policies=policies, acknowledged=acknowledged)


@bp.get("/versions/<int:version_id>")
@role_required(Role.EMPLOYEE)
def version(version_id: int):
    version = db.get_or_404(PolicyVersion, version_id)
    return render_template("policy/version.html", version=version, body=services.render(version.body))


@bp.get("/compare/<int:old_id>/<int:new_id>")
@role_required(Role.EMPLOYEE)
def compare(old_id: int, new_id: int):
    old = db.get_or_404(PolicyVersion, old_id)
    new = db.get_or_404(PolicyVersion, new_id)
    if old.policy_id != new.policy_id:
        abort(404)
    return render_template("policy/compare.html", old=old, new=new, changes=services.compare(old.body, new.body))


@bp.route("/publish", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def publish():
    """Write a new version in Markdown, preview it (rendered, and what changed), then publish."""
    form = PublishForm()
    if request.method == "GET":
        statuses = services.policy_statuses(current_user)
        if statuses:
            latest = db.session.get(PolicyVersion, statuses[0].info.versions[-1].id)
            current = services.latest_in_language(latest.policy_id, "en") or latest
            form.slug.data, form.language.data = current.policy.slug, current.language
            form.title.data, form.body.data = current.title, current.body
    preview = changes = None
    current = None
    if form.validate_on_submit():
        draft = services.VersionDraft(form.slug.data.strip(), form.language.data, form.version_label.data.strip(),
                                      form.change.data, form.title.data.strip(), form.summary.data.strip(),
                                      form.body.data)
        policy = next((p for p in services.all_policies() if p.slug == draft.slug), None)
        current = services.latest_in_language(policy.id, draft.language) if policy else None
        if form.publish.data:
            try:
                version = services.publish(draft, current_user)
            except services.PolicyError as error:
                if error.code == "same_text":
                    form.body.errors.append(_("The text is the same as the current version in this language; "
                                              "there is nothing to publish."))
                else:
                    form.version_label.errors.append(_("Version %(label)s is already published in this language "
                                                       "with different text; choose a new version label.",
                                                       label=draft.version_label))
            else:
                flash(_("Version %(label)s (%(language)s) is published.", label=version.version_label,
                        language=version.language), "success")
                return redirect(url_for("policy.history"))
        preview = services.render(draft.body)
        if current is not None:
            changes = services.compare(current.body, draft.body)
    return render_template("policy/publish.html", form=form, preview=preview, changes=changes, current=current)
