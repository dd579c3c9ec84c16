"""Forms of the account's token page."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectChoice, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from registrations.forms import FlaskForm
from registrations.inputs import DateWithin, PlainName


class ApiTokenCreateForm(FlaskForm):
    """A new personal access token: a name, what it may do, when it expires."""

    name = StringField(_l("Name of the token"), validators=[DataRequired(), Length(max=100), PlainName()],
                       description=_l("Where you use it, e.g. \u201cpersonnel system\u201d."))
    scopes = SelectMultipleField(_l("The token may"),
                                 choices=[SelectChoice("read", _l("Read")), SelectChoice("write", _l("Write"))],
                                 default=["read"], validators=[DataRequired()],
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    expires_on = DateField(_l("Expires on"), validators=[DataRequired(), DateWithin()],
                           description=_l("At most one year from today."))
    submit = SubmitField(_l("Create the token"))
