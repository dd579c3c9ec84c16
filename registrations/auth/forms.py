"""Forms of the auth blueprint."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from registrations.forms import FlaskForm

PASSWORD_MIN_LENGTH = 10


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()
    submit = SubmitField(_l("Log in"))


class PasswordChooseForm(FlaskForm):
    """Choosing a password through an invitation or reset link."""

    new_password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(min=PASSWORD_MIN_LENGTH, max=200,
                   message=_l("Use at least %(num)d characters.", num=PASSWORD_MIN_LENGTH)),
        ],
        description=_l("At least %(num)d characters.", num=PASSWORD_MIN_LENGTH),
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
    )
    submit = SubmitField(_l("Save my password"))


class PasswordChangeForm(PasswordChooseForm):
    """Changing one's password while logged in: the current one first, then a new one."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Change password"))
