"""Reading registrations for pages and exports: scoped to the reader, a fixed number of queries."""

from dataclasses import dataclass

from flask import abort
from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager, load_only

from registrations.access import scoped_to_agency
from registrations.extensions import db
from registrations.inputs import parse_id
from registrations.models import (
    Agency,
    AuditEvent,
    Participant,
    Registration,
    RegistrationState,
    SessionStatus,
    TrainingSession,
    User,
)
from registrations.models.sessions import CONTENT_LOCALES


def get_registration_for(user, registration_id: int) -> Registration:
    """The registration with its session, participant and agency, if the user may see it; else 404."""
    query = (
        select(Registration)
        .join(Registration.session).join(Registration.participant).join(Registration.agency)
        .options(contains_eager(Registration.session), contains_eager(Registration.participant),
                 contains_eager(Registration.agency))
        .where(Registration.id == registration_id)
    )
    registration = db.session.scalars(scoped_to_agency(query, Registration.agency_id, user)).first()
    if registration is None:
        abort(404)
    return registration


def get_session_for_registering(session_id: int) -> TrainingSession:
    """A session a partner may try to register for: any that is not a draft (404 otherwise)."""
    session = db.session.get(TrainingSession, session_id)
    if session is None or session.status == SessionStatus.DRAFT:
        abort(404)
    return session


@dataclass
class Filters:
    """Filters of a registrations list, read from the query string (unknown values ignored)."""

    state: RegistrationState | None = None
    agency_id: int | None = None
    country: str | None = None

    @classmethod
    def from_args(cls, args) -> "Filters":
        state = args.get("state", "")
        agency = args.get("agency", "")
        country = args.get("country", "").strip().upper()
        return cls(
            state=RegistrationState(state) if state in RegistrationState._value2member_map_ else None,
            agency_id=parse_id(agency),
            country=country if len(country) == 2 and country.isalpha() else None,
        )

    def apply(self, query: Select) -> Select:
        if self.state is not None:
            query = query.where(Registration.state == self.state)
        if self.agency_id is not None:
            query = query.where(Registration.agency_id == self.agency_id)
        if self.country is not None:
            query = query.where(Registration.country == self.country)
        return query


def _count(*where) -> Select:
    """Rows of a registration list, counted on the registrations alone (on an index): the joined
    tables of a list are inner joins on required foreign keys, so the total is the same."""
    return select(func.count()).select_from(Registration).where(*where)


def _with_people(query: Select) -> Select:
    return (query.join(Registration.participant).join(Registration.agency)
            .options(contains_eager(Registration.participant), contains_eager(Registration.agency)))


def agency_registrations(agency_id: int, filters: Filters) -> Select:
    """An agency's registrations across sessions, newest first, with session and participant.

    Only the columns the partner's list shows are read (not the sessions' descriptions).
    """
    query = (select(Registration).join(Registration.session).join(Registration.participant)
             .options(load_only(Registration.session_id, Registration.state, Registration.nominated,
                                Registration.offer_expires_at, Registration.created_at,
                                Registration.cancel_requested_at),
                      contains_eager(Registration.session).load_only(
                          TrainingSession.start_date, TrainingSession.city,
                          *(getattr(TrainingSession, f"title_{code}") for code in CONTENT_LOCALES)),
                      contains_eager(Registration.participant).load_only(Participant.name_latin,
                                                                         Participant.name_native))
             .where(Registration.agency_id == agency_id))
    return filters.apply(query).order_by(Registration.id.desc())


def count_agency_registrations(agency_id: int, filters: Filters) -> Select:
    """How many rows `agency_registrations` gives, counted on the registrations' index."""
    return filters.apply(_count(Registration.agency_id == agency_id))


def session_registrations(session_id: int, filters: Filters) -> Select:
    """A session's registrations in order of arrival, with participant and agency."""
    query = _with_people(select(Registration)).where(Registration.session_id == session_id)
    return filters.apply(query).order_by(Registration.id)


def count_session_registrations(session_id: int, filters: Filters) -> Select:
    """How many rows `session_registrations` gives, counted on the registrations' index."""
    return filters.apply(_count(Registration.session_id == session_id))


def session_agencies(session_id: int) -> list:
    """Agencies that have registrations in the session, for the filter: rows of id, code, name,
    name_local and country (a busy session has two hundred; whole objects were a tenth of the page)."""
    return list(db.session.execute(
        select(Agency.id, Agency.code, Agency.name, Agency.name_local, Agency.country).where(Agency.id.in_(
            select(Registration.agency_id).where(Registration.session_id == session_id)))
        .order_by(Agency.country, Agency.name)))


def agency_participants(agency_id: int) -> list[Participant]:
    """The agency's participants a partner may nominate."""
    return list(db.session.scalars(
        select(Participant).where(Participant.agency_id == agency_id, Participant.anonymised_at.is_(None))
        .order_by(Participant.name_key, Participant.id)))


def live_states_in_session(session_id: int, agency_id: int) -> dict[int, RegistrationState]:
    """{participant id: state} of the agency's live registrations for a session (one query)."""
    from registrations.models import LIVE_STATES

    return dict(db.session.execute(select(Registration.participant_id, Registration.state).where(
        Registration.session_id == session_id, Registration.agency_id == agency_id,
        Registration.state.in_(LIVE_STATES))).all())


def history(registration: Registration, include_internal: bool) -> list[tuple[AuditEvent, User | None]]:
    """The audit events of a registration, oldest first, with their actors; partners do not see
    the internal notes."""
    actions = ["registration.state", "registration.offer", "registration.offer_withdrawn", "registration.edited",
               "registration.cancel_request", "registration.cancel_request_confirmed",
               "registration.cancel_request_refused"]
    if include_internal:
        actions.append("registration.note")
    rows = db.session.execute(
        select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.object_type == Registration.__tablename__, AuditEvent.object_id == registration.id,
               AuditEvent.action.in_(actions))
        .order_by(AuditEvent.at, AuditEvent.id))
    return [(event, user) for event, user in rows.unique()]
