"""Forms of the registrations blueprint: field formats only; the services check the rules."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, StopValidation

from registrations.enrolment.people import PersonDetails
from registrations.enrolment.services import RequestDetails
from registrations.forms import FlaskForm
from registrations.i18n import LANGUAGES
from registrations.inputs import LatinName, PlainName, parse_id

PHONE = Regexp(r"^[0-9+()./ -]*$", message=_l("Use digits, spaces and + ( ) . / - only."))
#: The shape of an address only (name@domain.tld): the office's own test domains must pass too.
EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter a valid email address."))


class _Required(DataRequired):
    """Required, unless the form says the person's details are not needed (existing colleague)."""

    def __call__(self, form, field):
        if getattr(form, "person_needed", True):
            super().__call__(form, field)
        elif not field.data:
            raise StopValidation()


class PersonFieldsMixin:
    """The participant's details organisers need."""

    name_latin = StringField(_l("Name in Latin script"),
                             validators=[_Required(), Length(max=200), PlainName(), LatinName()],
                             description=_l("As written in the passport."))
    name_native = StringField(_l("Name in own script"), validators=[Optional(), Length(max=200), PlainName()],
                              description=_l("Vietnamese, Khmer, Lao…, if different."))
    rank = StringField(_l("Rank"), validators=[_Required(), Length(max=120), PlainName()])
    unit = StringField(_l("Unit"), validators=[_Required(), Length(max=200), PlainName()])
    email = EmailField(_l("Email"), validators=[_Required(), Length(max=254), EMAIL])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40), PHONE])
    languages = StringField(_l("Languages spoken"), validators=[Optional(), Length(max=200)],
                            description=_l("For example: Vietnamese, English, French."))
    locale = SelectField(_l("Language of emails"), default="fr",
                         choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()])

    def person(self) -> PersonDetails:
        return PersonDetails(name_latin=self.name_latin.data, name_native=self.name_native.data,
                             rank=self.rank.data, unit=self.unit.data, email=self.email.data,
                             phone=self.phone.data, languages=self.languages.data, locale=self.locale.data)


class RequestFieldsMixin:
    """What the registration asks for."""

    needs_diet = StringField(_l("Dietary needs"), validators=[Optional(), Length(max=250)])
    needs_interpretation = StringField(_l("Interpretation needs"), validators=[Optional(), Length(max=250)],
                                       description=_l("Languages you need interpretation into."))
    needs_accessibility = StringField(_l("Accessibility needs"), validators=[Optional(), Length(max=250)])
    motivation = TextAreaField(_l("Motivation"), validators=[Optional(), Length(max=1000)],
                               description=_l("A few lines: why this session matters for your work."),
                               render_kw={"rows": 3})

    def details(self) -> RequestDetails:
        return RequestDetails(motivation=self.motivation.data, needs_diet=self.needs_diet.data,
                              needs_interpretation=self.needs_interpretation.data,
                              needs_accessibility=self.needs_accessibility.data)


class RegistrationSelfForm(PersonFieldsMixin, RequestFieldsMixin, FlaskForm):
    submit = SubmitField(_l("Register"))


class RegistrationNominateForm(PersonFieldsMixin, RequestFieldsMixin, FlaskForm):
    participant_id = SelectField(_l("Colleague"), validate_choice=False,
                                 description=_l("Choose a colleague of your agency, or leave empty to add "
                                                "a new person below."))
    confirm_new = BooleanField(_l("This is another person with the same name: create a new participant"))
    submit = SubmitField(_l("Nominate"))

    @property
    def chosen_participant(self) -> int | None:
        """The chosen colleague's id (None for a new person); a non-number is a bad request."""
        value = (self.participant_id.data or "").strip()
        if not value:
            return None
        number = parse_id(value)
        if number is None:
            raise ValueError(value)
        return number

    @property
    def person_needed(self) -> bool:
        return not (self.participant_id.data or "").strip()


class RegistrationCancelForm(FlaskForm):
    reason = TextAreaField(_l("Reason (optional)"), validators=[Optional(), Length(max=500)], render_kw={"rows": 2})
    submit = SubmitField(_l("Cancel the registration"))


class CancelRequestRefuseForm(FlaskForm):
    """The office's answer to a partner's cancellation request, when it says no."""

    refusal = StringField(_l("Reason for refusing"), validators=[DataRequired(), Length(max=500)],
                          description=_l("Sent to the partner."))
    submit = SubmitField(_l("Refuse the request"))


class RegistrationDecisionForm(FlaskForm):
    """A decision on the registrations ticked in the list (their ids come as `ids`)."""

    action = SelectField(_l("Decision"), choices=[
        SelectChoice("approve", _l("Accept in order what fits; the rest stays pending")),
        SelectChoice("approve_waitlist", _l("Accept in order what fits; the rest goes on the waiting list")),
        SelectChoice("reject", _l("Reject")),
        SelectChoice("waitlist", _l("Put on the waiting list")), SelectChoice("cancel", _l("Cancel")),
    ])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)],
                         description=_l("Required to reject; sent to the participant."))
    submit = SubmitField(_l("Apply to the selection"))


class RegistrationNoteForm(FlaskForm):
    internal_note = TextAreaField(_l("Internal note"), validators=[Optional(), Length(max=2000)],
                                  description=_l("Seen by the cooperation office only."), render_kw={"rows": 3})
    submit = SubmitField(_l("Save the note"))
