"""Personal data: everything held on a participant (export), and erasing it after some years.

Anonymising keeps the rows that aggregate figures count (registrations, attendance,
certificates, evaluation scores) and the certificate's verification ("valid, issued on …"),
but erases names and contact details: in the participant, its account, its registrations'
free texts and the facts snapshot of its certificates (keys kept, names emptied), whose
stored PDF is dropped.
"""

from datetime import date

from sqlalchemy import func, select, update

from registrations.audit import record
from registrations.auth.logins import end_all
from registrations.clock import local_midnight, local_today
from registrations.enrolment.retention import erase_answers_of
from registrations.extensions import db
from registrations.models import (
    Attendance,
    Certificate,
    EvaluationAnswer,
    EvaluationQuestion,
    EvaluationResponse,
    Participant,
    Registration,
    SessionDay,
    TrainingSession,
    User,
    utcnow,
)
from registrations.models.messages import Message
from registrations.transaction import run

#: Keys of a certificate's facts that name or describe the person.
#: `credential` (the QR code's token) and `open_badge` are signed documents that state the names.
PERSONAL_FACT_KEYS = {"name", "name_latin", "name_native", "rank", "unit", "email", "phone", "credential",
                      "open_badge"}


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def participant_data(participant: Participant) -> dict:
    """Everything held on one participant, as JSON-ready values (six queries)."""
    account = db.session.scalar(select(User).where(User.participant_id == participant.id))
    rows = db.session.execute(
        select(Registration, TrainingSession)
        .join(TrainingSession, TrainingSession.id == Registration.session_id)
        .where(Registration.participant_id == participant.id)
        .order_by(TrainingSession.start_date, Registration.id)
    ).all()
    ids = [registration.id for registration, _ in rows]
    marks: dict[int, list] = {}
    for mark, day in db.session.execute(
        select(Attendance, SessionDay).join(SessionDay, SessionDay.id == Attendance.day_id)
        .where(Attendance.registration_id.in_(ids)).order_by(SessionDay.date, SessionDay.part)
    ):
        marks.setdefault(mark.registration_id, []).append(
            {"date": _iso(day.date), "part": day.part.value, "status": mark.status.value})
    certificates: dict[int, list] = {}
    for certificate in db.session.scalars(select(Certificate).where(Certificate.registration_id.in_(ids))):
        certificates.setdefault(certificate.registration_id, []).append({
            "serial": certificate.serial, "verification_code": certificate.code,
            "status": certificate.status.value, "issued_at": _iso(certificate.issued_at),
            "revoked_at": _iso(certificate.revoked_at), "revoke_reason": certificate.revoke_reason,
            "facts": certificate.facts})
    evaluations: dict[int, dict] = {}
    for response, answer, question in db.session.execute(
        select(EvaluationResponse, EvaluationAnswer, EvaluationQuestion)
        .outerjoin(EvaluationAnswer, EvaluationAnswer.response_id == EvaluationResponse.id)
        .outerjoin(EvaluationQuestion, EvaluationQuestion.id == EvaluationAnswer.question_id)
        .where(EvaluationResponse.registration_id.in_(ids))
        .order_by(EvaluationResponse.id, EvaluationQuestion.position)
    ):
        entry = evaluations.setdefault(response.registration_id, {
            "source": response.source.value, "submitted_at": _iso(response.submitted_at),
            "locale": response.locale, "comment": response.comment, "answers": []})
        if answer is not None:
            entry["answers"].append({"question": question.text_fr, "score": answer.score})
    agency = participant.agency
    return {
        "profile": {
            "id": participant.id, "name_latin": participant.name_latin, "name_native": participant.name_native,
            "rank": participant.rank, "unit": participant.unit, "email": participant.email,
            "phone": participant.phone, "languages": participant.languages, "locale": participant.locale,
            "created_at": _iso(participant.created_at), "anonymised_at": _iso(participant.anonymised_at),
            "agency": {"code": agency.code, "name": agency.name, "name_local": agency.name_local,
                       "country": agency.country},
        },
        "account": None if account is None else {
            "email": account.email, "role": account.role.value, "display_name": account.display_name,
            "locale": account.locale, "active": account.active, "created_at": _iso(account.created_at),
            "last_login_at": _iso(account.last_login_at), "invited_at": _iso(account.invited_at),
        },
        "registrations": [{
            "id": registration.id,
            "session": {"id": session.id, "title": session.title_fr, "city": session.city,
                        "country": session.country, "start_date": _iso(session.start_date),
                        "end_date": _iso(session.end_date)},
            "state": registration.state.value, "nominated": registration.nominated,
            "motivation": registration.motivation, "needs_diet": registration.needs_diet,
            "needs_interpretation": registration.needs_interpretation,
            "needs_accessibility": registration.needs_accessibility, "reason": registration.reason,
            "created_at": _iso(registration.created_at), "decided_at": _iso(registration.decided_at),
            "attendance": marks.get(registration.id, []),
            "certificates": certificates.get(registration.id, []),
            "evaluation": evaluations.get(registration.id),
        } for registration, session in rows],
    }


def record_export(participant: Participant, actor: User) -> None:
    """Audit that an admin exported a participant's data (the caller commits)."""
    record("participant.exported", participant, actor=actor)


# ---------------------------------------------------------------- anonymisation

def cutoff_date(years: int, today: date | None = None) -> date:
    """The day `years` years before today (28 February for a 29 February)."""
    today = today or local_today()
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def candidates(years: int, today: date | None = None) -> list[int]:
    """Participants to anonymise: not yet anonymised, known for more than `years` years, every
    session of theirs ended more than `years` years ago, and no account used since then."""
    cutoff = cutoff_date(years, today)
    cutoff_at = local_midnight(cutoff)
    recent_sessions = (select(Registration.participant_id)
                       .join(TrainingSession, TrainingSession.id == Registration.session_id)
                       .where(TrainingSession.end_date >= cutoff))
    recent_accounts = select(User.participant_id).where(
        User.participant_id.is_not(None),
        (User.created_at >= cutoff_at) | (func.coalesce(User.last_login_at, User.created_at) >= cutoff_at))
    return list(db.session.scalars(
        select(Participant.id).where(
            Participant.anonymised_at.is_(None),
            Participant.created_at < cutoff_at,
            Participant.id.not_in(recent_sessions),
            Participant.id.not_in(recent_accounts),
        ).order_by(Participant.id)))


def _scrub_facts(facts: dict) -> dict:
    return {key: ("" if key.startswith("participant") or key in PERSONAL_FACT_KEYS else value)
            for key, value in (facts or {}).items()}


def anonymise(participant_ids: list[int], *, actor: User | None = None, batch: int = 200) -> dict:
    """Erase the personal data of these participants, one unit of work per batch (an edge: a
    command or the nightly job calls it)."""
    counts = {"participants": 0, "accounts": 0, "registrations": 0, "certificates": 0}
    now = utcnow()
    for start in range(0, len(participant_ids), batch):
        done = run(anonymise_batch, participant_ids[start:start + batch], actor=actor, now=now)
        for name, number in done.items():
            counts[name] += number
    return counts


def anonymise_batch(ids: list[int], *, actor: User | None, now) -> dict:
    """Erase the personal data of these participants (flushes; the caller commits)."""
    counts = {"participants": 0, "accounts": 0, "registrations": 0, "certificates": 0}
    # Messages sent to these people go with their names: recipient and bodies erased.
    emails = select(Participant.email).where(Participant.id.in_(ids), Participant.email.is_not(None))
    db.session.execute(update(Message).where(Message.recipient.in_(emails)).values(
        recipient="", subject="", body="", html_body=None, attachments=None, context=None))
    db.session.execute(update(Participant).where(Participant.id.in_(ids)).values(
        name_latin="", name_native="", name_key="", rank="", unit="", email=None, phone="",
        languages="", anonymised_at=now))
    result = db.session.execute(update(Registration).where(Registration.participant_id.in_(ids)).values(
        motivation="", needs_diet="", needs_interpretation="", needs_accessibility="", reason="",
        internal_note=""))
    counts["registrations"] += result.rowcount or 0
    registration_ids = select(Registration.id).where(Registration.participant_id.in_(ids))
    erase_answers_of(registration_ids)  # answers to the sessions' questions, files included
    for certificate in db.session.scalars(
            select(Certificate).where(Certificate.registration_id.in_(registration_ids))):
        certificate.facts = _scrub_facts(certificate.facts)
        certificate.pdf = None
        counts["certificates"] += 1
    with_account = set()
    for user in db.session.scalars(select(User).where(User.participant_id.in_(ids))):
        user.email = f"anonymised-{user.id}@invalid.invalid"
        user.display_name = ""
        user.password_hash = ""
        user.link_nonce = ""
        user.invited_at = None
        user.active = False
        user.session_version += 1
        end_all(user.id)
        with_account.add(user.participant_id)
        counts["accounts"] += 1
    for participant_id in ids:
        record("participant.anonymised", actor=actor, object_type="participant", object_id=participant_id,
               after={"account_deactivated": participant_id in with_account})
    counts["participants"] += len(ids)
    return counts


def dry_run_counts(participant_ids: list[int]) -> dict:
    """What `anonymise` would change, without changing it (four counting queries)."""
    if not participant_ids:
        return {"participants": 0, "accounts": 0, "registrations": 0, "certificates": 0}
    registrations = select(Registration.id).where(Registration.participant_id.in_(participant_ids))
    return {
        "participants": len(participant_ids),
        "accounts": db.session.scalar(select(func.count()).select_from(User)
                                      .where(User.participant_id.in_(participant_ids))),
        "registrations": db.session.scalar(select(func.count()).select_from(registrations.subquery())),
        "certificates": db.session.scalar(select(func.count()).select_from(Certificate)
                                          .where(Certificate.registration_id.in_(registrations))),
    }
