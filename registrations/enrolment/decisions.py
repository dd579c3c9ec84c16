"""Accepting in order what fits: an organiser's bulk approval that never refuses a whole selection.

The ticked registrations are taken in the order they arrived (registration time, then id); each
one that fits the seats and quotas left is approved, the others stay pending or go to the waiting
list (the organiser's choice), and the summary says, person by person, what happened and why.
Runs under the session's lock like every seat rule (see `services`).
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from registrations.enrolment.seats import offer_is_active
from registrations.enrolment.services import S, _approve, _change, _lock, _refuse, expire_due, fill_seats
from registrations.extensions import db
from registrations.models import Agency, Registration, SessionStatus, User
from registrations.sessions.choices import country_name

#: What happens to the registrations that do not fit.
REST_PENDING = "pending"
REST_WAITLIST = "waitlist"

#: Outcomes shown in the summary, in this order.
ACCEPTED, LEFT_PENDING, WAITLISTED, LEFT_WAITING, SKIPPED = (
    "accepted", "pending", "waitlisted", "waiting", "skipped")
OUTCOME_LABELS = {
    ACCEPTED: _l("Accepted"),
    LEFT_PENDING: _l("Left pending"),
    WAITLISTED: _l("Put on the waiting list"),
    LEFT_WAITING: _l("Still on the waiting list"),
    SKIPPED: _l("Not changed"),
}


@dataclass
class Outcome:
    """What the decision did to one registration, and why."""

    registration: Registration
    outcome: str
    reason: str = ""

    @property
    def label(self) -> str:
        return str(OUTCOME_LABELS[self.outcome])


def _why(blocker: str, registration: Registration, agency: Agency | None) -> str:
    if blocker == "country":
        return str(_l("quota for %(country)s reached", country=country_name(registration.country)))
    if blocker == "agency":
        name = agency.name_local or agency.name if agency is not None else ""
        return str(_l("quota for %(agency)s reached", agency=name))
    return str(_l("no seat left in the session"))


def accept_fitting(session_id: int, registration_ids: list[int], rest: str = REST_PENDING, *,
                   actor: User | None = None, now: datetime | None = None) -> list[Outcome]:
    """Approve, in order of registration, the selected pending or waitlisted registrations that fit
    the capacity and quotas; leave the others pending or waitlist them (`rest`).

    Returns one `Outcome` per selected registration, in the order they were considered.
    """
    ids = sorted(set(registration_ids))
    if rest not in (REST_PENDING, REST_WAITLIST):
        _refuse(_l("Choose a decision."), 400)
    if not ids:
        _refuse(_l("Select at least one registration."), 400)
    session, book, now = _lock(session_id, now)
    if session.status == SessionStatus.CANCELLED:
        _refuse(_l("This session has been cancelled."))
    if expire_due(session, now, book):
        fill_seats(session, book, now, actor)
    registrations = list(db.session.scalars(
        select(Registration).options(joinedload(Registration.participant), joinedload(Registration.agency))
        .where(Registration.id.in_(ids), Registration.session_id == session.id)
        .order_by(Registration.created_at, Registration.id)
    ).unique())
    if len(registrations) != len(ids):
        _refuse(_l("Some of the selected registrations do not exist in this session."), 404)
    outcomes = []
    for registration in registrations:
        participant = registration.participant
        if registration.state not in (S.PENDING, S.WAITLISTED):
            outcomes.append(Outcome(registration, SKIPPED, str(_l(
                "already “%(state)s”", state=registration.state.label))))
            continue
        holding = offer_is_active(registration, now)
        blocker = book.blocker(registration, holding_offer=holding)
        if blocker is None:
            _approve(registration, session, book, participant=participant, actor=actor, now=now,
                     holding_offer=holding)
            outcomes.append(Outcome(registration, ACCEPTED))
            continue
        why = _why(blocker, registration, registration.agency)
        if registration.state == S.WAITLISTED:
            outcomes.append(Outcome(registration, LEFT_WAITING, why))
        elif rest == REST_WAITLIST:
            _change(registration, S.WAITLISTED, session=session, participant=participant, actor=actor, now=now,
                    reason="")
            outcomes.append(Outcome(registration, WAITLISTED, why))
        else:
            outcomes.append(Outcome(registration, LEFT_PENDING, why))
    db.session.flush()
    return outcomes
