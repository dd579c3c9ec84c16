"""The activity figures of the cooperation programme, computed with aggregate queries.

Whatever the amount of data, the figures cost a fixed number of queries (eight): each
table is one GROUP BY, summed further in Python where a table is a coarser view of the
same rows.

Filters: the year is the year a session starts; the country is the officers' country
(of their agency when registering) for officers, attendance and evaluations, and the
host country for sessions held.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, distinct, extract, func, or_, select

from registrations.clock import local_today
from registrations.extensions import db
from registrations.models import (
    Agency,
    Attendance,
    AttendanceStatus,
    Certificate,
    CertificateStatus,
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationResponse,
    Registration,
    RegistrationState,
    SessionDay,
    SessionStatus,
    Theme,
    TrainingSession,
)
from registrations.sessions.choices import country_name  # noqa: F401  (re-exported for the report)


@dataclass(frozen=True)
class ReportFilters:
    year: int | None = None
    country: str | None = None


@dataclass
class Figures:
    """Everything the dashboard and the spreadsheet show."""

    filters: ReportFilters
    certificates: int = 0
    officers: int = 0
    by_country: list = field(default_factory=list)   # (country, count)
    by_agency: list = field(default_factory=list)    # (code, name, country, count)
    by_theme: list = field(default_factory=list)     # (Theme, count)
    by_year: list = field(default_factory=list)      # (year, count)
    sessions: list = field(default_factory=list)     # (country, Theme, SessionKind, count)
    sessions_held: int = 0
    attendance: list = field(default_factory=list)   # dicts per session
    attendance_rate: float | None = None
    evaluation: list = field(default_factory=list)   # (code, mean, answers)
    responses: int = 0

    def sessions_by_theme(self) -> list:
        totals: dict = defaultdict(int)
        for _country, theme, _kind, number in self.sessions:
            totals[theme] += number
        return sorted(totals.items(), key=lambda item: (-item[1], item[0].value))

    def sessions_by_country(self) -> list:
        totals: dict = defaultdict(int)
        for country, _theme, _kind, number in self.sessions:
            totals[country] += number
        return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


def _year(column):
    return extract("year", column)


def filter_options() -> tuple[list[int], list[str]]:
    """Years that have sessions, and the countries of agencies (two queries)."""
    year = _year(TrainingSession.start_date)
    years = [int(y) for y in db.session.scalars(select(year).distinct().order_by(year.desc())) if y is not None]
    countries = list(db.session.scalars(select(Agency.country).distinct().order_by(Agency.country)))
    return years, countries


def _held(today: date):
    """Sessions that took place: not cancelled, and completed or past their last day."""
    return and_(TrainingSession.status != SessionStatus.CANCELLED,
                or_(TrainingSession.status == SessionStatus.COMPLETED, TrainingSession.end_date < today))


def compute(filters: ReportFilters, today: date | None = None) -> Figures:
    """All the figures for a year and a country (each optional), in eight queries."""
    today = today or local_today()
    figures = Figures(filters=filters)
    _officers(figures, filters)
    _sessions(figures, filters, today)
    _attendance(figures, filters, today)
    _evaluations(figures, filters)
    return figures


def _officers(figures: Figures, filters: ReportFilters) -> None:
    year = _year(TrainingSession.start_date)
    base = (select(Registration.country, Agency.code, Agency.name, TrainingSession.theme, year.label("year"),
                   func.count(Certificate.id))
            .select_from(Certificate)
            .join(Registration, Registration.id == Certificate.registration_id)
            .join(TrainingSession, TrainingSession.id == Registration.session_id)
            .join(Agency, Agency.id == Registration.agency_id)
            .where(Certificate.status == CertificateStatus.VALID))
    if filters.year:
        base = base.where(year == filters.year)
    if filters.country:
        base = base.where(Registration.country == filters.country)
    rows = db.session.execute(base.group_by(Registration.country, Agency.code, Agency.name,
                                            TrainingSession.theme, year)).all()
    country, agency, theme, by_year = defaultdict(int), defaultdict(int), defaultdict(int), defaultdict(int)
    for code, agency_code, agency_name, session_theme, session_year, number in rows:
        country[code] += number
        agency[(agency_code, agency_name, code)] += number
        theme[Theme(session_theme)] += number
        by_year[int(session_year)] += number
    figures.certificates = sum(country.values())
    figures.by_country = sorted(country.items(), key=lambda item: (-item[1], item[0]))
    figures.by_agency = sorted(((c, n, k, v) for (c, n, k), v in agency.items()), key=lambda r: (-r[3], r[0]))
    figures.by_theme = sorted(theme.items(), key=lambda item: (-item[1], item[0].value))
    figures.by_year = sorted(by_year.items())
    distinct_query = (select(func.count(distinct(Registration.participant_id)))
                      .select_from(Certificate)
                      .join(Registration, Registration.id == Certificate.registration_id)
                      .join(TrainingSession, TrainingSession.id == Registration.session_id)
                      .where(Certificate.status == CertificateStatus.VALID))
    if filters.year:
        distinct_query = distinct_query.where(year == filters.year)
    if filters.country:
        distinct_query = distinct_query.where(Registration.country == filters.country)
    figures.officers = db.session.scalar(distinct_query) or 0


def _sessions(figures: Figures, filters: ReportFilters, today: date) -> None:
    query = (select(TrainingSession.country, TrainingSession.theme, TrainingSession.kind, func.count())
             .where(_held(today)))
    if filters.year:
        query = query.where(_year(TrainingSession.start_date) == filters.year)
    if filters.country:
        query = query.where(TrainingSession.country == filters.country)
    figures.sessions = [tuple(row) for row in db.session.execute(
        query.group_by(TrainingSession.country, TrainingSession.theme, TrainingSession.kind)
        .order_by(TrainingSession.country, TrainingSession.theme, TrainingSession.kind))]
    figures.sessions_held = sum(row[3] for row in figures.sessions)


def _attendance(figures: Figures, filters: ReportFilters, today: date) -> None:
    """Attendance rate per held session: marks counting as attended / (approved × days held).

    The rule is the one of `registrations.attendance.rates`: present and late count, and
    excused where the session says so; only days that have started count.
    """
    approved = [Registration.state == RegistrationState.APPROVED]
    if filters.country:
        approved.append(Registration.country == filters.country)
    days = (select(SessionDay.session_id, func.count().label("n")).where(SessionDay.date <= today)
            .group_by(SessionDay.session_id).subquery())
    people = (select(Registration.session_id, func.count().label("n")).where(*approved)
              .group_by(Registration.session_id).subquery())
    counted = case(
        (Attendance.status.in_((AttendanceStatus.PRESENT, AttendanceStatus.LATE)), 1),
        (and_(Attendance.status == AttendanceStatus.EXCUSED, TrainingSession.excused_counts_as_attended), 1),
        else_=0)
    marks = (select(Registration.session_id, func.sum(counted).label("n"))
             .select_from(Attendance)
             .join(SessionDay, SessionDay.id == Attendance.day_id)
             .join(Registration, Registration.id == Attendance.registration_id)
             .join(TrainingSession, TrainingSession.id == Registration.session_id)
             .where(SessionDay.date <= today, *approved)
             .group_by(Registration.session_id).subquery())
    query = (select(TrainingSession, days.c.n, people.c.n, marks.c.n)
             .join(days, days.c.session_id == TrainingSession.id)
             .join(people, people.c.session_id == TrainingSession.id)
             .outerjoin(marks, marks.c.session_id == TrainingSession.id)
             .where(TrainingSession.status != SessionStatus.CANCELLED)
             .order_by(TrainingSession.start_date, TrainingSession.id))
    if filters.year:
        query = query.where(_year(TrainingSession.start_date) == filters.year)
    total_possible = total_attended = 0
    for session, days_held, participants, attended in db.session.execute(query):
        possible = int(days_held) * int(participants)
        attended = int(attended or 0)
        total_possible += possible
        total_attended += attended
        figures.attendance.append({"session": session, "days": int(days_held), "participants": int(participants),
                                   "attended": attended, "rate": attended / possible if possible else 0.0})
    figures.attendance_rate = total_attended / total_possible if total_possible else None


def _evaluations(figures: Figures, filters: ReportFilters) -> None:
    query = (select(EvaluationQuestion.code, func.avg(EvaluationAnswer.score), func.count(EvaluationAnswer.id))
             .select_from(EvaluationAnswer)
             .join(EvaluationQuestion, EvaluationQuestion.id == EvaluationAnswer.question_id)
             .join(EvaluationResponse, EvaluationResponse.id == EvaluationAnswer.response_id)
             .join(Registration, Registration.id == EvaluationResponse.registration_id)
             .join(TrainingSession, TrainingSession.id == EvaluationResponse.session_id))
    responses = (select(func.count(EvaluationResponse.id))
                 .join(Registration, Registration.id == EvaluationResponse.registration_id)
                 .join(TrainingSession, TrainingSession.id == EvaluationResponse.session_id))
    if filters.year:
        query = query.where(_year(TrainingSession.start_date) == filters.year)
        responses = responses.where(_year(TrainingSession.start_date) == filters.year)
    if filters.country:
        query = query.where(Registration.country == filters.country)
        responses = responses.where(Registration.country == filters.country)
    from registrations.evaluations.questions import DEFAULT_QUESTIONS

    order = {code: index for index, (code, _texts) in enumerate(DEFAULT_QUESTIONS)}
    rows = db.session.execute(query.group_by(EvaluationQuestion.code)).all()
    figures.evaluation = sorted(((code, float(mean), int(number)) for code, mean, number in rows),
                                key=lambda row: order.get(row[0], len(order)))
    figures.responses = db.session.scalar(responses) or 0
