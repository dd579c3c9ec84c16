"""Demo registrations on whatever sessions exist: every state on upcoming sessions, a full
session with a waiting list, and approved participants on running and completed sessions.

Upcoming sessions go through the registration service (so seats, quotas, codes, audit events
and emails are real); past ones are written directly, with `seats_taken` kept right. A session
that already has registrations is left as it is, so running the step twice changes nothing.
"""

from datetime import datetime, time, timedelta, timezone

from sqlalchemy import exists, select

from registrations.clock import local_today
from registrations.demo.people import ACCOUNTS, COLLEAGUES
from registrations.enrolment import codes, services
from registrations.enrolment.people import PersonDetails
from registrations.enrolment.seats import recount_seats_taken
from registrations.enrolment.services import RegistrationError, RegistrationRequest, RequestDetails
from registrations.extensions import db
from registrations.models import (
    Agency,
    Participant,
    Registration,
    RegistrationState,
    Role,
    SessionStatus,
    TrainingSession,
    User,
    utcnow,
)
from registrations.transaction import run

S = RegistrationState

#: What each demo person asks for (diet, interpretation, accessibility), to fill the lists.
NEEDS = [("", "", ""), ("Végétarien", "", ""), ("", "vi", ""), ("Halal", "km", ""), ("", "lo", "Fauteuil roulant")]

#: The states given on an upcoming session, rotated from one session to the next.
MIX = [S.APPROVED, S.PENDING, S.WAITLISTED, S.APPROVED, S.REJECTED, S.APPROVED, S.CANCELLED, S.PENDING,
       S.APPROVED]

#: Extra colleagues nominated as new people to fill one session beyond its capacity.
EXTRA = {
    "VN": [("Nguyen Van An", "Nguyễn Văn An"), ("Hoang Thi Lan", "Hoàng Thị Lan"), ("Vu Duc Thang", "Vũ Đức Thắng"),
           ("Bui Thi Thu", "Bùi Thị Thu"), ("Dang Van Hai", "Đặng Văn Hải"), ("Ngo Thi Hoa", "Ngô Thị Hoa"),
           ("Duong Van Long", "Dương Văn Long"), ("Ly Thi Ngoc", "Lý Thị Ngọc"), ("Trinh Van Quang", "Trịnh Văn Quang"),
           ("Mai Thi Huyen", "Mai Thị Huyền"), ("Phan Van Duc", "Phan Văn Đức"), ("Cao Thi Yen", "Cao Thị Yến")],
    "KH": [("Sok Dara", "សុខ ដារ៉ា"), ("Chea Sophal", "ជា សុផល"), ("Kim Srey Leak", "គីម ស្រីលក្ខណ៍"),
           ("Heng Vibol", "ហេង វិបុល"), ("Ly Sokha", "លី សុខា"), ("Meas Bopha", "មាស បុប្ផា"),
           ("Touch Rithy", "ទូច រិទ្ធី"), ("Pen Sreymom", "ប៉ែន ស្រីមុំ"), ("Nuon Piseth", "នួន ពិសិដ្ឋ"),
           ("Yim Chanthou", "យឹម ចន្ធូ"), ("Ouk Sambath", "អ៊ុក សម្បត្តិ"), ("Prak Sothea", "ប្រាក់ សុធា")],
    "LA": [("Somchai Vongsa", "ສົມໃຈ ວົງສາ"), ("Noy Phommasack", "ນ້ອຍ ພົມມະສັກ"),
           ("Khampheng Sayavong", "ຄຳແພງ ໄຊຍະວົງ"), ("Vanh Inthavong", "ແວນ ອິນທະວົງ"),
           ("Phonesavanh Keola", "ໂພນສະຫວັນ ແກ້ວລາ"), ("Manivanh Sengdara", "ມະນີວັນ ແສງດາລາ"),
           ("Bounthanh Douangchak", "ບຸນທັນ ດວງຈັກ"), ("Sengphet Chanthala", "ແສງເພັດ ຈັນທະລາ"),
           ("Thongdy Sihalath", "ທອງດີ ສີຫາລາດ"), ("Daovone Phimmasone", "ດາວອນ ພິມມະສອນ"),
           ("Sisouk Xaysana", "ສີສຸກ ໄຊຍະນາ"), ("Latsamy Vilaysack", "ລັດສະໝີ ວິໄລສັກ")],
}
#: A session is filled beyond capacity only up to this many seats (demo data stays small).
FULL_MAX_CAPACITY = 30


def _partners() -> dict[str, User]:
    """The demo partner accounts, by country."""
    emails = [email for email, role, *_ in ACCOUNTS if role == Role.PARTNER]
    users = db.session.scalars(select(User).where(User.email.in_(emails), User.participant_id.is_not(None)))
    return {user.agency.country: user for user in users}


def _people(partners: dict[str, User]) -> list[tuple[Participant, User | None, bool]]:
    """(participant, partner who registers them, nominated?) for the partners and their colleagues."""
    by_email = {p.email: p for p in db.session.scalars(
        select(Participant).where(Participant.email.in_([c[5] for c in COLLEAGUES])))}
    people = []
    for country in ("VN", "KH", "LA"):
        partner = partners.get(country)
        if partner is None:
            continue
        people.append((db.session.get(Participant, partner.participant_id), partner, False))
        for *_details, email, _locale in COLLEAGUES:
            colleague = by_email.get(email)
            if colleague is not None and colleague.agency_id == partner.agency_id:
                people.append((colleague, partner, True))
    return people


def _moment(session: TrainingSession) -> datetime | None:
    """A time at which the session accepts registrations (now when it does), else None."""
    now = utcnow()
    if session.registration_is_open(now):
        return now
    moment = (session.registration_deadline - timedelta(minutes=1) if session.registration_deadline
              else datetime.combine(session.start_date - timedelta(days=1), time(9), tzinfo=timezone.utc))
    # Never a registration dated in the future: a session whose registrations open later has none.
    return moment if moment <= now and session.registration_is_open(moment) else None


def _register(session, participant, partner, nominated, index, now) -> Registration | None:
    diet, interpretation, access = NEEDS[index % len(NEEDS)]
    try:
        return run(services.register, session.id, RegistrationRequest(
            agency_id=participant.agency_id, participant_id=participant.id, nominated=nominated,
            details=RequestDetails(
                needs_diet=diet, needs_interpretation=interpretation, needs_accessibility=access,
                motivation="Renforcer la coopération opérationnelle avec nos partenaires de la région.")),
            actor=partner, now=now)
    except RegistrationError:
        return None  # not eligible (country) or already registered


def _steer(registration: Registration, target: RegistrationState, organiser: User | None) -> None:
    """Bring a fresh registration to the wanted state through an organiser's decision."""
    if registration.state == target:
        return
    action = {S.APPROVED: "approve", S.WAITLISTED: "waitlist", S.REJECTED: "reject", S.CANCELLED: "cancel"}.get(target)
    if action is None or (target == S.WAITLISTED and registration.state != S.PENDING):
        return
    reason = {S.REJECTED: "Profil déjà formé sur ce thème l’an dernier.",
              S.CANCELLED: "Indisponible à ces dates (mission)."}.get(target, "")
    try:
        run(services.decide, registration.session_id, [registration.id], action, actor=organiser, reason=reason)
    except RegistrationError:
        # No seat left to approve: the waiting list. Waitlisting while a seat fits is refused:
        # the registration stays pending.
        if action == "approve":
            run(services.decide, registration.session_id, [registration.id], "waitlist", actor=organiser)


def _seed_upcoming(session, people, organiser, offset: int, now) -> int:
    created = 0
    for index, (participant, partner, nominated) in enumerate(people):
        registration = _register(session, participant, partner, nominated, index, now)
        if registration is not None:
            created += 1
            _steer(registration, MIX[(index + offset) % len(MIX)], organiser)
    return created


def _seed_full(session, people, partners, organiser, now) -> tuple[int, int]:
    """Fill a session to capacity, then a few more who go to the waiting list."""
    created = participants = 0
    extra = [(country, latin, native) for n in range(12) for country in ("VN", "KH", "LA")
             for latin, native in [EXTRA[country][n]] if country in partners]
    wanted = session.capacity + 3
    for index, (participant, partner, nominated) in enumerate(people):
        if created >= wanted:
            break
        registration = _register(session, participant, partner, nominated, index, now)
        if registration is not None:
            created += 1
            if registration.state == S.PENDING:
                _steer(registration, S.APPROVED, organiser)
    for country, latin, native in extra:
        if created >= wanted:
            break
        partner = partners[country]
        email = latin.lower().replace(" ", ".") + "@demo.test"
        person = PersonDetails(name_latin=latin, name_native=native, email=email, rank="Capitaine",
                               unit="Police judiciaire", locale={"VN": "vi", "KH": "km", "LA": "lo"}[country])
        try:
            registration = run(services.register, session.id,
                               RegistrationRequest(agency_id=partner.agency_id, person=person, nominated=True),
                               actor=partner, now=now)
        except RegistrationError:
            continue
        created += 1
        participants += 1
        if registration.state == S.PENDING:
            _steer(registration, S.APPROVED, organiser)
    return created, participants


def _seed_past(session: TrainingSession, people: list[Participant], index: int) -> int:
    """Approved registrations (5 to 10, across countries) for a running or completed session."""
    agencies = {a.id: a for a in db.session.scalars(select(Agency))}
    by_country: dict[str, list[Participant]] = {}
    for participant in people:
        country = agencies[participant.agency_id].country
        if session.accepts_country(country):
            by_country.setdefault(country, []).append(participant)
    # Round robin over the countries, so that every partner country attends.
    rounds = max((len(group) for group in by_country.values()), default=0)
    eligible = [group[n] for n in range(rounds) for group in by_country.values() if n < len(group)]
    number = min(5 + index % 6, len(eligible), session.capacity - session.seats_taken)
    decided = datetime.combine(session.start_date - timedelta(days=14), time(10), tzinfo=timezone.utc)
    for participant in eligible[:number]:
        agency = agencies[participant.agency_id]
        registration = Registration(session_id=session.id, participant_id=participant.id, agency_id=agency.id,
                                    country=agency.country, state=S.APPROVED, nominated=True,
                                    created_at=decided - timedelta(days=10), decided_at=decided)
        db.session.add(registration)
        db.session.flush()
        codes.assign_code(registration)
    recount_seats_taken([session.id])
    db.session.commit()
    return number


def seed() -> dict:
    """Register the demo partners and colleagues on the sessions that have no registration yet."""
    created = {"registrations": 0, "participants": 0}
    partners = _partners()
    people = _people(partners)
    if not people:
        return created
    organiser = db.session.scalar(select(User).where(User.email == "organiser@demo.test"))
    sessions = list(db.session.scalars(
        select(TrainingSession)
        .where(~exists().where(Registration.session_id == TrainingSession.id),
               TrainingSession.status.not_in([SessionStatus.DRAFT, SessionStatus.CANCELLED]))
        .order_by(TrainingSession.start_date, TrainingSession.id)))
    today = local_today()
    past = [s for s in sessions if s.status == SessionStatus.COMPLETED or s.start_date <= today]
    upcoming = [(s, _moment(s)) for s in sessions if s not in past and s.status == SessionStatus.PUBLISHED]
    upcoming = [(s, moment) for s, moment in upcoming if moment is not None]
    already_full = db.session.scalar(select(exists().where(
        Registration.state == S.WAITLISTED, TrainingSession.id == Registration.session_id,
        TrainingSession.seats_taken >= TrainingSession.capacity)))
    fillable = [(s, m) for s, m in upcoming if s.capacity <= FULL_MAX_CAPACITY]
    full = None if already_full or not fillable else min(fillable, key=lambda pair: pair[0].capacity)[0]
    attendees = [p for p, _partner, _nominated in people] + list(db.session.scalars(
        select(Participant).where(Participant.email.in_([c[5] for c in COLLEAGUES]),
                                  Participant.id.not_in([p.id for p, _partner, _nominated in people]))
        .order_by(Participant.id)))
    for index, session in enumerate(past):
        created["registrations"] += _seed_past(session, attendees, index)
    for offset, (session, moment) in enumerate(upcoming):
        if session is full:
            registrations, participants = _seed_full(session, people, partners, organiser, moment)
            created["registrations"] += registrations
            created["participants"] += participants
        else:
            created["registrations"] += _seed_upcoming(session, people, organiser, offset, moment)
    return created
