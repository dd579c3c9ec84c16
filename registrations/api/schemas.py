"""Schemas of the API: each validates a request, serialises an answer and documents both."""

from datetime import date, datetime, timezone

from marshmallow import Schema, ValidationError, fields, validate

from registrations.models import RegistrationState, SessionKind, SessionStatus, Theme

#: Text without control or direction characters (tab, line feed and carriage return allowed, as
#: in the pages' text areas); a line (names, query values) refuses those three too.
TEXT_PATTERN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\u200e\\u200f\\u061c\\u202a-\\u202e\\u2066-\\u2069]*$"
LINE_PATTERN = "^[^\\x00-\\x1f\\x7f-\\x9f\\u200e\\u200f\\u061c\\u202a-\\u202e\\u2066-\\u2069]*$"


class FullMatch(validate.Regexp):
    """A pattern that must match the whole value (Python's `$` would let a final line feed pass)."""

    def __call__(self, value):
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


def _text(max_length: int, min_length: int = 0, *, line: bool = False, **kwargs):
    """A text field of at most `max_length` characters, without control characters (documented
    as a pattern, so that clients and fuzzers know)."""
    return fields.String(validate=[validate.Length(min=min_length, max=max_length),
                                   FullMatch(LINE_PATTERN if line else TEXT_PATTERN,
                                                   error="Control and direction characters are refused.")],
                         **kwargs)


def _line(max_length: int, min_length: int = 0, **kwargs):
    return _text(max_length, min_length, line=True, **kwargs)


class ProblemSchema(Schema):
    """An error (RFC 9457): `title` and `detail` in the caller's language, `errors` by field."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    instance = fields.String()
    errors = fields.Dict(metadata={"description": "Refused fields, by place (json, query) and name."})


class PageArgs(Schema):
    """Cursor pagination of every list."""

    cursor = fields.String(validate=[validate.Length(max=200), FullMatch("^[A-Za-z0-9_-]*$")],
                           metadata={"description": "The `next_cursor` of the previous page."})
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class SessionListArgs(PageArgs):
    """The catalogue's filters."""

    q = _line(120, metadata={"description": "Title, city or venue, with or without accents."})
    theme = fields.String(validate=validate.OneOf([t.value for t in Theme]))
    kind = fields.String(validate=validate.OneOf([k.value for k in SessionKind]))
    country = fields.String(validate=validate.Regexp(r"^[A-Z]{2}$"))
    city = _line(120)
    month = fields.String(validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"),
                          metadata={"description": "YYYY-MM: sessions running during that month."})
    language = fields.String(validate=validate.OneOf(["fr", "en", "vi", "km", "lo"]))


class DaySchema(Schema):
    id = fields.Integer()
    date = fields.Date()
    part = fields.String(attribute="part.value")
    programme = fields.String()


class SessionSchema(Schema):
    """A session as the catalogue shows it."""

    id = fields.Integer()
    title = fields.String(metadata={"description": "In the caller's language (French when not translated)."})
    kind = fields.String(attribute="kind.value", metadata={"enum": [k.value for k in SessionKind]})
    theme = fields.String(attribute="theme.value", metadata={"enum": [t.value for t in Theme]})
    status = fields.String(attribute="status.value", metadata={"enum": [s.value for s in SessionStatus]})
    city = fields.String()
    country = fields.String()
    venue = fields.String()
    start_date = fields.Date()
    end_date = fields.Date()
    working_language = fields.String()
    interpretation = fields.String()
    capacity = fields.Integer()
    seats_left = fields.Integer()
    registration_deadline = fields.DateTime(allow_none=True)
    registration_open = fields.Function(lambda session: session.registration_is_open())


class SessionDetailSchema(SessionSchema):
    description = fields.String()
    eligible_countries = fields.List(fields.String(), attribute="eligible_country_list")
    attendance_threshold = fields.Integer()
    days = fields.List(fields.Nested(DaySchema))


class SessionPage(Schema):
    items = fields.List(fields.Nested(SessionSchema))
    next_cursor = fields.String(allow_none=True)


class PersonSchema(Schema):
    """A participant as lists show them."""

    id = fields.Integer()
    agency_id = fields.Integer()
    name_latin = fields.String()
    name_native = fields.String()
    rank = fields.String()
    unit = fields.String()
    email = fields.String(allow_none=True)


class ParticipantRefSchema(Schema):
    """The participant of a registration."""

    id = fields.Integer()
    name_latin = fields.String()
    name_native = fields.String()


class ParticipantPage(Schema):
    items = fields.List(fields.Nested(PersonSchema))
    next_cursor = fields.String(allow_none=True)


class RegistrationSchema(Schema):
    id = fields.Integer()
    session_id = fields.Integer()
    agency_id = fields.Integer()
    participant = fields.Nested(ParticipantRefSchema)
    state = fields.String(attribute="state.value", metadata={"enum": [s.value for s in RegistrationState]})
    nominated = fields.Boolean()
    reason = fields.String()
    created_at = fields.DateTime()


class RegistrationPage(Schema):
    items = fields.List(fields.Nested(RegistrationSchema))
    next_cursor = fields.String(allow_none=True)


class RegistrationListArgs(PageArgs):
    state = fields.String(validate=validate.OneOf([s.value for s in RegistrationState]))
    session_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class NewPersonSchema(Schema):
    name_latin = _line(200, min_length=1, required=True)
    email = fields.Email(required=True, validate=validate.Length(max=254))
    name_native = _line(200, load_default="")
    rank = _line(120, load_default="")
    unit = _line(200, load_default="")
    phone = _line(40, load_default="")
    locale = fields.String(load_default="fr", validate=validate.OneOf(["fr", "en", "vi", "km", "lo"]))


class NominationSchema(Schema):
    """A nomination: one of the agency's participants (`participant_id`) or a new `person`."""

    participant_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    person = fields.Nested(NewPersonSchema)
    confirm_new = fields.Boolean(load_default=False, metadata={
        "description": "Register a new person even when the agency has a namesake."})
    motivation = _text(2000, load_default="")
    needs_diet = _text(250, load_default="")
    needs_interpretation = _text(250, load_default="")
    needs_accessibility = _text(250, load_default="")


class CancelSchema(Schema):
    reason = _text(500, load_default="")


class DecisionSchema(Schema):
    registration_ids = fields.List(fields.Integer(validate=validate.Range(min=1, max=2**31 - 1)),
                                   required=True, validate=validate.Length(min=1, max=500))
    action = fields.String(required=True, validate=validate.OneOf(["approve", "reject", "waitlist", "cancel"]))
    reason = _text(500, load_default="")


class DecisionResult(Schema):
    items = fields.List(fields.Nested(RegistrationSchema))


class MeSchema(Schema):
    id = fields.Integer()
    email = fields.String()
    role = fields.String(attribute="role.value")
    agency_id = fields.Integer(allow_none=True)
    display_name = fields.String()
    scopes = fields.List(fields.String())


class StatusChangeSchema(Schema):
    status = fields.String(required=True,
                           validate=validate.OneOf(["published", "closed", "completed", "cancelled"]))
    reason = _text(2000, load_default="",
                   metadata={"description": "Required to cancel: sent to the people registered."})


class MarkSchema(Schema):
    registration_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    status = fields.String(required=True, validate=validate.OneOf(["present", "late", "excused", "absent"]))


class MarksSchema(Schema):
    """Marks of one day; sending the same marks again changes nothing (and an Idempotency-Key
    returns the first answer)."""

    marks = fields.List(fields.Nested(MarkSchema), required=True, validate=validate.Length(min=1, max=500))


class DayMarkSchema(Schema):
    registration_id = fields.Integer()
    participant = fields.Nested(ParticipantRefSchema)
    status = fields.String(allow_none=True, metadata={"enum": ["present", "late", "excused", "absent", None]})


class DayAttendanceSchema(Schema):
    day = fields.Nested(DaySchema)
    marks = fields.List(fields.Nested(DayMarkSchema))


class CertificateSchema(Schema):
    id = fields.Integer()
    registration_id = fields.Integer()
    serial = fields.String()
    status = fields.String(attribute="status.value", metadata={"enum": ["valid", "revoked", "superseded"]})
    issued_at = fields.DateTime()
    revoked_at = fields.DateTime(allow_none=True)
    revoke_reason = fields.String()
    facts = fields.Dict(metadata={"description": "What the certificate states (names, session, dates)."})


class CertificatePage(Schema):
    items = fields.List(fields.Nested(CertificateSchema))
    next_cursor = fields.String(allow_none=True)


class RevokeSchema(Schema):
    reason = _text(500, min_length=1, required=True)


class VerificationSchema(Schema):
    serial = fields.String()
    status = fields.String(metadata={"enum": ["valid", "revoked", "superseded"]})
    participant_name = fields.String()
    session_title = fields.String()
    issue_date = fields.String()
    revoke_reason = fields.String()


class QuestionResultSchema(Schema):
    id = fields.Integer(attribute="question.id")
    code = fields.String(attribute="question.code")
    text = fields.String(attribute="question.text")
    answered = fields.Integer()
    mean = fields.Float(allow_none=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())


class EvaluationResultsSchema(Schema):
    approved = fields.Integer()
    responses = fields.Integer()
    response_rate = fields.Float()
    questions = fields.List(fields.Nested(QuestionResultSchema))


class QuotaSchema(Schema):
    """Seats reserved at most for one country or one agency (give exactly one of the two)."""

    seats = fields.Integer(required=True, validate=validate.Range(min=0, max=10_000))
    country = fields.String(validate=FullMatch("^[A-Z]{2}$"))
    agency_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))


class SessionWriteSchema(Schema):
    """A session as an organiser writes it (the fields of the session form)."""

    title_fr = _line(250, min_length=1, required=True)
    title_en = _line(250)
    title_vi = _line(250)
    title_km = _line(250)
    title_lo = _line(250)
    description_fr = _text(20_000)
    description_en = _text(20_000)
    description_vi = _text(20_000)
    description_km = _text(20_000)
    description_lo = _text(20_000)
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in SessionKind]))
    theme = fields.String(required=True, validate=validate.OneOf([t.value for t in Theme]))
    city = _line(120, min_length=1, required=True)
    country = fields.String(required=True, validate=FullMatch("^[A-Z]{2}$"))
    venue = _line(250)
    start_date = fields.Date(required=True, validate=validate.Range(min=date(2000, 1, 1), max=date(2099, 12, 31)))
    end_date = fields.Date(required=True, validate=validate.Range(min=date(2000, 1, 1), max=date(2099, 12, 31)))
    working_language = fields.String(validate=validate.OneOf(["fr", "en", "vi", "km", "lo"]))
    interpretation = fields.List(fields.String(validate=validate.OneOf(["fr", "en", "vi", "km", "lo"])),
                                 validate=validate.Length(max=5))
    capacity = fields.Integer(required=True, validate=validate.Range(min=1, max=10_000))
    registration_deadline = fields.AwareDateTime(
        default_timezone=timezone.utc, allow_none=True,
        validate=validate.Range(min=datetime(2000, 1, 1, tzinfo=timezone.utc),
                                max=datetime(2099, 12, 31, tzinfo=timezone.utc)))
    eligible_countries = fields.List(fields.String(validate=FullMatch("^[A-Z]{2}$")), validate=validate.Length(max=50))
    attendance_threshold = fields.Integer(validate=validate.Range(min=0, max=100))
    auto_approve = fields.Boolean()
    offer_hours = fields.Integer(validate=validate.Range(min=1, max=720))
    quotas = fields.List(fields.Nested(QuotaSchema), validate=validate.Length(max=50))


class SessionPatchSchema(SessionWriteSchema):
    """Some fields of a session: the others stay as they are."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)
