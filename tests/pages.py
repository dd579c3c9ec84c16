"""Every page type of the application, as each role reaches it on the demo data.

Shared by the HTML validity test (the test client renders each page to a file) and the browser
checks (axe-core and the 360-px overflow check load each page). Ids come from the demo data, found
by what the demo says about them (the session running today, a full session, a completed one…).
"""

from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from sqlalchemy import func, select

from registrations.extensions import db
from registrations.models import (
    Agency,
    Certificate,
    CertificateStatus,
    EvaluationResponse,
    Participant,
    Registration,
    RegistrationQuestion,
    RegistrationState,
    SessionDay,
    SessionStatus,
    TrainingSession,
    User,
)

#: The demo accounts of each role, and the languages the browser checks read their pages in.
ACCOUNTS = {
    "anonymous": (None, ("fr", "km")),
    "partner": ("partner.vn@demo.test", ("vi", "km")),
    "partner_kh": ("partner.kh@demo.test", ("km", "lo")),
    "organiser": ("organiser@demo.test", ("fr", "en")),
    "admin": ("admin@demo.test", ("fr", "vi")),
}


@dataclass(frozen=True)
class PageCase:
    """One page of one role: GET the path, or POST `data` to it (a form sent back with errors)."""

    role: str
    name: str
    path: str
    status: int = 200
    data: dict | None = field(default=None, hash=False)

    @property
    def id(self) -> str:
        return f"{self.role}-{self.name}"


def _session(title_fr: str) -> TrainingSession:
    return db.session.scalar(select(TrainingSession).where(TrainingSession.title_fr == title_fr))


def _first(statement):
    return db.session.scalar(statement.limit(1))


def catalog() -> list[PageCase]:
    """Every page type, as each role sees it (the demo data must be loaded; needs an app context)."""
    today = date.today()
    running = _session("Premiers secours et prise en charge de nombreuses victimes")
    completed = _session("Audition des mineurs victimes")
    archived = _session("Protection des mineurs")
    draft = db.session.scalar(select(TrainingSession).where(TrainingSession.status == SessionStatus.DRAFT))
    full = _first(select(TrainingSession).where(TrainingSession.status == SessionStatus.PUBLISHED,
                                                TrainingSession.seats_taken >= TrainingSession.capacity))
    upcoming = _first(select(TrainingSession).where(TrainingSession.status == SessionStatus.PUBLISHED,
                                                    TrainingSession.seats_taken < TrainingSession.capacity)
                      .order_by(TrainingSession.start_date))
    day = _first(select(SessionDay).where(SessionDay.session_id == running.id, SessionDay.date <= today)
                 .order_by(SessionDay.date.desc()))
    valid = _first(select(Certificate).where(Certificate.status == CertificateStatus.VALID).order_by(Certificate.id))
    revoked = _first(select(Certificate).where(Certificate.status == CertificateStatus.REVOKED))
    partner = db.session.scalar(select(User).where(User.email == "partner.vn@demo.test"))
    partner_kh = db.session.scalar(select(User).where(User.email == "partner.kh@demo.test"))
    own = _first(select(Registration).where(Registration.agency_id == partner.agency_id)
                 .order_by(Registration.id))
    abroad = _first(select(Registration).join(TrainingSession)
                    .where(Registration.agency_id == partner_kh.agency_id,
                           Registration.state == RegistrationState.APPROVED,
                           TrainingSession.country != "KH", TrainingSession.start_date > today))
    to_evaluate = _first(select(TrainingSession.id).join(Registration)
                         .where(Registration.participant_id == partner_kh.participant_id,
                                Registration.state == RegistrationState.APPROVED,
                                TrainingSession.end_date < today)
                         .where(~Registration.id.in_(select(EvaluationResponse.registration_id))))
    answered = db.session.scalar(select(func.count()).select_from(EvaluationResponse)
                                 .where(EvaluationResponse.session_id == completed.id))
    assert answered, "the demo's completed session has answers"
    agency = _first(select(Agency).where(Agency.country == "LA"))
    account = db.session.scalar(select(User).where(User.email == "invited.kh@demo.test"))
    participant = _first(select(Participant).order_by(Participant.id))
    from registrations.certificates.invitations import invitation_code

    cases = [
        PageCase("anonymous", "home", url_for("main.index")),
        PageCase("anonymous", "catalogue", url_for("sessions.catalogue")),
        PageCase("anonymous", "catalogue-search", url_for("sessions.catalogue", q="ha noi")),
        PageCase("anonymous", "archive", url_for("sessions.archive")),
        PageCase("anonymous", "session", url_for("sessions.detail", session_id=upcoming.id)),
        PageCase("anonymous", "session-full", url_for("sessions.detail", session_id=full.id)),
        PageCase("anonymous", "session-past", url_for("sessions.detail", session_id=archived.id)),
        PageCase("anonymous", "login", url_for("auth.login")),
        PageCase("anonymous", "login-errors", url_for("auth.login"), 400, {"email": "", "password": ""}),
        PageCase("anonymous", "verify-form", url_for("certificates.verify_form")),
        PageCase("anonymous", "verify-scan", url_for("credentials.scan")),
        PageCase("anonymous", "verify", url_for("certificates.verify", code=valid.code)),
        PageCase("anonymous", "verify-revoked", url_for("certificates.verify", code=revoked.code)),
        PageCase("anonymous", "verify-unknown", url_for("certificates.verify", code="NOT-A-CODE"), 404),
        PageCase("anonymous", "verify-typed-errors",
                 url_for("certificates.verify_form", code=valid.serial, family_name="Nobody"), 404),
        PageCase("anonymous", "not-found", "/no/such/page", 404),
        PageCase("anonymous", "api-docs", url_for("api_pages.docs")),
    ]
    if abroad is not None:
        cases.append(PageCase("anonymous", "verify-invitation",
                              url_for("certificates.verify", code=invitation_code(abroad.id))))
    for role in ("partner", "partner_kh"):
        cases += [
            PageCase(role, "home", url_for("main.index")),
            PageCase(role, "catalogue", url_for("sessions.catalogue")),
            PageCase(role, "session", url_for("sessions.detail", session_id=upcoming.id)),
            PageCase(role, "register", url_for("registrations.register", session_id=upcoming.id)),
            PageCase(role, "nominate", url_for("registrations.nominate", session_id=upcoming.id)),
            PageCase(role, "nominate-errors", url_for("registrations.nominate", session_id=upcoming.id), 400,
                     {"name_latin": "", "email": "not-an-address"}),
            PageCase(role, "registrations", url_for("registrations.agency_list")),
            PageCase(role, "certificates", url_for("certificates.agency_list")),
            PageCase(role, "evaluations", url_for("evaluations.mine")),
            PageCase(role, "password", url_for("auth.password")),
            PageCase(role, "password-errors", url_for("auth.password"), 400, {"current_password": ""}),
            PageCase(role, "api-tokens", url_for("api_pages.my_tokens")),
            PageCase(role, "api-tokens-errors", url_for("api_pages.my_tokens"), 400, {"name": ""}),
        ]
    cases.append(PageCase("partner", "registration", url_for("registrations.detail", registration_id=own.id)))
    asking = db.session.scalar(select(RegistrationQuestion.session_id).limit(1))
    pending = _first(select(Registration).where(Registration.agency_id == partner.agency_id,
                                                Registration.session_id == asking,
                                                Registration.state == RegistrationState.PENDING))
    question = _first(select(RegistrationQuestion).where(RegistrationQuestion.session_id == asking))
    cases += [
        PageCase("partner", "register-questions", url_for("registrations.register", session_id=asking)),
        PageCase("partner", "nominate-questions", url_for("registrations.nominate", session_id=asking)),
        PageCase("partner", "registration-edit", url_for("registrations.edit", registration_id=pending.id)),
        PageCase("partner", "registration-edit-errors", url_for("registrations.edit", registration_id=pending.id),
                 400, {"name_latin": "", "email": "not-an-address"}),
        PageCase("partner", "batch", url_for("registrations.batch_page", session_id=asking)),
        PageCase("partner", "batch-errors", url_for("registrations.batch_check", session_id=asking), 400, {}),
        PageCase("organiser", "questions", url_for("registrations.questions_page", session_id=asking)),
        PageCase("organiser", "questions-errors", url_for("registrations.questions_page", session_id=asking), 400,
                 {"kind": "choice", "label_fr": ""}),
        PageCase("organiser", "question-edit", url_for("registrations.question_edit", session_id=asking,
                                                       question_id=question.id)),
        PageCase("organiser", "registrations-questions", url_for("registrations.session_list", session_id=asking)),
    ]
    if to_evaluate is not None:
        cases.append(PageCase("partner_kh", "evaluation", url_for("evaluations.answer", session_id=to_evaluate)))
    for role in ("organiser", "admin"):
        cases += [
            PageCase(role, "home", url_for("main.index")),
            PageCase(role, "manage", url_for("sessions.manage")),
            PageCase(role, "session-hub", url_for("sessions.manage_detail", session_id=running.id)),
            PageCase(role, "registrations", url_for("registrations.session_list", session_id=running.id)),
            PageCase(role, "attendance-grid", url_for("attendance.grid", session_id=running.id)),
            PageCase(role, "certificates", url_for("certificates.session", session_id=completed.id)),
            PageCase(role, "evaluation", url_for("evaluations.results", session_id=completed.id)),
            PageCase(role, "dashboard", url_for("reports.dashboard")),
        ]
    cases += [
        PageCase("organiser", "session-new", url_for("sessions.new")),
        PageCase("organiser", "session-new-errors", url_for("sessions.new"), 400, {"title_fr": ""}),
        PageCase("organiser", "session-edit", url_for("sessions.edit", session_id=upcoming.id)),
        PageCase("organiser", "session-days", url_for("sessions.days", session_id=upcoming.id)),
        PageCase("organiser", "session-hub-draft", url_for("sessions.manage_detail", session_id=draft.id)),
        PageCase("organiser", "session-hub-completed", url_for("sessions.manage_detail", session_id=completed.id)),
        PageCase("organiser", "registrations-full", url_for("registrations.session_list", session_id=full.id)),
        PageCase("organiser", "waiting-list", url_for("registrations.waiting_list", session_id=full.id)),
        PageCase("organiser", "attendance-sheet", url_for("attendance.sheet", session_id=running.id, day_id=day.id)),
        PageCase("organiser", "checkin", url_for("attendance.checkin", session_id=running.id)),
        PageCase("organiser", "kiosk-start", url_for("attendance.kiosk", session_id=running.id)),
        PageCase("organiser", "evaluation-unanswered", url_for("evaluations.results", session_id=draft.id)),
        PageCase("organiser", "evaluation-questions", url_for("evaluations.edit", session_id=draft.id)),
        PageCase("organiser", "evaluation-paper", url_for("evaluations.paper", session_id=completed.id)),
        PageCase("organiser", "evaluation-compare", url_for("evaluations.compare")),
        PageCase("organiser", "password", url_for("auth.password")),
        PageCase("admin", "admin", url_for("admin.index")),
        PageCase("admin", "agencies", url_for("admin.agencies")),
        PageCase("admin", "agency-new", url_for("admin.agency_new")),
        PageCase("admin", "agency-new-errors", url_for("admin.agency_new"), 400, {"code": ""}),
        PageCase("admin", "agency-edit", url_for("admin.agency_edit", agency_id=agency.id)),
        PageCase("admin", "users", url_for("admin.users")),
        PageCase("admin", "user-new", url_for("admin.user_new")),
        PageCase("admin", "user-edit", url_for("admin.user_edit", user_id=account.id)),
        PageCase("admin", "participants", url_for("admin.participants", q=participant.name_latin[:3])),
        PageCase("admin", "audit", url_for("admin.audit")),
        PageCase("admin", "api-tokens-all", url_for("api_pages.all_tokens")),
        PageCase("admin", "webhooks", url_for("webhooks.endpoints")),
    ]
    cases += _programme_cases(running, upcoming)
    return cases


def _programme_cases(running: TrainingSession, upcoming: TrainingSession) -> list[PageCase]:
    """The timetable, trainers and signatories pages (demo: the running session has a timetable)."""
    from registrations.models import Signatory, TimetableItem, Trainer

    item = _first(select(TimetableItem).where(TimetableItem.session_id == running.id).order_by(TimetableItem.id))
    trainer = _first(select(Trainer).order_by(Trainer.id))
    signatory = _first(select(Signatory).order_by(Signatory.id))
    cases = [
        PageCase("anonymous", "session-timetable", url_for("sessions.detail", session_id=running.id)),
        PageCase("anonymous", "trainer", url_for("programme.trainer", trainer_id=trainer.id)),
        PageCase("partner", "session-timetable", url_for("sessions.detail", session_id=running.id)),
        PageCase("organiser", "timetable", url_for("programme.timetable", session_id=running.id)),
        PageCase("organiser", "timetable-empty", url_for("programme.timetable", session_id=upcoming.id)),
        PageCase("organiser", "timetable-item-new", url_for("programme.item_new", session_id=running.id)),
        PageCase("organiser", "timetable-item-errors", url_for("programme.item_new", session_id=running.id), 400,
                 {"starts_at": "10:00", "ends_at": "09:00"}),
        PageCase("organiser", "timetable-item-edit", url_for("programme.item_edit", item_id=item.id)),
        PageCase("organiser", "trainers", url_for("programme.trainers")),
        PageCase("organiser", "trainer-new", url_for("programme.trainer_new")),
        PageCase("organiser", "trainer-new-errors", url_for("programme.trainer_new"), 400, {"name_latin": ""}),
        PageCase("organiser", "trainer-edit", url_for("programme.trainer_edit", trainer_id=trainer.id)),
        PageCase("organiser", "session-signatory", url_for("signatories.session_signatory", session_id=running.id)),
        PageCase("admin", "signatories", url_for("signatories.signatories")),
        PageCase("admin", "signatory-new", url_for("signatories.signatory_new")),
        PageCase("admin", "signatory-new-errors", url_for("signatories.signatory_new"), 400, {"name": ""}),
        PageCase("admin", "signatory-edit", url_for("signatories.signatory_edit", signatory_id=signatory.id)),
    ]
    return cases
