"""Batch nomination: a partner's spreadsheet of colleagues, checked row by row, then confirmed.

The template (`template_xlsx`) has one column per detail of a person, per need and per question of
the session that a cell can answer (files are sent later on each registration's page). Its first
row holds the columns' keys (hidden), the second their names in the reader's language; people
start on the third row. `read_rows` reads a filled-in copy; `check_rows` says, for each row, what
is wrong (missing details, a name not in Latin letters, the same person twice, someone already
registered, another agency's email, an answer that does not fit) and what will happen (approved,
pending, or the waiting list when no seat or quota is left). `confirm` checks the rows again under
the session's lock and registers the valid ones in one unit of work: what the preview page showed
is never trusted, and confirming twice registers nobody twice.
"""

import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from types import SimpleNamespace

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from registrations import audit
from registrations.enrolment import answers, services
from registrations.enrolment.answers import AnswersInvalid
from registrations.enrolment.people import PersonDetails
from registrations.enrolment.seats import SeatBook
from registrations.enrolment.services import CANNOT_NOMINATE, RegistrationRequest, RequestDetails
from registrations.extensions import db
from registrations.i18n import LANGUAGES
from registrations.inputs import BIDI_CONTROL, CONTROL, is_latin_name
from registrations.models import (
    LIVE_STATES,
    Agency,
    Participant,
    QuestionKind,
    Registration,
    RegistrationQuestion,
    TrainingSession,
    User,
)
from registrations.spreadsheets import FORMULA_STARTS
from registrations.text import fold

#: Most people one file may nominate.
MAX_ROWS = 200
#: (key, label, required, longest) of the person and request columns, in the template's order.
PERSON_COLUMNS = [
    ("name_latin", _l("Name in Latin script"), True, 200),
    ("name_native", _l("Name in own script"), False, 200),
    ("rank", _l("Rank"), True, 120),
    ("unit", _l("Unit"), True, 200),
    ("email", _l("Email"), True, 254),
    ("phone", _l("Phone"), False, 40),
    ("languages", _l("Languages spoken"), False, 200),
    ("locale", _l("Language of emails"), False, 2),
    ("needs_diet", _l("Dietary needs"), False, 250),
    ("needs_interpretation", _l("Interpretation needs"), False, 250),
    ("needs_accessibility", _l("Accessibility needs"), False, 250),
    ("motivation", _l("Motivation"), False, 1000),
]
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^[0-9+()./ -]*$")
#: Rows of the template before the people: the keys (hidden), then the columns' names.
KEY_ROW, LABEL_ROW, FIRST_ROW = 1, 2, 3

OK, WARNING, ERROR = "ok", "warning", "error"


class BatchFileError(ValueError):
    """The file cannot be read as this session's nomination template (translated message)."""


def cell_questions(questions: list[RegistrationQuestion]) -> list[RegistrationQuestion]:
    """The questions a spreadsheet cell can answer (every kind but files)."""
    return [q for q in questions if q.kind != QuestionKind.FILE]


def _columns(questions) -> list[tuple[str, str, bool]]:
    return [(key, str(label) + (" *" if required else ""), required) for key, label, required, _n in PERSON_COLUMNS] + [
        (f"q{q.id}", q.label + (" *" if q.required else ""), q.required) for q in cell_questions(questions)]


def _sample(question: RegistrationQuestion) -> str:
    """An answer of the demonstration file that fits the question."""
    if question.kind == QuestionKind.CHOICE:
        return question.options[0] if question.options else ""
    return {QuestionKind.YES_NO: answers.NO, QuestionKind.DATE: "2031-01-31", QuestionKind.NUMBER: "1"}.get(
        question.kind, "A0000000" if question.required else "")


def template_xlsx(session: TrainingSession, questions: list[RegistrationQuestion],
                  examples: list[dict] | None = None) -> bytes:
    """The nomination template of a session (with `examples` filled in, the demonstration file)."""
    from openpyxl import Workbook  # loaded for a file, not for a page
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Nominations")[:31]
    columns = _columns(questions)
    sheet.append([key for key, _label, _required in columns])
    sheet.row_dimensions[KEY_ROW].hidden = True
    sheet.append([label for _key, label, _required in columns])
    for index, (_key, _label, required) in enumerate(columns, start=1):
        cell = sheet.cell(row=LABEL_ROW, column=index)
        cell.font = Font(bold=True)
        if required:
            cell.fill = PatternFill("solid", fgColor="FFF2CC")
        sheet.column_dimensions[get_column_letter(index)].width = 24
    last = FIRST_ROW + MAX_ROWS - 1
    lists = {"locale": list(LANGUAGES)}
    for question in cell_questions(questions):
        if question.kind == QuestionKind.CHOICE:
            lists[f"q{question.id}"] = question.options
        elif question.kind == QuestionKind.YES_NO:
            lists[f"q{question.id}"] = [answers.YES, answers.NO]
    for index, (key, _label, _required) in enumerate(columns, start=1):
        options = lists.get(key)
        if options and sum(len(o) + 1 for o in options) < 250 and not any(
                '"' in o or "," in o for o in options):
            rule = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
            letter = get_column_letter(index)
            rule.add(f"{letter}{FIRST_ROW}:{letter}{last}")
            sheet.add_data_validation(rule)
    samples = {f"q{q.id}": _sample(q) for q in cell_questions(questions)}
    for example in examples or []:  # our own texts: none starts a formula
        sheet.append([example.get(key, samples.get(key, "")) for key, _label, _required in columns])
    sheet.freeze_panes = sheet.cell(row=FIRST_ROW, column=2)
    notes = workbook.create_sheet(_("Instructions")[:31])
    for line in (
        _("One person per row, from row %(row)d of the first sheet; columns marked * are required.", row=FIRST_ROW),
        _("Name in Latin script: as in the passport. Language of emails: fr, en, vi, km or lo."),
        _("Dates as year-month-day (2026-03-31); yes/no questions: yes or no."),
        _("Files asked by the session are sent afterwards, on each registration's page."),
        _("At most %(num)d people per file. Do not change the columns.", num=MAX_ROWS),
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 110
    workbook.properties.title = session.title_fr
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    # A cell an export protected from formulas ("'+84 …") holds the text after the apostrophe.
    if text.startswith("'") and text[1:2] in FORMULA_STARTS and text[1:2]:
        text = text[1:]
    return text


def read_rows(data: bytes) -> list[dict]:
    """The filled-in rows of a template ({"row": number, key: text}); BatchFileError when the file
    is not an XLSX made from the template, is empty or too long."""
    from openpyxl import load_workbook  # loaded for a file, not for a page
    from openpyxl.utils.exceptions import InvalidFileException

    if not data.startswith(b"PK\x03\x04"):
        raise BatchFileError(_l("The file is not an XLSX spreadsheet. Use the template of this page."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, TypeError) as error:
        raise BatchFileError(_l("The file is not an XLSX spreadsheet. Use the template of this page.")) from error
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        keys = [_text(v) for v in next(rows, ())]
        if not {"name_latin", "email"} <= set(keys):
            raise BatchFileError(_l("The columns are not those of the template: download it again from this "
                                    "page and copy the people into it."))
        next(rows, None)  # the columns' names
        found = []
        for number, values in enumerate(rows, start=FIRST_ROW):
            cells = {key: _text(value) for key, value in zip(keys, values, strict=False) if key}
            if not any(cells.values()):
                continue
            if len(found) >= MAX_ROWS:
                raise BatchFileError(_l("The file has more than %(num)d people: split it.", num=MAX_ROWS))
            found.append({"row": number, **cells})
    finally:
        workbook.close()
    if not found:
        raise BatchFileError(_l("The file has nobody in it: fill in one person per row from row 3."))
    return found


@dataclass
class RowResult:
    """What a row says and what will become of it."""

    row: int
    values: dict
    status: str = OK
    messages: list[str] = field(default_factory=list)
    participant_id: int | None = None
    #: The registration made from this row (once confirmed).
    registration: Registration | None = None

    @property
    def name(self) -> str:
        return self.values.get("name_latin", "")

    def refuse(self, message) -> None:
        self.status = ERROR
        self.messages.append(str(message))

    def warn(self, message) -> None:
        if self.status == OK:
            self.status = WARNING
        self.messages.append(str(message))

    @property
    def valid(self) -> bool:
        return self.status != ERROR

    def person(self) -> PersonDetails:
        v = self.values
        return PersonDetails(name_latin=v.get("name_latin", ""), email=v.get("email", ""), rank=v.get("rank", ""),
                             unit=v.get("unit", ""), name_native=v.get("name_native", ""),
                             phone=v.get("phone", ""), languages=v.get("languages", ""),
                             locale=v.get("locale") or "fr")

    def details(self) -> RequestDetails:
        v = self.values
        return RequestDetails(motivation=v.get("motivation", ""), needs_diet=v.get("needs_diet", ""),
                              needs_interpretation=v.get("needs_interpretation", ""),
                              needs_accessibility=v.get("needs_accessibility", ""))

    def raw_answers(self, questions) -> dict:
        return {q.id: self.values.get(f"q{q.id}", "") for q in cell_questions(questions)}


def _check_formats(result: RowResult, questions) -> None:
    v = result.values
    missing = [str(label) for key, label, required, _n in PERSON_COLUMNS if required and not v.get(key)]
    if missing:
        result.refuse(_l("Missing: %(fields)s.", fields=", ".join(missing)))
    for key, label, _required, longest in PERSON_COLUMNS:
        value = v.get(key, "")
        if len(value) > longest:
            result.refuse(_l("%(field)s: at most %(num)d characters.", field=label, num=longest))
        hidden = CONTROL.search(value) or BIDI_CONTROL.search(value)
        if key in ("name_latin", "name_native", "rank", "unit") and hidden:
            result.refuse(_l("%(field)s: remove the invisible characters.", field=label))
    if v.get("name_latin") and not is_latin_name(v["name_latin"]):
        result.refuse(_l("Name in Latin script: write it in Latin letters, as in the passport (the own "
                         "script goes in its own column)."))
    if v.get("email") and not EMAIL.match(v["email"]):
        result.refuse(_l("Email: not a valid address."))
    if v.get("phone") and not PHONE.match(v["phone"]):
        result.refuse(_l("Phone: use digits, spaces and + ( ) . / - only."))
    if v.get("locale") and v["locale"] not in LANGUAGES:
        result.refuse(_l("Language of emails: write fr, en, vi, km or lo."))
    try:
        answers.validate(cell_questions(questions), result.raw_answers(questions), files_later=True)
    except AnswersInvalid as error:
        labels = {q.id: q.label for q in questions}
        for question_id, message in error.errors.items():
            result.refuse(_("%(label)s: %(message)s", label=labels[question_id], message=message))


def check_rows(session: TrainingSession, agency: Agency, rows: list[dict], questions, now: datetime) -> list[RowResult]:
    """Check every row against the formats and the rules, with a fixed number of queries."""
    results = [RowResult(row=int(r.get("row", 0)), values={k: str(v) for k, v in r.items() if k != "row"})
               for r in rows]
    for result in results:
        result.values["email"] = result.values.get("email", "").lower()
        _check_formats(result, questions)
    if not session.accepts_country(agency.country):
        for result in results:
            result.refuse(_l("Officers of this country are not eligible for this session."))
        return results
    emails = {r.values["email"] for r in results if r.values.get("email")}
    owners = {p.email: p for p in db.session.scalars(select(Participant).where(Participant.email.in_(emails)))}
    keys = {fold(r.name) for r in results if r.name}
    namesakes = set(db.session.scalars(select(Participant.name_key).where(
        Participant.agency_id == agency.id, Participant.name_key.in_(keys), Participant.anonymised_at.is_(None))))
    ids = [p.id for p in owners.values()]
    live = set(db.session.scalars(select(Registration.participant_id).where(
        Registration.session_id == session.id, Registration.participant_id.in_(ids),
        Registration.state.in_(LIVE_STATES)))) if ids else set()
    seen_emails: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for result in results:
        email, key = result.values.get("email", ""), fold(result.name)
        earlier = seen_emails.get(email) if email else None
        earlier = earlier or (seen_names.get(key) if key else None)
        if earlier:
            result.refuse(_l("The same person as row %(row)d.", row=earlier))
            continue
        if email:
            seen_emails[email] = result.row
        if key:
            seen_names[key] = result.row
        owner = owners.get(email)
        if owner is not None and (owner.agency_id != agency.id or owner.anonymised_at is not None):
            result.refuse(CANNOT_NOMINATE)
        elif owner is not None:
            result.participant_id = owner.id
            if owner.id in live:
                result.refuse(_l("%(name)s is already registered for this session.", name=owner.name_latin))
        elif key in namesakes:
            result.warn(_l("Your agency already has a participant with this name and another email: a new "
                           "participant will be created."))
    _forecast(session, agency, [r for r in results if r.valid], now)
    return results


def _forecast(session: TrainingSession, agency: Agency, valid: list[RowResult], now: datetime) -> None:
    """Say which valid rows will find no seat or quota (waiting list), on a copy of the seat book."""
    real = SeatBook.load(session, now)
    book = SeatBook(session=SimpleNamespace(capacity=session.capacity, seats_taken=session.seats_taken),
                    offers=real.offers, agency_quota=real.agency_quota, country_quota=real.country_quota,
                    agency_used=Counter(real.agency_used), country_used=Counter(real.country_used))
    seat = SimpleNamespace(agency_id=agency.id, country=agency.country)
    for result in valid:
        if not book.fits(seat):
            result.warn(_l("No seat or quota left: this person will go on the waiting list."))
        elif session.auto_approve:
            book.take(seat)


@dataclass
class BatchOutcome:
    results: list[RowResult]
    registrations: list[Registration]


def confirm(session_id: int, agency_id: int, rows: list[dict], *, actor: User | None = None,
            now: datetime | None = None) -> BatchOutcome:
    """Check the rows again under the session's lock and register the valid ones, all in this
    unit of work. Rows already registered (a second confirmation) are refused, not repeated."""
    session, _book, now = services._lock(session_id, now)
    agency = db.session.get(Agency, agency_id)
    if agency is None:
        raise services.RegistrationError(_l("This agency does not exist."), 404)
    # A first write: on SQLite the unit of work now holds the write lock it took, and keeps it
    # through every registration below.
    event = audit.record("registration.batch", session, actor=actor, after={"rows": len(rows)})
    db.session.flush()
    questions = answers.session_questions(session.id)
    if not session.registration_is_open(now):
        services._refuse(_l("Registrations for this session are closed."))
    results = check_rows(session, agency, rows, questions, now)
    made = []
    for result in results:
        if not result.valid:
            continue
        new = result.participant_id is None
        result.registration = services.register(session.id, RegistrationRequest(
            agency_id=agency.id, participant_id=result.participant_id, person=result.person() if new else None,
            confirm_new=True, details=result.details(), nominated=True,
            answers=result.raw_answers(questions), files_later=True), actor=actor, now=now)
        made.append(result.registration)
    event.after = {"rows": len(rows), "registered": len(made),
                   "refused": [r.row for r in results if not r.valid]}
    db.session.flush()
    return BatchOutcome(results=results, registrations=made)
