from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.desk.models import CATEGORIES, PLATFORMS, URGENCIES
from app.desk.services import (
    CATEGORY_LABELS,
    MAX_LINKS,
    MAX_SCREENSHOTS,
    PLATFORM_LABELS,
    URGENCY_LABELS,
    is_web_link,
    parse_links,
)

URGENCY_HELP = {
    "critical": _l("Critical — harm is happening now (answered within minutes, day and night)"),
    "high": _l("High — needs attention within the hour"),
    "normal": _l("Normal — within a few working hours"),
    "low": _l("Low — within a working day"),
}


class LinksField(TextAreaField):
    """One or more http(s) links, one per line."""

    def post_validate(self, form, validation_stopped):
        links = parse_links(self.data)
        if len(links) > MAX_LINKS:
            self.errors.append(_l("Give at most %(n)d links.", n=MAX_LINKS))
        for link in links:
            if len(link) > 2000 or not is_web_link(link):
                self.errors.append(_l("“%(link)s” is not a web link. Links must start with http:// or https://.",
                                      link=link[:80]))
        self.links = links


class ReportForm(FlaskForm):
    form_token = HiddenField()
    category = RadioField(_l("What is it about?"), choices=[(c, CATEGORY_LABELS[c]) for c in CATEGORIES],
                          validators=[DataRequired(message=_l("Choose what the report is about."))])
    platform = SelectField(_l("Where?"), choices=[(p, PLATFORM_LABELS[p]) for p in PLATFORMS])
    links = LinksField(_l("Links"), validators=[Optional(), Length(max=20000)],
                       description=_l("One per line. Each must start with http:// or https://."),
                       render_kw={"rows": 2, "spellcheck": "false", "inputmode": "url"})
    description = TextAreaField(_l("What happened?"),
                                validators=[DataRequired(message=_l("Tell us what happened.")), Length(max=10000)],
                                render_kw={"rows": 5})
    urgency = RadioField(_l("How urgent is it?"), choices=[(u, URGENCY_HELP[u]) for u in URGENCIES], default="normal",
                         validators=[DataRequired(message=_l("Choose how urgent it is."))])
    screenshots = MultipleFileField(
        _l("Screenshots (optional)"),
        description=_l("Up to %(n)d PNG, JPEG or WebP images, 5 MB each. Location and camera data are removed.",
                       n=MAX_SCREENSHOTS),
        render_kw={"accept": "image/png,image/jpeg,image/webp"})
    anonymous = BooleanField(
        _l("Report anonymously"),
        description=_l("Your name is not stored with the report and nothing in the logs links it to you. You get a "
                       "receipt code instead: keep it, because it is the only way to read replies and add "
                       "information. We cannot email you, and we cannot show the code again."))
    submit = SubmitField(_l("Send the report"))

    def validate_screenshots(self, field):
        files = [f for f in (field.data or []) if getattr(f, "filename", "")]
        if len(files) > MAX_SCREENSHOTS:
            raise ValidationError(_l("Attach at most %(n)d screenshots.", n=MAX_SCREENSHOTS))


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Add information"), id="message-body",
                         validators=[DataRequired(message=_l("Write a message.")), Length(max=10000)],
                         render_kw={"rows": 3})
    submit = SubmitField(_l("Send"))


class ReceiptForm(FlaskForm):
    receipt = StringField(_l("Receipt code"), validators=[DataRequired(message=_l("Enter your receipt code.")),
                                                          Length(max=60)],
                          render_kw={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"})
    submit = SubmitField(_l("Open my report"))


class AnonymousMessageForm(FlaskForm):
    receipt = HiddenField(validators=[DataRequired(), Length(max=60)])
    body = TextAreaField(_l("Add information"), id="message-body",
                         validators=[DataRequired(message=_l("Write a message.")), Length(max=10000)],
                         render_kw={"rows": 3})
    submit = SubmitField(_l("Send"))


class ReplyForm(FlaskForm):
    canned = SelectField(_l("Canned reply"), choices=[], validators=[Optional()], validate_choice=False)
    body = TextAreaField(_l("Reply to the reporter"), id="reply-body", validators=[Optional(), Length(max=10000)],
                         description=_l("The reporter sees this, signed with your name."), render_kw={"rows": 4})
    status_after = SelectField(_l("Then set the status to"), validate_choice=False, choices=[])
    submit = SubmitField(_l("Send reply"))


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Internal note"), id="note-body", validators=[DataRequired(message=_l("Write a note.")),
                                                           Length(max=10000)],
                         description=_l("Only the desk sees this. It is not a response to the reporter."),
                         render_kw={"rows": 3})
    submit = SubmitField(_l("Add internal note"))


class AssignForm(FlaskForm):
    assignee_id = SelectField(_l("Assignee"), coerce=int, choices=[])
    submit = SubmitField(_l("Assign"))


class StatusForm(FlaskForm):
    status = SelectField(_l("Status"), id="status-status", choices=[])
    reason = StringField(_l("Reason (needed to dismiss; the reporter sees it)"), validators=[Optional(),
                                                                                          Length(max=1000)])
    submit = SubmitField(_l("Change status"))


class TriageForm(FlaskForm):
    urgency = SelectField(_l("Urgency"), id="triage-urgency", choices=[(u, URGENCY_LABELS[u]) for u in URGENCIES])
    department_id = SelectField(_l("Owning department"), coerce=int, choices=[])
    submit = SubmitField(_l("Save triage"))


class EscalateForm(FlaskForm):
    to_user_id = SelectField(_l("Decision maker"), coerce=int, choices=[])
    note = TextAreaField(_l("What do you need decided?"), id="escalate-note",
                         validators=[DataRequired(message=_l("Write a note.")), Length(max=5000)],
                         render_kw={"rows": 3})
    submit = SubmitField(_l("Escalate"))


class AnswerEscalationForm(FlaskForm):
    answer = TextAreaField(_l("Your decision"), validators=[DataRequired(message=_l("Write your decision.")),
                                                            Length(max=5000)],
                           description=_l("Goes to the social team, not to the reporter."), render_kw={"rows": 4})
    submit = SubmitField(_l("Send decision"))


class AmplifyForm(FlaskForm):
    note = TextAreaField(_l("Note for the content team (optional)"), id="amplify-note",
                         validators=[Optional(), Length(max=2000)], render_kw={"rows": 2})
    submit = SubmitField(_l("Draft a content item"))


class CannedForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Enter a title.")), Length(max=120)])
    body = TextAreaField(_l("Text"), validators=[DataRequired(message=_l("Enter the text.")), Length(max=5000)],
                         render_kw={"rows": 5})
    submit = SubmitField(_l("Save"))


class ConfirmForm(FlaskForm):
    submit = SubmitField(_l("Confirm"))
