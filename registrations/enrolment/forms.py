"""Forms of the registrations blueprint: field formats only; the services check the rules."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, StopValidation

from registrations.enrolment.people import PersonDetails
from registrations.enrolment.services import RequestDetails
from registrations.forms import FlaskForm
from registrations.i18n import LANGUAGES
from registrations.inputs import LatinName, PlainName, parse_id
from registrations.models import QuestionKind, QuestionVisibility

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


class _Asked:
    """Marks an answer field as required on the page (the `*` and `required`); the service checks."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


#: What a file field accepts (the service checks the content).
FILE_ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def _answer_field(question):
    """The field asking one question: its format only, the rules are `answers.validate`'s."""
    from registrations.enrolment.answers import NO, TEXT_MAX, YES

    marks = [_Asked()] if question.required else []
    label = question.label
    kind = question.kind
    if kind == QuestionKind.FILE:
        return FileField(label, validators=marks, render_kw={"accept": FILE_ACCEPT},
                         description=_l("PDF, JPEG or PNG."))
    if kind == QuestionKind.CHOICE:
        return SelectField(label, validators=marks, validate_choice=False,
                           choices=[SelectChoice("", "—")] + [SelectChoice(o, o) for o in question.options])
    if kind == QuestionKind.YES_NO:
        return RadioField(label, validators=marks, validate_choice=False,
                          choices=[SelectChoice(YES, _l("yes")), SelectChoice(NO, _l("no"))])
    if kind == QuestionKind.DATE:
        # A date input may not carry maxlength: the pattern bounds it (the service checks the date).
        return StringField(label, validators=[Regexp(r"^[0-9-]{0,10}$", message=_l(
            "Enter a date between 1900 and 2099 (year-month-day).")), *marks], render_kw={"type": "date"})
    if kind == QuestionKind.NUMBER:
        return StringField(label, validators=[Length(max=30), *marks], render_kw={"inputmode": "decimal"})
    return StringField(label, validators=[Length(max=TEXT_MAX), *marks])


def with_questions(form_class, questions):
    """A subclass of `form_class` with one field per question (`q<id>`), in their order."""
    if not questions:
        return form_class
    extra = {f"q{question.id}": _answer_field(question) for question in questions}
    return type(form_class.__name__, (form_class,), extra)


def raw_answers(form, questions) -> dict:
    """The answers as the form received them: texts, and files read up to just past the limit."""
    from flask import current_app
    from werkzeug.datastructures import FileStorage

    from registrations.enrolment.answers import SentFile

    found = {}
    limit = current_app.config["ANSWER_FILE_MAX_BYTES"]
    for question in questions:
        data = form[f"q{question.id}"].data
        if isinstance(data, FileStorage):
            found[question.id] = SentFile(data=data.read(limit + 1), name=data.filename or "")
        elif isinstance(data, str):
            found[question.id] = data
    return found


def show_answer_errors(form, errors: dict) -> None:
    """Put the service's messages next to the questions they concern."""
    for question_id, message in errors.items():
        field = form[f"q{question_id}"]
        field.errors = [*field.errors, str(message)]


class RegistrationEditForm(PersonFieldsMixin, RequestFieldsMixin, FlaskForm):
    """A pending registration corrected by its agency (or the office)."""

    submit = SubmitField(_l("Save the changes"))


class RegistrationQuestionForm(FlaskForm):
    """One question of a session's registration form, in the five languages."""

    kind = SelectField(_l("Kind of answer"), choices=[SelectChoice(v, label) for v, label in QuestionKind.choices()])
    label_fr = StringField(_l("Question in French"), validators=[DataRequired(), Length(max=300), PlainName()])
    label_en = StringField(_l("Question in English"), validators=[Optional(), Length(max=300), PlainName()])
    label_vi = StringField(_l("Question in Vietnamese"), validators=[Optional(), Length(max=300), PlainName()])
    label_km = StringField(_l("Question in Khmer"), validators=[Optional(), Length(max=300), PlainName()])
    label_lo = StringField(_l("Question in Lao"), validators=[Optional(), Length(max=300), PlainName()])
    choices = TextAreaField(_l("Options"), validators=[Optional(), Length(max=10000)], render_kw={"rows": 3},
                            description=_l("For a choice: one option per line."))
    required = BooleanField(_l("An answer is required"))
    visibility = SelectField(_l("Who sees the answers"),
                             choices=[SelectChoice(v, label) for v, label in QuestionVisibility.choices()])
    sensitive = BooleanField(_l("Personal or sensitive (passport…): erase the answers after the session"))
    submit = SubmitField(_l("Save the question"))

    def data_input(self):
        from registrations.enrolment.questions import QuestionInput

        return QuestionInput(kind=self.kind.data, label_fr=self.label_fr.data, label_en=self.label_en.data,
                             label_vi=self.label_vi.data, label_km=self.label_km.data, label_lo=self.label_lo.data,
                             choices=self.choices.data, required=self.required.data,
                             visibility=self.visibility.data, sensitive=self.sensitive.data)


class BatchUploadForm(FlaskForm):
    """The filled-in nomination spreadsheet."""

    file = FileField(_l("Filled-in spreadsheet (XLSX)"), validators=[_Asked()],
                      render_kw={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    submit = SubmitField(_l("Check the file"))


class BatchConfirmForm(FlaskForm):
    """Confirms the rows of a checked file (kept signed in `batch`, never taken from the page)."""

    batch = HiddenField(validators=[DataRequired(), Length(max=400000)])
    submit = SubmitField(_l("Nominate the valid rows"))
