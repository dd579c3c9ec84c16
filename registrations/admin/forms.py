"""Forms of the administration pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from registrations.i18n import LANGUAGES
from registrations.inputs import DateWithin, LatinName, PlainName
from registrations.models import AgencyKind, Role


def as_choices(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def _language_choices():
    return as_choices(LANGUAGES.items())


class AgencyEditForm(FlaskForm):
    name = StringField(_l("Name in French"), validators=[DataRequired(), Length(max=200), PlainName()])
    name_local = StringField(_l("Name in the local language"), validators=[Optional(), Length(max=200), PlainName()],
                             description=_l("As the agency writes it, in its own script."))
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40)],
                       description=_l("Short unique code, such as VN-MPS-C03."))
    country = StringField(_l("Country"), validators=[DataRequired(), Length(min=2, max=2)],
                          description=_l("Two-letter ISO code: VN, KH, LA, FR…"))
    kind = SelectField(_l("Kind"), choices=as_choices(AgencyKind.choices()), validators=[DataRequired()])
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class AgencyFilterForm(FlaskForm):
    class Meta:
        csrf = False

    country = SelectField(_l("Country"), validators=[Optional()])
    status = SelectField(_l("Status"), validators=[Optional()], choices=as_choices([
        ("", _l("All")), ("active", _l("Active")), ("inactive", _l("Deactivated"))]))


class AccountNewForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[
        DataRequired(), Length(max=254),
        Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter a valid email address."))])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200), PlainName()],
                       description=_l("For partners: the name in Latin script, as in the passport."))
    name_native = StringField(_l("Name in the person's own script"),
                              validators=[Optional(), Length(max=200), PlainName()])
    role = SelectField(_l("Role"), choices=as_choices(Role.choices()), default=Role.PARTNER.value)
    agency = SelectField(_l("Agency"), coerce=int, validators=[Optional()],
                         description=_l("Required for a partner."))
    locale = SelectField(_l("Language of emails"), choices=_language_choices(), default="fr")
    submit = SubmitField(_l("Create and send the invitation"))

    def validate_name(self, field) -> None:
        """A partner's name becomes their participant's Latin-script name (the certificate's main line)."""
        if self.role.data == Role.PARTNER.value:
            LatinName()(self, field)


class AccountEditForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200), PlainName()])
    agency = SelectField(_l("Agency"), coerce=int, validators=[Optional()])
    locale = SelectField(_l("Language"), choices=as_choices([("", _l("Not chosen"))]) + _language_choices())
    submit = SubmitField(_l("Save"))


class AccountRoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=as_choices(Role.choices()))
    submit = SubmitField(_l("Change the role"))


class AccountFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Email or name"), validators=[Optional(), Length(max=100)])
    role = SelectField(_l("Role"), validators=[Optional()], choices=as_choices([("", _l("All"))] + Role.choices()))
    status = SelectField(_l("Status"), validators=[Optional()], choices=as_choices([
        ("", _l("All")), ("active", _l("Active")), ("invited", _l("Invitation pending")),
        ("inactive", _l("Deactivated"))]))


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    who = StringField(_l("Who (email)"), validators=[Optional(), Length(max=254)])
    action = SelectField(_l("What"), validators=[Optional()])
    object_type = SelectField(_l("Object type"), validators=[Optional()])
    object_id = IntegerField(_l("Object number"), validators=[Optional(), NumberRange(min=1, max=2**31 - 1)])
    date_from = DateField(_l("From"), validators=[Optional(), DateWithin()])
    date_to = DateField(_l("To"), validators=[Optional(), DateWithin()])


class ParticipantSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name or email"), validators=[Optional(), Length(max=100)])
    agency = SelectField(_l("Agency"), coerce=int, validators=[Optional()])
