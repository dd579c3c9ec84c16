"""The API's office resources: session status, attendance, certificates, verification and
evaluation results; each calls the services of the pages, under the same access rules."""

from flask import current_app, g
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from registrations.access import ANYONE, STAFF, allow, scoped_to_agency
from registrations.api import bp, cursors
from registrations.api import schemas as s
from registrations.api.resources import _actor
from registrations.attendance import services as attendance
from registrations.certificates import services as certificates
from registrations.certificates.downloads import download as download_page
from registrations.errors import abort_with, session_or_404
from registrations.evaluations.services import session_results
from registrations.extensions import client_address, db, rate_limited
from registrations.models import (
    Certificate,
    Registration,
    RegistrationState,
    Role,
    SessionKind,
    SessionStatus,
    Theme,
)
from registrations.sessions import lifecycle
from registrations.sessions import services as sessions
from registrations.sessions.base import SessionError, SessionInvalid
from registrations.sessions.queries import get_session_for
from registrations.sessions.services import QuotaSpec
from registrations.transaction import run


@bp.post("/sessions/<int:session_id>/status")
@allow(*STAFF)
@bp.arguments(s.StatusChangeSchema)
@bp.response(200, s.SessionDetailSchema)
def change_status(body, session_id: int):
    """Publish, close, complete or cancel a session (the transitions the pages allow)."""
    try:
        run(lifecycle.change_status, session_id, SessionStatus(body["status"]), actor=_actor(), reason=body["reason"])
    except SessionError as error:
        abort_with(error.status, error.message)
    return get_session_for(current_user, session_id, with_days=True)


def _day_marks(session_id: int, day_id: int) -> dict:
    try:
        day = attendance.session_day(session_id, day_id)
    except attendance.AttendanceError as error:
        abort_with(error.status, error.message)
    marks = attendance.day_marks(day.id)
    approved = db.session.scalars(
        select(Registration).join(Registration.participant).options(contains_eager(Registration.participant))
        .where(Registration.session_id == session_id, Registration.state == RegistrationState.APPROVED)
        .order_by(Registration.id))
    return {"day": day, "marks": [{"registration_id": r.id, "participant": r.participant,
                                   "status": marks[r.id].value if r.id in marks else None} for r in approved]}


@bp.get("/sessions/<int:session_id>/days/<int:day_id>/attendance")
@allow(*STAFF)
@bp.response(200, s.DayAttendanceSchema)
def day_attendance(session_id: int, day_id: int):
    """The marks of one day: every approved registration, with its mark or null."""
    session_or_404(session_id)
    return _day_marks(session_id, day_id)


@bp.post("/sessions/<int:session_id>/days/<int:day_id>/attendance")
@allow(*STAFF)
@bp.arguments(s.MarksSchema)
@bp.response(200, s.DayAttendanceSchema)
def set_attendance(body, session_id: int, day_id: int):
    """Set marks of one day. Each mark is the attendance sheet's own (one small transaction each);
    setting a mark again to the same value changes nothing, so a repeated call is harmless."""
    session_or_404(session_id)
    for item in body["marks"]:
        try:
            attendance.mark(session_id, day_id, item["registration_id"], item["status"], _actor())
        except attendance.AttendanceError as error:
            abort_with(error.status, error.message)
    return _day_marks(session_id, day_id)


def _certificates():
    return scoped_to_agency(select(Certificate).join(Registration, Registration.id == Certificate.registration_id),
                            Registration.agency_id)


@bp.get("/certificates")
@allow(Role.PARTNER, *STAFF)
@bp.arguments(s.PageArgs, location="query")
@bp.response(200, s.CertificatePage)
def certificate_list(args):
    """Certificates: the partner's agency's, or all for the office; newest first."""
    rows, cursor = cursors.page(_certificates(), args, descending_id=Certificate.id)
    return {"items": rows, "next_cursor": cursor}


@bp.get("/certificates/<int:certificate_id>")
@allow(Role.PARTNER, *STAFF)
@bp.response(200, s.CertificateSchema)
def certificate(certificate_id: int):
    """A certificate's metadata and the facts it states."""
    found = db.session.scalar(_certificates().where(Certificate.id == certificate_id))
    if found is None:
        abort_with(404, _("This certificate does not exist or is not available to you."))
    return found


@bp.get("/certificates/<int:certificate_id>/pdf")
@allow(Role.PARTNER, *STAFF)
@bp.response(200, {"format": "binary", "type": "string"}, content_type="application/pdf")
def certificate_pdf(certificate_id: int):
    """The certificate's PDF (the same answer as the download of the pages; 410 when revoked)."""
    return download_page.__wrapped__(certificate_id)


@bp.post("/registrations/<int:registration_id>/certificate")
@allow(*STAFF)
@bp.response(201, s.CertificateSchema)
def issue_certificate(registration_id: int):
    """Issue the certificate of an eligible registration (the valid one already issued, if any)."""
    if db.session.get(Registration, registration_id) is None:
        abort_with(404, _("This registration does not exist."))
    try:
        issued, _created = certificates.issue(registration_id, actor=_actor())
    except certificates.CertificateError as error:
        abort_with(error.status, error.message)
    return db.session.get(Certificate, issued.id)


@bp.post("/certificates/<int:certificate_id>/revoke")
@allow(*STAFF)
@bp.arguments(s.RevokeSchema)
@bp.response(200, s.CertificateSchema)
def revoke_certificate(body, certificate_id: int):
    """Revoke a valid certificate; the reason shows on its public verification page."""
    try:
        revoked = certificates.revoke(certificate_id, body["reason"], actor=_actor())
    except certificates.CertificateError as error:
        abort_with(error.status, error.message)
    return revoked


def _verify_key() -> str:
    return "verify-address:" + client_address()


@bp.get("/verify/<string(maxlength=120):code>")
@allow(ANYONE)
@rate_limited(lambda: current_app.config["VERIFY_LIMIT_PER_ADDRESS"], key_func=_verify_key)
@bp.response(200, s.VerificationSchema)
def verify(code: str):
    """Public: what a certificate's verification code says (the page's limit per address, shared)."""
    found = db.session.scalar(select(Certificate).where(Certificate.code == code))
    if found is None:
        abort_with(404, _("Not found."))
    facts = found.facts or {}
    return {"serial": found.serial, "status": found.status.value,
            "participant_name": facts.get("participant_name_latin", ""),
            "session_title": facts.get("session_title_fr", ""), "issue_date": facts.get("issue_date", ""),
            "revoke_reason": found.revoke_reason if found.status.value == "revoked" else ""}


@bp.get("/sessions/<int:session_id>/evaluation")
@allow(*STAFF)
@bp.response(200, s.EvaluationResultsSchema)
def evaluation_results(session_id: int):
    """The evaluation's results: response rate, and per question the count of each score and the mean."""
    results = session_results(session_or_404(session_id))
    return {"approved": results.approved, "responses": results.responses, "response_rate": results.response_rate,
            "questions": [{"question": q.question, "answered": q.answered, "mean": q.mean,
                           "counts": {str(k): v for k, v in q.counts.items()}} for q in results.questions]}




def _session_values(body: dict) -> tuple[dict, list | None]:
    """The session form's values and quotas from a request body."""
    values = dict(body)
    quotas = values.pop("quotas", None)
    if "eligible_countries" in values:
        values["eligible_countries"] = ",".join(values["eligible_countries"])
    for name in ("kind", "theme"):
        if name in values:
            values[name] = (SessionKind if name == "kind" else Theme)(values[name])
    specs = None if quotas is None else [
        QuotaSpec(seats=q["seats"], country=q.get("country"), agency_id=q.get("agency_id")) for q in quotas]
    if specs and any((q.country is None) == (q.agency_id is None) for q in specs):
        abort_with(422, _("Each quota is for one country or one agency."))
    return values, specs


def _save(work, *args, **kwargs):
    try:
        return run(work, *args, **kwargs)
    except SessionInvalid as invalid:
        g.problem_errors = {"json": {name: [str(m) for m in messages] for name, messages in invalid.errors.items()}}
        abort_with(422, invalid.message)
    except SessionError as error:
        abort_with(error.status, error.message)


@bp.post("/sessions")
@allow(*STAFF)
@bp.arguments(s.SessionWriteSchema)
@bp.response(201, s.SessionDetailSchema)
def create_session(body):
    """Create a draft session (its days follow its dates); publish it with /status."""
    values, quotas = _session_values(body)
    created = _save(sessions.create_session, values, quotas, actor=_actor())
    return get_session_for(current_user, created.id, with_days=True)


@bp.patch("/sessions/<int:session_id>")
@allow(*STAFF)
@bp.arguments(s.SessionPatchSchema)
@bp.response(200, s.SessionDetailSchema)
def update_session(body, session_id: int):
    """Change some fields of a session (the others, and the quotas unless given, stay)."""
    current = session_or_404(session_id)
    values, quotas = _session_values(body)
    merged = {name: getattr(current, name) for name in sessions.EDITABLE_FIELDS} | values
    if quotas is None:
        quotas = sessions.current_quotas(session_id)
    _save(sessions.update_session, session_id, merged, quotas, actor=_actor())
    return get_session_for(current_user, session_id, with_days=True)
