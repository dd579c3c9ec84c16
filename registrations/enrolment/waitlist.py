"""The order of a session's waiting list: positions, and an organiser's reordering.

Each waitlisted registration has a `waitlist_rank`; the list is served (seats given or offered by
`services.fill_seats`) in ascending rank. A registration joining the list goes to its end; one
leaving it loses its rank. Organisers move a registration up or down, or put one person per agency
first (each agency's first in the current order, then each agency's second, and so on). Every
reordering locks the session's row, like the seat rules, and is audited.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import joinedload

from registrations import audit
from registrations.enrolment.errors import RegistrationError
from registrations.extensions import db
from registrations.locking import lock_row
from registrations.models import Registration, RegistrationState, TrainingSession, User

#: The order in which a waiting list is served.
SERVING_ORDER = (Registration.waitlist_rank.asc().nulls_last(), Registration.id)


#: The last rank of a session's waiting list (a registration joins it at every full session's
#: registration): built once, and once more without a registration already on it.
_LAST_RANK = select(func.max(Registration.waitlist_rank)).where(
    Registration.session_id == bindparam("session_id"), Registration.state == RegistrationState.WAITLISTED)
_LAST_RANK_BUT = _LAST_RANK.where(Registration.id != bindparam("own"))


def append(registration: Registration) -> None:
    """Put a registration that joins the waiting list at its end (call under the session lock)."""
    if registration.id is None:  # a new registration, not written yet
        last = db.session.scalar(_LAST_RANK, {"session_id": registration.session_id})
    else:
        last = db.session.scalar(_LAST_RANK_BUT, {"session_id": registration.session_id, "own": registration.id})
    registration.waitlist_rank = (last or 0) + 1


def waiting(session_id: int, *conditions) -> list[Registration]:
    """The session's waitlisted registrations in serving order, with their participants."""
    return list(db.session.scalars(
        select(Registration).options(joinedload(Registration.participant))
        .where(Registration.session_id == session_id, Registration.state == RegistrationState.WAITLISTED,
               *conditions)
        .order_by(*SERVING_ORDER)
    ).unique())


def positions(session_ids: list[int]) -> dict[int, int]:
    """Registration id → position (1, 2, …) on its session's waiting list, for these sessions
    (one query)."""
    if not session_ids:
        return {}
    position = func.row_number().over(partition_by=Registration.session_id, order_by=SERVING_ORDER)
    rows = db.session.execute(
        select(Registration.id, position)
        .where(Registration.session_id.in_(sorted(set(session_ids))),
               Registration.state == RegistrationState.WAITLISTED))
    return dict(rows.all())


def _renumber(ordered: list[Registration]) -> None:
    for rank, registration in enumerate(ordered, start=1):
        registration.waitlist_rank = rank


def _locked_list(session_id: int) -> tuple[TrainingSession, list[Registration]]:
    session = lock_row(TrainingSession, session_id)
    if session is None:
        raise RegistrationError(_l("This session does not exist."), 404)
    return session, waiting(session_id)


def _record(session: TrainingSession, before: list[int], ordered: list[Registration], actor: User | None,
            how: str) -> None:
    audit.record("session.waitlist_order", session, actor=actor, before={"order": before},
                 after={"order": [r.id for r in ordered], "how": how})


def move(session_id: int, registration_id: int, direction: str, *, actor: User | None = None,
         now: datetime | None = None) -> Registration:
    """Move a waitlisted registration one place up or down its session's waiting list."""
    if direction not in ("up", "down"):
        raise RegistrationError(_l("Choose up or down."), 400)
    session, ordered = _locked_list(session_id)
    before = [r.id for r in ordered]
    if registration_id not in before:
        raise RegistrationError(_l("This registration is not on the waiting list."), 404)
    index = before.index(registration_id)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        raise RegistrationError(_l("This registration cannot move further."), 409)
    ordered[index], ordered[other] = ordered[other], ordered[index]
    _renumber(ordered)
    _record(session, before, ordered, actor, direction)
    db.session.flush()
    return ordered[other]


def one_per_agency_first(session_id: int, *, actor: User | None = None) -> list[Registration]:
    """Reorder the waiting list so that each agency's first comes before anyone's second, and so
    on, keeping the current order within each round."""
    session, ordered = _locked_list(session_id)
    before = [r.id for r in ordered]
    seen: dict[int, int] = {}
    rounds = []
    for registration in ordered:
        rounds.append(seen.get(registration.agency_id, 0))
        seen[registration.agency_id] = rounds[-1] + 1
    result = [r for _round, _index, r in sorted(zip(rounds, range(len(ordered)), ordered, strict=True),
                                                key=lambda item: (item[0], item[1]))]
    _renumber(result)
    _record(session, before, result, actor, "one-per-agency")
    db.session.flush()
    return result
