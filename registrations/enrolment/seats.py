"""Seat arithmetic of one session: capacity, seats held by offers, and quotas.

A `SeatBook` is read once inside the transaction that holds the session's row lock, then kept
in step in memory while that transaction takes and releases seats, so that deciding many
registrations costs two queries, not two per registration.

`seats_taken` (the session's approved registrations) is written in two places only:
`SeatBook.take`/`release`, under the session's lock, for the rules; and `recount_seats_taken`,
the bulk path for data written in bulk (demo data, the scale generator, test factories, the
benchmark's clean-up), which sets it from the registrations themselves.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, bindparam, func, or_, select, update

from registrations.extensions import db
from registrations.models import Registration, RegistrationState, SessionQuota, TrainingSession


def approved_count_sql():
    """The number of approved registrations of the `training_session` row at hand (a correlated
    scalar subquery, for UPDATE statements and checks)."""
    return (select(func.count()).select_from(Registration)
            .where(Registration.session_id == TrainingSession.id,
                   Registration.state == RegistrationState.APPROVED)
            .scalar_subquery())


def recount_seats_taken(session_ids: Iterable[int] | None = None) -> None:
    """Set `seats_taken` of the given sessions (all when None) to their approved registrations.

    The bulk path: for rows written without the rules (demo data, generated data, fixtures).
    The caller commits."""
    statement = update(TrainingSession).values(seats_taken=approved_count_sql())
    if session_ids is not None:
        statement = statement.where(TrainingSession.id.in_(list(session_ids)))
    db.session.execute(statement.execution_options(synchronize_session=False))


def offer_is_active(registration: Registration, now: datetime) -> bool:
    """Whether a freed seat is held for this waitlisted registration right now."""
    return (registration.state == RegistrationState.WAITLISTED
            and registration.offer_expires_at is not None and registration.offer_expires_at > now)


#: Read under the session's lock at every registration and decision: built once.
_QUOTAS = (select(SessionQuota.agency_id, SessionQuota.country, SessionQuota.seats)
           .where(SessionQuota.session_id == bindparam("session_id")))
_STILL_OPEN = (Registration.offer_expires_at > bindparam("now", type_=Registration.offer_expires_at.type)
               ).label("still_open")
#: Approved registrations and offers (open, or due to expire) per agency, country and state.
_IN_USE = (select(Registration.agency_id, Registration.country, Registration.state, _STILL_OPEN, func.count())
           .where(Registration.session_id == bindparam("session_id"),
                  or_(Registration.state == RegistrationState.APPROVED,
                      and_(Registration.state == RegistrationState.WAITLISTED,
                           Registration.offer_expires_at.is_not(None))))
           .group_by(Registration.agency_id, Registration.country, Registration.state, _STILL_OPEN))


@dataclass
class SeatBook:
    """Seats of one locked session: taken (approved), held by open offers, and per quota."""

    session: TrainingSession
    offers: int = 0
    agency_quota: dict[int, int] = field(default_factory=dict)
    country_quota: dict[str, int] = field(default_factory=dict)
    #: Approved registrations plus open offers, per agency and per country.
    agency_used: Counter = field(default_factory=Counter)
    country_used: Counter = field(default_factory=Counter)
    #: Waitlisted registrations whose offer ran out and is not yet passed on (`services.expire_due`).
    due_offers: int = 0

    @classmethod
    def load(cls, session: TrainingSession, now: datetime) -> "SeatBook":
        """Read the quotas, the seats in use and the offers due to expire (one query for the
        registrations); call it after locking the session row."""
        book = cls(session=session)
        for agency_id, country, seats in db.session.execute(_QUOTAS, {"session_id": session.id}):
            if agency_id is not None:
                book.agency_quota[agency_id] = seats
            else:
                book.country_quota[country] = seats
        rows = db.session.execute(_IN_USE, {"session_id": session.id, "now": now})
        for agency_id, country, state, is_open, number in rows:
            if state == RegistrationState.WAITLISTED and not is_open:
                book.due_offers += number
                continue
            book.agency_used[agency_id] += number
            book.country_used[country] += number
            if state == RegistrationState.WAITLISTED:
                book.offers += number
        return book

    @property
    def free(self) -> int:
        """Seats neither taken nor held for an offer (negative when capacity was lowered)."""
        return self.session.capacity - self.session.seats_taken - self.offers

    def fits(self, registration: Registration, holding_offer: bool = False) -> bool:
        """Whether this registration may take a seat without exceeding capacity or a quota.

        `holding_offer`: the registration already holds an offered seat, counted in use.
        """
        return self.blocker(registration, holding_offer) is None

    def blocker(self, registration: Registration, holding_offer: bool = False) -> str | None:
        """What keeps this registration from a seat: "capacity", "agency" (its agency's quota),
        "country" (its country's quota), or None when it fits."""
        own = 1 if holding_offer else 0
        if self.free + own < 1:
            return "capacity"
        quota = self.agency_quota.get(registration.agency_id)
        if quota is not None and self.agency_used[registration.agency_id] - own + 1 > quota:
            return "agency"
        quota = self.country_quota.get(registration.country)
        if quota is not None and self.country_used[registration.country] - own + 1 > quota:
            return "country"
        return None

    def take(self, registration: Registration, holding_offer: bool = False) -> None:
        """Count a seat as taken by this registration (approved)."""
        self.session.seats_taken += 1
        if holding_offer:
            self.offers -= 1
        else:
            self.agency_used[registration.agency_id] += 1
            self.country_used[registration.country] += 1

    def hold(self, registration: Registration) -> None:
        """Count a seat as held for an offer to this registration."""
        self.offers += 1
        self.agency_used[registration.agency_id] += 1
        self.country_used[registration.country] += 1

    def release(self, registration: Registration, was_offer: bool = False) -> None:
        """Give back the seat this registration took (or the offer it held)."""
        if was_offer:
            self.offers -= 1
        else:
            self.session.seats_taken -= 1
        self.agency_used[registration.agency_id] -= 1
        self.country_used[registration.country] -= 1
