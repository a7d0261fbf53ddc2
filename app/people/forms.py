from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import email_field
from app.people.models import LANGUAGE_CODES

LANGUAGE_NAMES = {"en": "English", "da": "Dansk", "sv": "Svenska", "nb": "Norsk bokmål", "nl": "Nederlands"}


class PersonForm(FlaskForm):
    email = email_field()
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Enter a name.")), Length(max=120)],
                       render_kw={"autocomplete": "off"})
    department_id = SelectField(_l("Department"), coerce=int, validators=[Optional()])
    manager_email = StringField(
        _l("Manager’s email"), validators=[Optional(), Length(max=254)],
        description=_l("Their work email address; leave it empty when this person has no manager."),
        render_kw={"autocomplete": "off", "inputmode": "email", "spellcheck": "false"})
    language = SelectField(_l("Language"), choices=[(c, LANGUAGE_NAMES[c]) for c in LANGUAGE_CODES])
    start_date = DateField(_l("Start date"), validators=[Optional()])
    is_social = BooleanField(_l("Social team"))
    is_admin = BooleanField(_l("Admin (HR, compliance)"))
    is_decision_maker = BooleanField(_l("Decision maker (receives escalations)"))
    send_invitation = BooleanField(_l("Send an invitation email now"), default=True)
    submit = SubmitField(_l("Save"))


class DepartmentForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Enter a name.")), Length(max=120)])
    submit = SubmitField(_l("Save"))


class ImportUploadForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a CSV file."))])
    submit = SubmitField(_l("Check the file"))


class ImportApplyForm(FlaskForm):
    invite_new = BooleanField(_l("Send invitations to the new people"))
    submit = SubmitField(_l("Apply the import"))


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that change state."""

    submit = SubmitField(_l("Confirm"))
