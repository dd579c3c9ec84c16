"""Forms of the signatories: the admin's record, and a session's choice."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from registrations.forms import FlaskForm
from registrations.inputs import PlainName

_IMAGE_HELP = _l("PNG or JPEG, at most 512 KB; a transparent PNG prints best.")


class SignatoryForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200), PlainName()])
    title_fr = StringField(_l("Title (French)"), validators=[DataRequired(), Length(max=250), PlainName()])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=250), PlainName()])
    title_vi = StringField(_l("Title (Vietnamese)"), validators=[Optional(), Length(max=250), PlainName()])
    title_km = StringField(_l("Title (Khmer)"), validators=[Optional(), Length(max=250), PlainName()])
    title_lo = StringField(_l("Title (Lao)"), validators=[Optional(), Length(max=250), PlainName()])
    signature = FileField(_l("Signature image"), description=_IMAGE_HELP)
    remove_signature = BooleanField(_l("Remove the signature image"))
    stamp = FileField(_l("Stamp image"), description=_IMAGE_HELP)
    remove_stamp = BooleanField(_l("Remove the stamp image"))
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class SessionSignatoryForm(FlaskForm):
    signatory_id = SelectField(_l("Signatory"), choices=[], validate_choice=False)
    submit = SubmitField(_l("Save"))
