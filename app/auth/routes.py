from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.access import Role, public, role_required
from app.auth import bp, services
from app.auth.forms import ForgotPasswordForm, LoginForm, SetPasswordForm
from app.auth.passwords import password_problems
from app.extensions import limiter
from app.security import safe_next


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def reset_limit() -> str:
    return current_app.config["RESET_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(login_limit, methods=["POST"])
def login():
    home = url_for("main.home")
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next"), home))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            form.password.errors.append(_("Email or password is incorrect."))
        else:
            target = safe_next(form.next.data, home)
            services.start_session(user)
            return redirect(target)
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@role_required(Role.EMPLOYEE)
def logout():
    services.end_session(current_user._get_current_object())
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@limiter.limit(reset_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        flash(_("If that address belongs to an active account, a link to choose a new password is on its way. "
                "It works once, for %(minutes)d minutes.", minutes=current_app.config["RESET_TOKEN_MINUTES"]),
              "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


def _set_password_page(token: str, purpose: str, template: str):
    try:
        user = services.user_for_token(token, purpose)
    except services.TokenError as error:
        return render_template("auth/link_invalid.html", reason=str(error), purpose=purpose), 400
    form = SetPasswordForm()
    if form.validate_on_submit():
        problems = password_problems(form.password.data, user.email, user.name)
        if problems:
            form.password.errors.extend(problems)
        else:
            services.set_password(user, form.password.data, purpose)
            services.start_session(user)
            flash(_("Your password is saved and you are signed in."), "success")
            return redirect(url_for("main.home"))
    return render_template(template, form=form, user=user)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
@limiter.limit(reset_limit, methods=["POST"])
def accept_invitation(token: str):
    return _set_password_page(token, services.INVITE, "auth/accept_invitation.html")


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
@limiter.limit(reset_limit, methods=["POST"])
def reset_password(token: str):
    return _set_password_page(token, services.RESET, "auth/reset_password.html")
