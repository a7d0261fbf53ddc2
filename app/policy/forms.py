from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from app.people.forms import LANGUAGE_NAMES
from app.people.models import LANGUAGE_CODES
from app.policy.services import MAX_BODY


class AcknowledgeForm(FlaskForm):
    confirm = BooleanField(_l("I have read and understood this version of the policy"),
                           validators=[DataRequired(message=_l("Tick the box to confirm that you have read and "
                                                               "understood the policy."))])
    submit = SubmitField(_l("Acknowledge"))


class PublishForm(FlaskForm):
    slug = StringField(_l("Policy"), default="social-media-policy",
                       validators=[DataRequired(), Length(max=80),
                                   Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Use lowercase letters, digits and "
                                                                              "dashes."))],
                       description=_l("The policy's short name; the same name adds a version to that policy."))
    language = SelectField(_l("Language"), choices=[(c, LANGUAGE_NAMES[c]) for c in LANGUAGE_CODES])
    version_label = StringField(_l("Version"), validators=[DataRequired(message=_l("Give the version a label, "
                                                                                   "such as 2.0.")),
                                                           Length(max=40)],
                                description=_l("Translations of the same text share a version label."))
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Enter a title.")), Length(max=200)])
    change = RadioField(_l("Kind of change"), default="material",
                        choices=[("material", _l("Material: everyone must read and acknowledge it again")),
                                 ("minor", _l("Minor (wording, typos, links): nobody is asked again"))])
    summary = TextAreaField(_l("Summary of changes"), validators=[Length(max=2000)],
                            render_kw={"rows": 2},
                            description=_l("Shown to employees with the new version."))
    body = TextAreaField(_l("Policy text (Markdown)"),
                         validators=[DataRequired(message=_l("Write the policy text.")), Length(max=MAX_BODY)],
                         render_kw={"rows": 24, "class": "font-monospace"},
                         description=_l("Sections start with “## ”. {{ organisation }} is replaced by the "
                                        "organisation's name. HTML is not allowed."))
    preview = SubmitField(_l("Preview"))
    publish = SubmitField(_l("Publish"))
