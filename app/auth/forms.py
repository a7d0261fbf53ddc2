from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from app.forms import email_field


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Enter your password.")),
                                                         Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class ForgotPasswordForm(FlaskForm):
    email = email_field()
    submit = SubmitField(_l("Send me a link"))


class SetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(message=_l("Choose a password.")),
                                                             Length(max=1024)],
                             render_kw={"autocomplete": "new-password", "aria-describedby": "password-help"})
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(message=_l("Repeat the password.")),
                                        EqualTo("password", message=_l("The two passwords are not the same."))],
                            render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Save password"))


class LogoutForm(FlaskForm):
    submit = SubmitField(_l("Sign out"))
