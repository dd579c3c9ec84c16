"""The admin's webhook form."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectMultipleField, StringField, SubmitField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from registrations.forms import FlaskForm
from registrations.inputs import PlainName

EVENT_LABELS = {
    "registration.created": _l("A registration is made"),
    "registration.state_changed": _l("A registration changes state"),
    "session.published": _l("A session is published"),
    "session.cancelled": _l("A session is cancelled"),
    "attendance.marked": _l("Attendance is marked"),
    "certificate.issued": _l("A certificate is issued"),
    "certificate.revoked": _l("A certificate is revoked"),
}


class WebhookEndpointForm(FlaskForm):
    """An address that receives the chosen events."""

    url = StringField(_l("Address (URL)"), validators=[DataRequired(), Length(max=2000), PlainName()],
                      description=_l("An http or https address on a public network."),
                      render_kw={"type": "url", "inputmode": "url"})
    events = SelectMultipleField(_l("Events"), validators=[DataRequired()],
                                 choices=[SelectChoice(name, label) for name, label in EVENT_LABELS.items()],
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    submit = SubmitField(_l("Register the endpoint"))
