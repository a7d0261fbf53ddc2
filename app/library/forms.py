"""Library forms. Rules (limits, blocked words, safe links) live in services; fields only shape input."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from app.people.models import LANGUAGE_CODES

LANGUAGE_NAMES = {"en": "English", "da": "Dansk", "sv": "Svenska", "nb": "Norsk bokmål", "nl": "Nederlands"}


class ItemForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(message=_l("Give the item a title.")),
                                                 Length(max=200)])
    link = StringField(_l("Link"), validators=[DataRequired(message=_l("Enter the address to share.")),
                                               Length(max=1000)],
                       description=_l("The page people share, starting with https://."),
                       render_kw={"inputmode": "url", "spellcheck": "false"})
    kind = SelectField(_l("Kind"), choices=[
        ("", _l("Other")), ("product-news", _l("Product news")), ("company-news", _l("Company news")),
        ("job-opening", _l("Job opening")), ("customer-story", _l("Customer story")), ("event", _l("Event")),
        ("thought-leadership", _l("Thought leadership")), ("community", _l("Community"))], validators=[Optional()])
    body = TextAreaField(_l("Why share it (Markdown)"), validators=[Length(max=20000)], render_kw={"rows": 8},
                         description=_l("Shown to employees; tell them why it matters and how to make it their own."))
    topics = StringField(_l("Topics"), validators=[Length(max=300)],
                         description=_l("Comma-separated, e.g. product, careers."))
    language = SelectField(_l("Written in"), choices=[(c, LANGUAGE_NAMES[c]) for c in LANGUAGE_CODES])
    audience_languages = SelectMultipleField(_l("Audience languages"),
                                             choices=[(c, LANGUAGE_NAMES[c]) for c in LANGUAGE_CODES],
                                             description=_l("Leave empty for everyone."))
    department_ids = SelectMultipleField(_l("Audience departments"), coerce=int,
                                         description=_l("Leave empty for every department."))
    caption_linkedin = TextAreaField(_l("LinkedIn caption"), validators=[Length(max=3000)], render_kw={"rows": 4})
    caption_x = TextAreaField(_l("X caption"), validators=[Length(max=1000)], render_kw={"rows": 3})
    caption_facebook = TextAreaField(_l("Facebook caption"), validators=[Length(max=5000)], render_kw={"rows": 3})
    image = FileField(_l("Image"), description=_l("PNG, JPEG or WebP, up to 5 MB."),
                      render_kw={"accept": "image/png,image/jpeg,image/webp"})
    remove_image = BooleanField(_l("Remove the current image"))
    publish_at = DateTimeLocalField(_l("Publish from"), validators=[Optional()], format="%Y-%m-%dT%H:%M")
    expires_at = DateTimeLocalField(_l("Expires"), validators=[Optional()], format="%Y-%m-%dT%H:%M",
                                    description=_l("After this, the item leaves the feed; links keep working."))


class ShareForm(FlaskForm):
    network = HiddenField(validators=[DataRequired()])
    caption = TextAreaField(_l("Your words"), validators=[Length(max=5000)])


class SuggestForm(FlaskForm):
    link = StringField(_l("Link"), validators=[DataRequired(message=_l("Enter the address to share.")),
                                               Length(max=1000)],
                       render_kw={"inputmode": "url", "spellcheck": "false"})
    why = TextAreaField(_l("Why it matters"), validators=[DataRequired(message=_l("Say why it matters.")),
                                                          Length(max=5000)], render_kw={"rows": 4})
    caption = TextAreaField(_l("A caption you would post (optional)"), validators=[Length(max=3000)],
                            render_kw={"rows": 3})


class AcceptForm(FlaskForm):
    title = StringField(_l("Title for the draft"), validators=[DataRequired(), Length(max=200)])


class DeclineForm(FlaskForm):
    note = TextAreaField(_l("Note to the colleague"), validators=[DataRequired(message=_l(
        "Tell the colleague why, in a sentence.")), Length(max=2000)], render_kw={"rows": 2})


class PauseForm(FlaskForm):
    reason = TextAreaField(_l("Reason (every employee sees it)"),
                           validators=[DataRequired(message=_l("Say why sharing is paused.")), Length(max=1000)],
                           render_kw={"rows": 2})


class ConfirmForm(FlaskForm):
    """An empty form that only carries the CSRF token."""


class PreferenceForm(FlaskForm):
    digest = BooleanField(_l("Email me a weekly digest of new content"))
    leaderboard = BooleanField(_l("Take part in my department's leaderboard"),
                               description=_l("Only colleagues who opt in are listed, and only within the department."))
