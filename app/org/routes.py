from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import Role, role_required
from app.org import bp, services
from app.org.forms import settings_form


@bp.route("/", methods=["GET", "POST"])
@role_required(Role.ADMIN, Role.SOCIAL)
def settings():
    specs = services.specs_for(current_user)
    form = settings_form(specs, {spec.key: services.get_setting(spec.key) for spec in specs})
    if form.validate_on_submit():
        valid = True
        timezone_field = getattr(form, "organisation__timezone", None)
        if timezone_field is not None:
            try:
                ZoneInfo(timezone_field.data.strip())
            except (ZoneInfoNotFoundError, ValueError):
                timezone_field.errors.append(_("Unknown time zone. Use a name such as Europe/Copenhagen."))
                valid = False
        if valid:
            for spec in specs:
                value = getattr(form, spec.key.replace(".", "__")).data
                if spec.kind == "secret" and not value:
                    continue
                if isinstance(value, str):
                    value = value.strip()
                services.set_setting(spec.key, value, actor=current_user, commit=False)
            from app.extensions import db

            db.session.commit()
            flash(_("Settings saved."), "success")
            return redirect(url_for("org.settings"))
    sections: dict = {}
    for spec in specs:
        sections.setdefault(str(spec.section), []).append(getattr(form, spec.key.replace(".", "__")))
    return render_template("org/settings.html", form=form, sections=sections)
