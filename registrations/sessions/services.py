"""Rules of training sessions: what a valid session is, creating and editing one.

Views, commands, demo data and tests call these functions; they raise `SessionError` (or
`SessionInvalid`, with one message per form field) carrying translated messages, and write
nothing when they refuse (they flush; the caller commits the unit of work, see
`registrations.transaction`). Days live in `days.py` (re-exported here); status changes,
duplication and deletion in `lifecycle.py`, which builds on this module.
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, event, inspect, select

from registrations import audit
from registrations.extensions import db
from registrations.locking import lock_row
from registrations.models import (
    LIVE_STATES,
    Agency,
    Registration,
    SessionQuota,
    SessionStatus,
    TrainingSession,
)
from registrations.models.sessions import CONTENT_LOCALES
from registrations.sessions.base import (  # noqa: F401  (re-exported)
    SessionError,
    SessionInvalid,
    day_start_utc,
    local_to_utc,
    local_today,
    utc_to_local,
)
from registrations.sessions.choices import country_name
from registrations.sessions.days import (  # noqa: F401  (re-exported)
    DayAddition,
    DayChange,
    generate_days,
    load_days,
    move_days,
    save_days,
)
from registrations.signals import seats_freed
from registrations.text import fold, fold_compact


@dataclass(frozen=True)
class QuotaSpec:
    """Seats reserved at most for one country or one agency (exactly one of the two)."""

    seats: int
    country: str | None = None
    agency_id: int | None = None

    @property
    def key(self) -> tuple:
        return ("country", self.country) if self.country else ("agency", self.agency_id)


#: Columns an organiser sets through the session form.
EDITABLE_FIELDS = (
    *(f"title_{code}" for code in CONTENT_LOCALES),
    *(f"description_{code}" for code in CONTENT_LOCALES),
    "kind", "theme", "city", "country", "venue", "start_date", "end_date", "working_language",
    "interpretation", "capacity", "registration_opens_at", "registration_deadline",
    "eligible_countries", "attendance_threshold", "excused_counts_as_attended", "auto_approve",
    "confirm_promotions", "offer_hours", "serial_prefix",
)

#: Certificate serial prefixes of the programme's usual cities (keys are `fold_compact` forms).
CITY_CODES = {
    "hanoi": "HAN", "thudohanoi": "HAN",
    "phnompenh": "PNH",
    "vientiane": "VTE", "viangchan": "VTE",
    "hochiminh": "SGN", "hochiminhcity": "SGN", "thanhphohochiminh": "SGN", "tphochiminh": "SGN",
    "tphcm": "SGN", "saigon": "SGN",
}
#: Other names people search a city by, added to its search text.
CITY_ALIASES = {"SGN": "saigon hcmc tphcm", "HAN": "hanoi", "VTE": "vientiane viangchan", "PNH": "phnompenh"}


# ---------------------------------------------------------------- derived data

def serial_prefix_for(city: str, country: str = "") -> str:
    """Three-letter certificate serial prefix derived from the city: Hà Nội → HAN."""
    compact = fold_compact(city)
    if compact in CITY_CODES:
        return CITY_CODES[compact]
    letters = "".join(ch for ch in compact if "a" <= ch <= "z").upper()
    return (letters + (country or "").upper() + "XXX")[:3]


def build_search_text(session: TrainingSession) -> str:
    """Accent- and case-free text of the titles (all languages), city and venue.

    Each part is stored folded ("ha noi") and without spaces ("hanoi"), so that a search for
    "ha noi", "Hà Nội" or "hanoi" finds the same session.
    """
    parts = [getattr(session, f"title_{code}") or "" for code in CONTENT_LOCALES]
    parts += [session.city or "", session.venue or ""]
    folded = fold(" ".join(parts))
    compact = " ".join(fold_compact(part) for part in parts if part)
    alias = CITY_ALIASES.get(serial_prefix_for(session.city or ""), "")
    return " ".join(piece for piece in (folded, compact, alias) if piece)


#: What the search text is made of.
_SEARCHED = frozenset([*(f"title_{code}" for code in CONTENT_LOCALES), "city", "venue"])


@event.listens_for(TrainingSession, "before_insert")
def _derive_fields(mapper, connection, session: TrainingSession) -> None:
    """Derive the search text and a missing serial prefix of a new session."""
    session.search_text = build_search_text(session)
    if not session.serial_prefix:
        session.serial_prefix = serial_prefix_for(session.city or "", session.country or "")


@event.listens_for(TrainingSession, "before_update")
def _keep_derived_fields(mapper, connection, session: TrainingSession) -> None:
    """Keep them in step when what they are made of changed (not when a seat is taken, at
    every registration)."""
    if not _SEARCHED.issubset(inspect(session).unmodified) or not session.serial_prefix:
        _derive_fields(mapper, connection, session)


# ---------------------------------------------------------------- validation

#: The most seats a session may have (and so any quota): a number every database holds.
CAPACITY_MAX = 10_000


def validate(values: dict, quotas: list[QuotaSpec], *, seats_taken: int = 0) -> None:
    """Check the rules of a session's data; raise SessionInvalid listing every broken one."""
    errors: dict[str, list] = {}

    def refuse(name, message):
        errors.setdefault(name, []).append(message)

    if not (values.get("title_fr") or "").strip():
        refuse("title_fr", _l("A French title is required."))
    start, end = values.get("start_date"), values.get("end_date")
    if start and end and end < start:
        refuse("end_date", _l("The end date is before the start date."))
    elif start and end and (end - start).days + 1 > current_app.config["MAX_SESSION_DAYS"]:
        refuse("end_date", _l("A session lasts at most %(num)d days.", num=current_app.config["MAX_SESSION_DAYS"]))
    opens, deadline = values.get("registration_opens_at"), values.get("registration_deadline")
    if deadline and start and utc_to_local(deadline).date() > start:
        refuse("registration_deadline", _l("The registration deadline is after the start of the session."))
    if opens and deadline and opens > deadline:
        refuse("registration_opens_at", _l("Registration opens after its deadline."))
    elif opens and start and utc_to_local(opens).date() > start:
        refuse("registration_opens_at", _l("Registration opens after the start of the session."))
    capacity = values.get("capacity")
    if capacity is None or capacity < 1:
        refuse("capacity", _l("The capacity must be at least one seat."))
    elif capacity > CAPACITY_MAX:
        refuse("capacity", _l("A session has at most %(max)d seats.", max=CAPACITY_MAX))
    elif capacity < seats_taken:
        refuse("capacity", _l("%(num)d people are already approved: the capacity cannot be lower.",
                              num=seats_taken))
    eligible = _country_list(values.get("eligible_countries"))
    host = values.get("country")
    if eligible and host and host not in eligible:
        refuse("eligible_countries", _l("The eligible countries must include the host country."))
    threshold = values.get("attendance_threshold")
    if threshold is not None and not 0 <= threshold <= 100:
        refuse("attendance_threshold", _l("The attendance threshold is a percentage from 0 to 100."))
    offer_hours = values.get("offer_hours")
    if offer_hours is not None and not 1 <= offer_hours <= 720:
        refuse("offer_hours", _l("The offer window is from 1 to 720 hours."))
    for message in _quota_problems(quotas, capacity or 0, eligible):
        refuse("quotas", message)
    if errors:
        raise SessionInvalid(errors)


def _country_list(value) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    return [code.strip().upper() for code in (value or []) if code and code.strip()]


def _quota_problems(quotas: list[QuotaSpec], capacity: int, eligible: list[str]) -> list:
    problems = []
    keys = [quota.key for quota in quotas]
    if len(set(keys)) != len(keys):
        problems.append(_l("The same country or agency has two quotas."))
    if any(quota.seats < 0 for quota in quotas):
        problems.append(_l("A quota cannot be negative."))
    agency_ids = [quota.agency_id for quota in quotas if quota.agency_id]
    countries = dict(db.session.execute(
        select(Agency.id, Agency.country).where(Agency.id.in_(agency_ids))).all()) if agency_ids else {}
    if any(agency_id not in countries for agency_id in agency_ids):
        problems.append(_l("A quota names an agency that does not exist."))
    if eligible:
        quota_countries = {q.country for q in quotas if q.country} | set(countries.values())
        if quota_countries - set(eligible):
            problems.append(_l("A quota is given to a country that is not eligible."))
    for kind in ("country", "agency"):
        total = sum(quota.seats for quota in quotas if quota.key[0] == kind)
        if total > capacity:
            problems.append(_l("The quotas add up to %(total)d seats, more than the capacity (%(capacity)d).",
                               total=total, capacity=capacity))
            break
    return problems


# ---------------------------------------------------------------- create and edit

def _normalise(values: dict) -> dict:
    clean = {name: values[name] for name in EDITABLE_FIELDS if name in values}
    for name in clean:
        if isinstance(clean[name], str) and name != "interpretation":
            clean[name] = clean[name].strip()
    if "eligible_countries" in clean:
        clean["eligible_countries"] = ",".join(_country_list(clean["eligible_countries"]))
    if "interpretation" in clean and not isinstance(clean["interpretation"], str):
        clean["interpretation"] = ",".join(code for code in clean["interpretation"] if code)
    if "serial_prefix" in clean:
        clean["serial_prefix"] = (clean["serial_prefix"] or "").upper()
    return clean


def create_session(values: dict, quotas: list[QuotaSpec] | None = None, *, actor=None) -> TrainingSession:
    """Create a draft session with its days generated from the dates."""
    quotas = quotas or []
    clean = _normalise(values)
    validate(clean, quotas)
    session = TrainingSession(status=SessionStatus.DRAFT, created_by_id=getattr(actor, "id", None), **clean)
    db.session.add(session)
    db.session.flush()
    for day in generate_days(session.start_date, session.end_date):
        day.session_id = session.id
        db.session.add(day)
    _write_quotas(session.id, quotas)
    audit.record("session.created", session, actor=actor, after={"title_fr": session.title_fr})
    db.session.flush()
    return session


def _write_quotas(session_id: int, quotas: list[QuotaSpec]) -> None:
    db.session.execute(delete(SessionQuota).where(SessionQuota.session_id == session_id))
    for quota in quotas:
        db.session.add(SessionQuota(session_id=session_id, country=quota.country,
                                    agency_id=quota.agency_id, seats=quota.seats))


def current_quotas(session_id: int) -> list[QuotaSpec]:
    """The quotas of a session, as specs (for forms and comparisons)."""
    rows = db.session.scalars(select(SessionQuota).where(SessionQuota.session_id == session_id)
                              .order_by(SessionQuota.id))
    return [QuotaSpec(seats=row.seats, country=row.country, agency_id=row.agency_id) for row in rows]


def _loosened(old: list[QuotaSpec], new: list[QuotaSpec]) -> bool:
    """Whether some country or agency may now take more seats than before."""
    new_seats = {quota.key: quota.seats for quota in new}
    return any(new_seats.get(quota.key, float("inf")) > quota.seats for quota in old)


def update_session(session_id: int, values: dict, quotas: list[QuotaSpec] | None = None, *,
                   actor=None) -> TrainingSession:
    """Change a session's data, keeping its registrations and days consistent.

    Capacity never drops below the seats already taken (approved people are never removed);
    when capacity is raised or a quota loosened, `seats_freed` lets the waiting list move.
    Days outside new dates are removed (refused if attendance was marked on them) and new
    dates get a full day.
    """
    quotas = quotas or []
    clean = _normalise(values)
    session = lock_row(TrainingSession, session_id)
    if session is None:
        raise SessionError(_l("This session does not exist."), 404)
    if session.status in (SessionStatus.COMPLETED, SessionStatus.CANCELLED):
        raise SessionError(_l("A completed or cancelled session can no longer be edited."), 409)
    validate(clean, quotas, seats_taken=session.seats_taken)
    _keep_registered_countries(session.id, clean.get("eligible_countries", session.eligible_countries))
    old_quotas = current_quotas(session.id)
    before = {name: _plain(getattr(session, name)) for name in clean}
    old_capacity, old_start, old_end = session.capacity, session.start_date, session.end_date
    for name, value in clean.items():
        setattr(session, name, value)
    if (old_start, old_end) != (session.start_date, session.end_date):
        move_days(session, old_start, old_end)
    if old_quotas != quotas:
        _write_quotas(session.id, quotas)
    after = {name: _plain(getattr(session, name)) for name in clean}
    changed = [name for name in clean if before[name] != after[name]]
    if changed or old_quotas != quotas:
        audit.record("session.updated", session, actor=actor,
                     before={name: before[name] for name in changed},
                     after={name: after[name] for name in changed}
                     | ({"quotas": len(quotas)} if old_quotas != quotas else {}))
    freed = session.capacity > old_capacity or _loosened(old_quotas, quotas)
    if freed and session.status in (SessionStatus.PUBLISHED, SessionStatus.CLOSED):
        db.session.flush()
        seats_freed.send(session)
    db.session.flush()
    return session


def _keep_registered_countries(session_id: int, eligible: str) -> None:
    """Refuse to make a country ineligible while its officers hold live registrations."""
    countries = _country_list(eligible)
    if not countries:
        return
    registered = set(db.session.scalars(
        select(Registration.country).where(Registration.session_id == session_id,
                                           Registration.state.in_(LIVE_STATES)).distinct()))
    excluded = sorted(registered - set(countries))
    if excluded:
        raise SessionInvalid({"eligible_countries": [
            _l("Officers of %(countries)s are registered: their country must stay eligible.",
               countries=", ".join(country_name(code) for code in excluded))]})


def _plain(value):
    """A value as JSON can store it (for audit events)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value.value if hasattr(value, "value") else value
