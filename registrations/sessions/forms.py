"""Forms of the sessions blueprint: the catalogue's filters, the session, its days, its actions.

Fields check formats; the rules (dates in order, capacity, quotas, countries) are checked by
`services.validate`, whose messages the views attach to the same fields.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SearchField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from registrations.inputs import DateWithin, PlainName, parse_id
from registrations.models import DayPart, SessionKind, Theme
from registrations.models.sessions import CONTENT_LOCALES
from registrations.sessions.choices import COUNTRY_NAMES, LANGUAGE_NAMES
from registrations.sessions.services import CAPACITY_MAX, QuotaSpec, local_to_utc, utc_to_local

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
#: Languages offered for the other titles and descriptions (French is required).
OTHER_LOCALES = [code for code in CONTENT_LOCALES if code != "fr"]


class CheckboxesField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def options(pairs) -> list[SelectChoice]:
    """(value, label) pairs as the options of a select field."""
    return [SelectChoice(value, label) for value, label in pairs]


def _any(label):
    return [("", label)]


class CatalogueFilterForm(FlaskForm):
    """The catalogue's filters (a GET form: no CSRF token, nothing changes)."""

    class Meta:
        csrf = False

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=120)],
                    description=_l("Title, city or venue, with or without accents."))
    theme = SelectField(_l("Theme"), choices=options(_any(_l("All themes")) + Theme.choices()), validate_choice=False)
    kind = SelectField(_l("Kind"), choices=options(_any(_l("All kinds")) + SessionKind.choices()),
                       validate_choice=False)
    country = SelectField(_l("Country"), choices=options(_any(_l("All countries")) + list(COUNTRY_NAMES.items())),
                          validate_choice=False)
    city = SelectField(_l("City"), choices=options(_any(_l("All cities"))), validate_choice=False)
    month = StringField(_l("Month"), validators=[Optional(), Regexp(r"^\d{4}-\d{2}$",
                        message=_l("Choose a month."))], render_kw={"type": "month", "placeholder": "2026-09"})
    language = SelectField(_l("Language"), choices=options(_any(_l("All languages")) + list(LANGUAGE_NAMES.items())),
                           validate_choice=False, description=_l("Working language or interpretation."))


class QuotaRowForm(Form):
    """One row of the quota table: a country or an agency, and its seats."""

    target = SelectField(_l("Quota for"), choices=[], validate_choice=False)
    seats = IntegerField(_l("Seats"), validators=[Optional(), NumberRange(min=0, max=CAPACITY_MAX)])


class SessionForm(FlaskForm):
    """Create or edit a session."""

    title_fr = StringField(_l("Title (French)"), validators=[DataRequired(), Length(max=250), PlainName()])
    description_fr = TextAreaField(_l("Description (French)"), validators=[Optional(), Length(max=10000)],
                                   render_kw={"rows": 5})
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=250), PlainName()])
    description_en = TextAreaField(_l("Description (English)"), validators=[Optional(), Length(max=10000)],
                                   render_kw={"rows": 4})
    title_vi = StringField(_l("Title (Vietnamese)"), validators=[Optional(), Length(max=250), PlainName()])
    description_vi = TextAreaField(_l("Description (Vietnamese)"), validators=[Optional(), Length(max=10000)],
                                   render_kw={"rows": 4})
    title_km = StringField(_l("Title (Khmer)"), validators=[Optional(), Length(max=250), PlainName()])
    description_km = TextAreaField(_l("Description (Khmer)"), validators=[Optional(), Length(max=10000)],
                                   render_kw={"rows": 4})
    title_lo = StringField(_l("Title (Lao)"), validators=[Optional(), Length(max=250), PlainName()])
    description_lo = TextAreaField(_l("Description (Lao)"), validators=[Optional(), Length(max=10000)],
                                   render_kw={"rows": 4})
    kind = SelectField(_l("Kind"), choices=options(SessionKind.choices()), validators=[InputRequired()])
    theme = SelectField(_l("Theme"), choices=options(Theme.choices()), validators=[InputRequired()])
    city = StringField(_l("City"), validators=[DataRequired(), Length(max=120), PlainName()])
    country = SelectField(_l("Host country"), choices=options(COUNTRY_NAMES.items()), validators=[InputRequired()])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=250), PlainName()])
    start_date = DateField(_l("Start date"), validators=[InputRequired(message=_l("Give a valid date.")), DateWithin()])
    end_date = DateField(_l("End date"), validators=[InputRequired(message=_l("Give a valid date.")), DateWithin()])
    working_language = SelectField(_l("Working language"), choices=options(LANGUAGE_NAMES.items()))
    interpretation = CheckboxesField(_l("Interpretation into"), choices=options(LANGUAGE_NAMES.items()))
    capacity = IntegerField(_l("Capacity (seats)"), validators=[
        InputRequired(message=_l("Give a number.")),
        NumberRange(max=CAPACITY_MAX, message=_l("A session has at most %(max)d seats."))])
    registration_opens_at = DateTimeLocalField(
        _l("Registration opens"), format=DATETIME_FORMAT, validators=[Optional(), DateWithin()],
        description=_l("Leave empty to open registration as soon as the session is published."))
    registration_deadline = DateTimeLocalField(
        _l("Registration deadline"), format=DATETIME_FORMAT, validators=[Optional(), DateWithin()],
        description=_l("Leave empty to accept registrations until the day before the start."))
    eligible_countries = CheckboxesField(_l("Eligible countries"), choices=options(COUNTRY_NAMES.items()),
                                         description=_l("None ticked: officers of every country may register."))
    attendance_threshold = IntegerField(
        _l("Attendance needed for a certificate (%)"), default=80,
        validators=[InputRequired(message=_l("Give a number.")), NumberRange(min=0, max=100)])
    excused_counts_as_attended = BooleanField(_l("An excused absence counts as attended"))
    approval = RadioField(_l("Registrations are approved"), default="organiser",
                          choices=options([("organiser", _l("by an organiser")), ("auto", _l("automatically"))]))
    confirm_promotions = BooleanField(
        _l("Offer freed seats for confirmation"),
        description=_l("When a seat frees, the next person on the waiting list must confirm within the "
                       "offer window instead of being approved at once."))
    offer_hours = IntegerField(_l("Offer window (hours)"), default=72,
                               validators=[InputRequired(message=_l("Give a number.")), NumberRange(min=1, max=720)])
    serial_prefix = StringField(
        _l("Certificate serial prefix"), validators=[Optional(), Regexp(r"^[A-Za-z0-9]{1,8}$",
                                                     message=_l("Up to 8 letters or digits."))],
        description=_l("Leave empty to derive it from the city (Hà Nội → HAN)."))
    quotas = FieldList(FormField(QuotaRowForm), label=_l("Seat quotas"), min_entries=0)
    submit = SubmitField(_l("Save"))

    def fill_from(self, session, quotas: list[QuotaSpec], spare_rows: int = 3) -> None:
        """Show a session's data (GET of the edit page)."""
        for name in self.value_fields():
            getattr(self, name).data = getattr(session, name)
        self.interpretation.data = [code for code in session.interpretation.split(",") if code]
        self.eligible_countries.data = session.eligible_country_list
        self.registration_opens_at.data = utc_to_local(session.registration_opens_at)
        self.registration_deadline.data = utc_to_local(session.registration_deadline)
        self.kind.data, self.theme.data = session.kind.value, session.theme.value
        self.approval.data = "auto" if session.auto_approve else "organiser"
        for quota in quotas:
            self.quotas.append_entry({"target": quota_target(quota), "seats": quota.seats})
        self.add_spare_quota_rows(spare_rows)

    def add_spare_quota_rows(self, count: int = 3) -> None:
        for _ in range(count):
            self.quotas.append_entry()

    def value_fields(self) -> list[str]:
        return [f"title_{code}" for code in CONTENT_LOCALES] + [f"description_{code}" for code in CONTENT_LOCALES] + [
            "city", "country", "venue", "start_date", "end_date", "working_language", "capacity",
            "attendance_threshold", "excused_counts_as_attended", "confirm_promotions", "offer_hours",
            "serial_prefix"]

    def values(self) -> dict:
        """The session's values for the services (times converted to UTC)."""
        values = {name: getattr(self, name).data for name in self.value_fields()}
        values.update(
            kind=SessionKind(self.kind.data), theme=Theme(self.theme.data),
            interpretation=",".join(self.interpretation.data or []),
            eligible_countries=",".join(self.eligible_countries.data or []),
            registration_opens_at=local_to_utc(self.registration_opens_at.data),
            registration_deadline=local_to_utc(self.registration_deadline.data),
            auto_approve=self.approval.data == "auto",
            serial_prefix=self.serial_prefix.data or "",
        )
        for name, value in values.items():
            if value is None and name.startswith(("title_", "description_", "venue")):
                values[name] = ""
        return values

    def quota_specs(self) -> list[QuotaSpec] | None:
        """The quota rows as specs; None (with field errors) when a row is incomplete."""
        specs, complete = [], True
        for row in self.quotas:
            target, seats = row.target.data or "", row.seats.data
            if not target and seats is None:
                continue
            if not target or seats is None:
                row.seats.errors = [*row.seats.errors, str(_l("Choose who the quota is for and its seats."))]
                complete = False
                continue
            kind, _, value = target.partition(":")
            if kind == "agency" and parse_id(value) is not None:
                specs.append(QuotaSpec(seats=seats, agency_id=parse_id(value)))
            elif kind == "country" and value in COUNTRY_NAMES:
                specs.append(QuotaSpec(seats=seats, country=value))
            else:
                row.target.errors = [*row.target.errors, str(_l("Choose who the quota is for."))]
                complete = False
        return specs if complete else None


def quota_target(quota: QuotaSpec) -> str:
    return f"agency:{quota.agency_id}" if quota.agency_id else f"country:{quota.country}"


def quota_choices(agencies) -> list[SelectChoice]:
    """Options of a quota row: no quota, each country, each partner agency."""
    choices = [("", str(_l("No quota")))]
    choices += [(f"country:{code}", str(_l("Country: %(name)s", name=name))) for code, name in COUNTRY_NAMES.items()]
    choices += [(f"agency:{agency.id}", f"{agency.country} · {agency.name}") for agency in agencies]
    return options(choices)


class DayRowForm(Form):
    """One existing day in the days editor."""

    day_id = HiddenField()
    part = SelectField(_l("Part of the day"), choices=options(DayPart.choices()), default="full")
    programme = TextAreaField(_l("Programme"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})
    split = BooleanField(_l("Split into morning and afternoon"))
    remove = BooleanField(_l("Remove this day"))


class SessionDaysForm(FlaskForm):
    """Edit the days of a session and add one."""

    days = FieldList(FormField(DayRowForm), min_entries=0)
    add_date = DateField(_l("Add a day on"), validators=[Optional(), DateWithin()])
    add_part = SelectField(_l("Part of the day"), choices=options(DayPart.choices()), default="full")
    submit = SubmitField(_l("Save the days"))


class CancelSessionForm(FlaskForm):
    reason = TextAreaField(_l("Reason for the cancellation"), validators=[DataRequired(), Length(max=2000)],
                           description=_l("Sent by email to every registered person."), render_kw={"rows": 3})
    submit = SubmitField(_l("Cancel the session"))


class DuplicateSessionForm(FlaskForm):
    start_date = DateField(_l("Start date of the new session"),
                           validators=[InputRequired(message=_l("Give a valid date.")), DateWithin()])
    end_date = DateField(_l("End date of the new session"), validators=[Optional(), DateWithin()],
                         description=_l("Leave empty to keep the same length."))
    submit = SubmitField(_l("Duplicate as a new draft"))
