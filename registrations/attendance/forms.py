"""Forms of the attendance blueprint (marks themselves are plain posts, see views.mark)."""

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from registrations.forms import FlaskForm
from registrations.inputs import parse_id


def _optional_int(value):
    """An int from a select's value, or None when nothing usable was sent."""
    return parse_id(value)


class CheckInForm(FlaskForm):
    """The check-in page: a personal code, typed or from a scanner, and the part of the day."""

    code = StringField(
        _l("Personal code"),
        validators=[DataRequired(message=_l("Enter the participant's personal code.")), Length(max=64)],
        description=_l("Type the code or scan the QR code; capitals, spaces and dashes do not matter."),
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                   "autofocus": True, "enterkeyhint": "go"},
    )
    day_id = SelectField(_l("Part of the day"), coerce=_optional_int, validate_choice=False)
    submit = SubmitField(_l("Check in"))


class KioskStartForm(FlaskForm):
    """Turn this device into the session's self check-in kiosk."""

    submit = SubmitField(_l("Start kiosk mode"))


class KioskLeaveForm(FlaskForm):
    """Leave kiosk mode: the organiser types their password again."""

    password = PasswordField(
        _l("Organiser's password"),
        validators=[DataRequired(message=_l("Type the organiser's password to leave kiosk mode.")), Length(max=200)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Leave kiosk mode"))
