from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional


def settings_form(specs, values: dict):
    """A form with one field per setting spec, filled with the current values."""

    class SettingsForm(FlaskForm):
        submit = SubmitField(_l("Save settings"))

    for spec in specs:
        name = spec.key.replace(".", "__")
        kwargs = {"description": spec.help}
        if spec.kind == "bool":
            field = BooleanField(spec.label, **kwargs)
        elif spec.kind == "int":
            field = IntegerField(spec.label, validators=[NumberRange(min=0, max=10_000_000)], **kwargs)
        elif spec.kind == "choice":
            field = SelectField(spec.label, choices=list(spec.choices), **kwargs)
        elif spec.kind == "text":
            field = TextAreaField(spec.label, validators=[Length(max=spec.max_length)], **kwargs)
        elif spec.kind == "secret":
            field = PasswordField(spec.label, validators=[Optional(), Length(max=spec.max_length)],
                                  description=_l("Leave empty to keep the current value."))
        else:
            field = StringField(spec.label, validators=[Length(max=spec.max_length)], **kwargs)
        setattr(SettingsForm, name, field)
    form = SettingsForm(data={spec.key.replace(".", "__"): values[spec.key] for spec in specs
                              if spec.kind != "secret"})
    return form
