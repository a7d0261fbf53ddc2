from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, SelectMultipleField, SubmitField
from wtforms.validators import NumberRange, Optional


class StartQuizForm(FlaskForm):
    submit = SubmitField(_l("Take the quiz"))


class QuizForm(FlaskForm):
    """The quiz's fields are per attempt (`q-<question token>` = option tokens), so they are read here."""

    submit = SubmitField(_l("Submit my answers"))

    def answers(self) -> dict[str, list[str]]:
        return {key[2:]: [v for v in request.form.getlist(key) if v]
                for key in request.form if key.startswith("q-")}


class AssignmentForm(FlaskForm):
    audience = RadioField(_l("Who must take this module"), default="everyone",
                          choices=[("everyone", _l("Everyone")),
                                   ("groups", _l("The departments and roles chosen below"))])
    departments = SelectMultipleField(_l("Departments"), coerce=str, validators=[Optional()])
    roles = SelectMultipleField(_l("Roles"), coerce=str, validators=[Optional()],
                                choices=[("social", _l("Social team")), ("admin", _l("Admins")),
                                         ("decision_maker", _l("Decision makers")), ("manager", _l("Managers"))])
    due_mode = RadioField(_l("Due"), default="days",
                          choices=[("days", _l("A number of days after a person's start date (or after today "
                                               "for people who started earlier)")),
                                   ("date", _l("On a fixed date"))])
    due_days = IntegerField(_l("Days after the start date"), validators=[Optional(), NumberRange(min=0, max=3650)])
    due_date = DateField(_l("Fixed due date"), validators=[Optional()])
    submit = SubmitField(_l("Save the assignment"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.audience.data == "groups" and not (self.departments.data or self.roles.data):
            self.departments.errors.append(_l("Choose at least one department or role."))
            ok = False
        if self.due_mode.data == "days" and self.due_days.data is None:
            self.due_days.errors.append(_l("Enter the number of days."))
            ok = False
        if self.due_mode.data == "date" and self.due_date.data is None:
            self.due_date.errors.append(_l("Choose the due date."))
            ok = False
        return ok
