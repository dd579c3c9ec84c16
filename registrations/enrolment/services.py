"""The registration rules, shared by the views, the command line, the demo data and the tests.

Every function that changes seats locks the session's row first (`locking.lock_row`), reads
the seats in use once (`SeatBook`), checks everything, writes, keeps `seats_taken` in step and
flushes. The caller (a view, a command, a job) commits through `transaction.run`, which rolls
back when a rule refuses, so nothing is written then. See the README's design notes for why
this never overbooks.
"""

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from registrations import audit
from registrations.enrolment import answers, codes, notify, waitlist
from registrations.enrolment.errors import DuplicatePerson, NoSeatLeft, RegistrationError
from registrations.enrolment.people import PersonDetails, email_owner, matches_in_agency
from registrations.enrolment.seats import SeatBook, offer_is_active
from registrations.extensions import db
from registrations.locking import lock_row
from registrations.models import (
    LIVE_STATES,
    Agency,
    Participant,
    Registration,
    RegistrationState,
    SessionStatus,
    TrainingSession,
    User,
    key_of,
    utcnow,
)
from registrations.signals import registration_state_changed
from registrations.text import strip_fields

__all__ = ["DuplicatePerson", "NoSeatLeft", "RegistrationError", "RegistrationRequest", "RequestDetails"]

S = RegistrationState

#: Decisions an organiser can take, and the states each applies to.
ACTIONS = {
    "approve": (S.PENDING, S.WAITLISTED),
    "reject": (S.PENDING, S.WAITLISTED, S.APPROVED),
    "waitlist": (S.PENDING,),
    "cancel": LIVE_STATES,
}
#: Sessions whose waiting list moves when a seat frees.
PROMOTING = (SessionStatus.PUBLISHED, SessionStatus.CLOSED)
#: Reasons written by the system rather than a person (translated when shown).
OFFER_EXPIRED = "offer-expired"
OFFER_DECLINED = "offer-declined"


@dataclass
class RequestDetails:
    """What a registration asks for: motivation and needs."""

    motivation: str = ""
    needs_diet: str = ""
    needs_interpretation: str = ""
    needs_accessibility: str = ""

    def __post_init__(self):
        strip_fields(self)


#: The answer when a person's email is another agency's participant's.
CANNOT_NOMINATE = _l("This person cannot be registered here. Contact the cooperation office.")


def _refuse(message, status: int = 409):
    """Refuse the action; the unit of work is rolled back by its caller."""
    raise RegistrationError(message, status)


def _lock(session_id: int, now: datetime | None) -> tuple[TrainingSession, SeatBook, datetime]:
    """Lock the session's row (waiting for concurrent writers) and read its seats.

    The time of the action, unless given, is taken once the lock is held: the order of
    `created_at` is then the order in which registrations got the seats.
    """
    session = lock_row(TrainingSession, session_id)
    if session is None:
        _refuse(_l("This session does not exist."), 404)
    now = now or utcnow()
    return session, SeatBook.load(session, now), now


def _enter(registration: Registration, after: RegistrationState, *, actor: User | None, now: datetime,
           reason: str = "", created: bool = False) -> RegistrationState | None:
    """Put a registration in a state, with what goes with it: its place on the waiting list, the
    end of a cancellation request, the decision. Returns the state before (None when `created`:
    a new registration, not yet written, has no place, request or decision to clear, and is
    written once, in its final state)."""
    before = None if created else registration.state
    registration.state = after
    if after == S.WAITLISTED and before != S.WAITLISTED:
        waitlist.append(registration)
    elif after != S.WAITLISTED and not created:
        registration.waitlist_rank = None
    if after != S.APPROVED and not created:  # a cancellation request ends with the approval it was about
        registration.cancel_requested_at = registration.cancel_requested_by_id = None
        registration.cancel_request_reason = ""
    if not created:
        registration.decided_at = now
        registration.decided_by_id = key_of(actor)
        registration.reason = reason
    return before


def _announce(registration: Registration, before: RegistrationState | None, after: RegistrationState, *,
              session: TrainingSession, participant: Participant, actor: User | None, reason: str = "") -> None:
    """Tell of a state change (the registration written): audit event, signal and emails, in
    this transaction."""
    audit.record("registration.state", registration, actor=actor,
                 before={"state": before.value if before else None}, after={"state": after.value}, reason=reason)
    registration_state_changed.send(registration, before=before, after=after, actor=actor)
    notify.state_changed(registration, session, participant, after.value, reason)


def _change(registration: Registration, after: RegistrationState, *, session: TrainingSession,
            participant: Participant, actor: User | None, now: datetime, reason: str = "") -> None:
    """Move a registration to a state: audit event, signal and emails, in this transaction."""
    before = _enter(registration, after, actor=actor, now=now, reason=reason)
    _announce(registration, before, after, session=session, participant=participant, actor=actor, reason=reason)


def _seat(registration: Registration, book: SeatBook, holding_offer: bool = False) -> None:
    """Give a registration a seat: taken in the book, its offer ended, a personal check-in code."""
    book.take(registration, holding_offer=holding_offer)
    registration.offer_expires_at = None
    codes.assign_code(registration)


def _approve(registration: Registration, session: TrainingSession, book: SeatBook, *,
             participant: Participant, actor: User | None, now: datetime, holding_offer: bool = False) -> None:
    _seat(registration, book, holding_offer=holding_offer)
    _change(registration, S.APPROVED, session=session, participant=participant, actor=actor, now=now)


def _release(registration: Registration, book: SeatBook, now: datetime) -> bool:
    """Give back what a registration leaving its live state held (a seat or an offer);
    True when a seat freed."""
    freed = True
    if registration.state == S.APPROVED:
        book.release(registration)
    elif offer_is_active(registration, now):
        book.release(registration, was_offer=True)
    else:
        freed = False
    registration.offer_expires_at = None
    return freed


def _waiting(session: TrainingSession, *conditions) -> list[Registration]:
    return waitlist.waiting(session.id, *conditions)


def expire_due(session: TrainingSession, now: datetime, book: SeatBook | None = None) -> int:
    """Cancel the waitlisted registrations whose seat offer ran out (call under the session lock).

    With the session's `book` (read under the same lock, at the same `now`), nothing is read
    when it counted no offer due."""
    if book is not None and not book.due_offers:
        return 0
    due = _waiting(session, Registration.offer_expires_at <= now)
    if book is not None:
        book.due_offers = 0
    for registration in due:
        registration.offer_expires_at = None
        _change(registration, S.CANCELLED, session=session, participant=registration.participant, actor=None,
                now=now, reason=OFFER_EXPIRED)
    return len(due)


def fill_seats(session: TrainingSession, book: SeatBook, now: datetime, actor: User | None) -> None:
    """Give free seats to the waiting list, first come first served among those that fit the
    quotas: approved at once, or offered for `offer_hours` when the session asks confirmation.
    Call under the session lock, with the SeatBook read under it."""
    if session.status not in PROMOTING or book.free < 1:
        return
    for registration in _waiting(session):
        if book.free < 1:
            break
        if offer_is_active(registration, now) or not book.fits(registration):
            continue
        if session.confirm_promotions:
            registration.offer_expires_at = now + timedelta(hours=session.offer_hours or 72)
            book.hold(registration)
            audit.record("registration.offer", registration, actor=actor,
                         after={"offer_expires_at": registration.offer_expires_at.isoformat()})
            notify.state_changed(registration, session, registration.participant, "offered")
        else:
            _approve(registration, session, book, participant=registration.participant, actor=actor, now=now)


def _participant_for(agency_id: int | None, participant_id: int | None, person: PersonDetails | None,
                     confirm_new: bool) -> Participant:
    """The participant to register: one of the agency's, or a new one that is not a copy."""
    if participant_id is not None:
        participant = db.session.get(Participant, participant_id)
        if (participant is None or participant.anonymised_at is not None
                or (agency_id is not None and participant.agency_id != agency_id)):
            _refuse(_l("This person is not among your agency's participants."), 404)
        return participant
    if person is None or agency_id is None:
        raise ValueError("a new participant needs details and an agency")
    owner = email_owner(person.email)
    if owner is not None and owner.agency_id != agency_id:
        # Say no more than that: naming the other agency would tell who is registered where.
        _refuse(CANNOT_NOMINATE)
    matches = matches_in_agency(agency_id, person)
    same_email = any((m.email or "").lower() == person.email for m in matches)
    if matches and (same_email or not confirm_new):
        raise DuplicatePerson(matches, same_email)
    participant = Participant(agency_id=agency_id)
    person.apply_to(participant)
    db.session.add(participant)
    db.session.flush()
    return participant


@dataclass
class RegistrationRequest:
    """Who is registered, by whom, and what they ask for (the input of `register`).

    `agency_id` limits who may be registered (a partner's agency; None for staff). The person
    is an existing participant (`participant_id`) or a new one from `person`; `confirm_new`
    registers a new person even when a namesake exists in the agency. With `update_person`,
    `person` overwrites the participant's details (self-registration).
    """

    agency_id: int | None
    participant_id: int | None = None
    person: PersonDetails | None = None
    update_person: bool = False
    confirm_new: bool = False
    details: RequestDetails | None = None
    nominated: bool = False
    #: Raw answers to the session's questions ({question id: text or answers.SentFile}).
    answers: dict | None = None
    #: A required file may be sent later (batch nominations).
    files_later: bool = False
    #: The session's questions as the form that took the answers showed them (read when None).
    questions: list | None = None


def _check_open(session: TrainingSession | None, now: datetime) -> TrainingSession:
    """Refuse a registration the session does not take at `now` (missing, draft, cancelled, closed)."""
    if session is None or session.status == SessionStatus.DRAFT:
        _refuse(_l("This session does not exist."), 404)
    if session.status == SessionStatus.CANCELLED:
        _refuse(_l("This session has been cancelled."))
    if not session.registration_is_open(now):
        _refuse(_l("Registrations for this session are closed."))
    return session


def _check_eligible(session: TrainingSession, agency: Agency) -> None:
    if not session.accepts_country(agency.country):
        _refuse(_l("Officers of this country are not eligible for this session."), 403)


def _check_email(person: PersonDetails, participant: Participant) -> None:
    """New details of a participant keep an email nobody else uses."""
    owner = email_owner(person.email, exclude_id=participant.id)
    if owner is not None and owner.agency_id != participant.agency_id:
        _refuse(CANNOT_NOMINATE)
    if owner is not None:
        _refuse(_l("This email address is already used by another participant. Check it, or contact "
                   "the cooperation office."))


#: A live registration of a participant in a session (run at every registration, under the
#: session's lock: built once, its compiled form cached by SQLAlchemy).
_LIVE = select(Registration.id).where(Registration.session_id == bindparam("session_id"),
                                      Registration.participant_id == bindparam("participant_id"),
                                      Registration.state.in_(LIVE_STATES))


def register(session_id: int, request: RegistrationRequest, *, actor: User | None = None,
             now: datetime | None = None) -> Registration:
    """Register a participant for a session, as `request` describes.

    The registration is approved when the session approves automatically and a seat fits,
    waitlisted when no seat or quota is left, pending otherwise.

    What does not depend on seats is checked before the session's lock, so that the lock is
    held for the seats only: the session as read (checked again under the lock), the answers,
    an existing participant, their agency and email. A row lock on PostgreSQL does not lock
    these either; the registrations of the participant in the session, the seats and a new
    participant are read and written under the lock.
    """
    agency_id, participant_id, person = request.agency_id, request.participant_id, request.person
    details = request.details or RequestDetails()
    session = _check_open(db.session.get(TrainingSession, session_id), now or utcnow())
    questions = request.questions if request.questions is not None else answers.session_questions(session.id)
    clean = answers.validate(questions, request.answers or {}, files_later=request.files_later)
    participant = agency = None
    if participant_id is not None:
        participant = _participant_for(agency_id, participant_id, person, request.confirm_new)
        agency = db.session.get(Agency, participant.agency_id)
        _check_eligible(session, agency)
        if request.update_person and person is not None:
            _check_email(person, participant)
    session, book, now = _lock(session_id, now)
    _check_open(session, now)
    if participant is None:
        participant = _participant_for(agency_id, participant_id, person, request.confirm_new)
        agency = db.session.get(Agency, participant.agency_id)
    _check_eligible(session, agency)
    if db.session.scalar(_LIVE, {"session_id": session.id, "participant_id": participant.id}) is not None:
        _refuse(_l("%(name)s is already registered for this session.", name=participant.name_latin))
    if request.update_person and person is not None:
        person.apply_to(participant)
    if expire_due(session, now, book):
        fill_seats(session, book, now, actor)
    registration = Registration(
        session_id=session.id, participant_id=participant.id, agency_id=agency.id, country=agency.country,
        nominated=request.nominated, created_by_id=key_of(actor), created_at=now,
        **{f.name: getattr(details, f.name) for f in fields(details)},
    )
    # Its state is settled before it is written, so that the row is written once.
    if not book.fits(registration):
        state = S.WAITLISTED
    elif session.auto_approve:
        state = S.APPROVED
        _seat(registration, book)
    else:
        state = S.PENDING
    _enter(registration, state, actor=actor, now=now, created=True)
    db.session.add(registration)
    db.session.flush()
    answers.save(registration, questions, clean)
    _announce(registration, None, state, session=session, participant=participant, actor=actor)
    db.session.flush()
    return registration


def decide(session_id: int, registration_ids: list[int], action: str, *, actor: User | None = None,
           reason: str = "", now: datetime | None = None) -> list[Registration]:
    """An organiser's decision on one or many registrations of a session, all or nothing.

    Approving takes a seat and is refused (NoSeatLeft) when capacity or a quota is reached;
    rejecting or cancelling an approved registration frees its seat for the waiting list.
    """
    reason = (reason or "").strip()
    ids = sorted(set(registration_ids))
    if action not in ACTIONS:
        raise RegistrationError(_l("Choose a decision."), 400)
    if not ids:
        raise RegistrationError(_l("Select at least one registration."), 400)
    if action == "reject" and not reason:
        raise RegistrationError(_l("Give a reason for the rejection."), 400)
    session, book, now = _lock(session_id, now)
    if session.status == SessionStatus.CANCELLED:
        _refuse(_l("This session has been cancelled."))
    freed = expire_due(session, now, book) > 0
    registrations = list(db.session.scalars(
        select(Registration).options(joinedload(Registration.participant))
        .where(Registration.id.in_(ids), Registration.session_id == session.id).order_by(Registration.id)
    ).unique())
    if len(registrations) != len(ids):
        _refuse(_l("Some of the selected registrations do not exist in this session."), 404)
    for registration in registrations:
        if registration.state not in ACTIONS[action]:
            _refuse(_l("%(name)s: this decision does not apply to a registration in the state “%(state)s”.",
                       name=registration.participant.name_latin, state=registration.state.label))
    pending_ids = [r.id for r in registrations if r.state == S.PENDING]
    for registration in registrations:
        participant = registration.participant
        if action == "approve":
            holding = offer_is_active(registration, now)
            if not book.fits(registration, holding_offer=holding):
                raise NoSeatLeft(participant, pending_ids)
            _approve(registration, session, book, participant=participant, actor=actor, now=now,
                     holding_offer=holding)
        else:
            if action == "waitlist" and book.fits(registration):
                # Waiting while a seat is free would leave the seat empty: nobody is promoted
                # until a seat frees again.
                _refuse(_l("%(name)s fits a free seat: accept the registration instead of putting it on "
                           "the waiting list.", name=participant.name_latin))
            freed = _release(registration, book, now) or freed
            after = {"reject": S.REJECTED, "waitlist": S.WAITLISTED, "cancel": S.CANCELLED}[action]
            _change(registration, after, session=session, participant=participant, actor=actor, now=now,
                    reason=reason)
    if freed:
        fill_seats(session, book, now, actor)
    db.session.flush()
    return registrations


def _locked_registration(registration_id: int, agency_id: int | None, now: datetime | None):
    """Lock the session of a registration the caller may see (404 otherwise), then read both."""
    session_id = db.session.scalar(select(Registration.session_id).where(
        Registration.id == registration_id,
        *([Registration.agency_id == agency_id] if agency_id is not None else [])))
    if session_id is None:
        _refuse(_l("This registration does not exist."), 404)
    session, book, now = _lock(session_id, now)
    registration = db.session.scalars(
        select(Registration).options(joinedload(Registration.participant))
        .where(Registration.id == registration_id).execution_options(populate_existing=True)
    ).one()
    return session, book, registration, now


def cancel(registration_id: int, *, agency_id: int | None, actor: User | None = None, reason: str = "",
           now: datetime | None = None) -> Registration:
    """Cancel a live registration (partner of its agency, or staff); its seat goes to the waiting list."""
    session, book, registration, now = _locked_registration(registration_id, agency_id, now)
    if registration.state not in LIVE_STATES:
        _refuse(_l("This registration is no longer active."))
    if session.status == SessionStatus.CANCELLED:
        _refuse(_l("This session has been cancelled."))
    if session.status == SessionStatus.COMPLETED and agency_id is not None:
        _refuse(_l("This session is over: its registrations can no longer be cancelled."))
    from registrations.enrolment.cancel_requests import needs_confirmation  # it builds on this module

    if agency_id is not None and needs_confirmation(registration, session):
        _refuse(_l("Attendance has started for this registration: ask the cooperation office to cancel it."))
    freed = _release(registration, book, now)
    _change(registration, S.CANCELLED, session=session, participant=registration.participant, actor=actor,
            now=now, reason=(reason or "").strip())
    if expire_due(session, now, book) or freed:
        fill_seats(session, book, now, actor)
    db.session.flush()
    return registration


def accept_offer(registration_id: int, *, agency_id: int | None, actor: User | None = None,
                 now: datetime | None = None) -> Registration:
    """Take the seat offered to a waitlisted registration, before the offer runs out."""
    session, book, registration, now = _locked_registration(registration_id, agency_id, now)
    if not offer_is_active(registration, now) or session.status not in PROMOTING:
        # An offer that ran out is passed on by `expire_offers` (pages showing it call it).
        _refuse(_l("This seat offer has expired or was withdrawn."))
    if not book.fits(registration, holding_offer=True):
        _refuse(_l("No seat is left in this session."))
    _approve(registration, session, book, participant=registration.participant, actor=actor, now=now,
             holding_offer=True)
    db.session.flush()
    return registration


def decline_offer(registration_id: int, *, agency_id: int | None, actor: User | None = None,
                  now: datetime | None = None) -> Registration:
    """Decline an offered seat: the registration is cancelled and the seat passes on."""
    session, book, registration, now = _locked_registration(registration_id, agency_id, now)
    if not offer_is_active(registration, now):
        _refuse(_l("This seat offer has expired or was withdrawn."))
    _release(registration, book, now)
    _change(registration, S.CANCELLED, session=session, participant=registration.participant, actor=actor,
            now=now, reason=OFFER_DECLINED)
    fill_seats(session, book, now, actor)
    db.session.flush()
    return registration


def expire_offers(session_id: int | None = None, now: datetime | None = None) -> int:
    """Pass every expired seat offer (of one session, or all) to the next person; return how many.

    Run by the scheduled job every few minutes (and `flask expire-offers`); costs one query when
    nothing is due.
    """
    now = now or utcnow()
    query = select(Registration.session_id).where(
        Registration.state == S.WAITLISTED, Registration.offer_expires_at <= now).distinct()
    if session_id is not None:
        query = query.where(Registration.session_id == session_id)
    expired = 0
    for due_session_id in sorted(db.session.scalars(query)):
        session, book, now = _lock(due_session_id, now)
        expired += expire_due(session, now, book)
        fill_seats(session, book, now, None)
        db.session.flush()
    return expired


def update_pending(registration_id: int, *, agency_id: int | None, person: PersonDetails | None,
                   details: RequestDetails, raw_answers: dict, actor: User | None = None) -> Registration:
    """Correct a pending registration (a partner of its agency, or staff): the person's details,
    the needs and motivation, and the answers. Once decided, a registration no longer changes."""
    registration = db.session.scalars(
        select(Registration).options(joinedload(Registration.participant))
        .where(Registration.id == registration_id,
               *([Registration.agency_id == agency_id] if agency_id is not None else []))).first()
    if registration is None:
        _refuse(_l("This registration does not exist."), 404)
    if registration.state != S.PENDING:
        _refuse(_l("Only a pending registration can be changed."))
    questions = answers.session_questions(registration.session_id)
    stored = answers.answers_of([registration.id]).get(registration.id, {})
    clean = answers.validate(questions, raw_answers, existing=stored)
    participant = registration.participant
    before = {"person": participant.name_latin, **{f.name: getattr(registration, f.name) for f in fields(details)}}
    if person is not None:
        _check_email(person, participant)
        person.apply_to(participant)
    for f in fields(details):
        setattr(registration, f.name, getattr(details, f.name))
    answers.save(registration, questions, clean, replace=True)
    audit.record("registration.edited", registration, actor=actor, before=before,
                 after={"person": participant.name_latin, **{f.name: getattr(details, f.name) for f in fields(details)},
                        "answers": sorted(clean)})
    db.session.flush()
    return registration


def set_note(registration_id: int, note: str, *, actor: User | None = None) -> Registration:
    """Write the organisers' internal note of a registration (never shown to partners)."""
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise RegistrationError(_l("This registration does not exist."), 404)
    note = (note or "").strip()
    audit.record("registration.note", registration, actor=actor,
                 before={"note": registration.internal_note}, after={"note": note})
    registration.internal_note = note
    db.session.flush()
    return registration
