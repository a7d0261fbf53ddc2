"""Form helpers shared by every feature."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length, ValidationError


def normalise_email(value: str) -> str:
    """Lower-cased, trimmed email; raises ValueError when it is not a valid address."""
    value = (value or "").strip()
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValueError(str(error)) from error
    return result.normalized.lower()


class ValidEmail:
    """Accept a syntactically valid email address; normalise the field's data."""

    def __call__(self, form, field):
        try:
            field.data = normalise_email(field.data)
        except ValueError as error:
            raise ValidationError(_l("Enter a valid email address, such as name@example.com.")) from error


def email_field(label=None, required: bool = True) -> StringField:
    validators = [DataRequired(message=_l("Enter an email address."))] if required else []
    return StringField(label or _l("Email"), validators=[*validators, Length(max=254), ValidEmail()],
                       render_kw={"autocomplete": "email", "inputmode": "email", "spellcheck": "false"})
