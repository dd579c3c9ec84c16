"""The scale generator: realistic, consistent, reproducible data written in bulk."""

import re
from datetime import date

import sqlalchemy as sa

from benchmarks.scale.generate import PASSWORD, AlreadySeeded, Sizes, seed_scale
from registrations.auth.services import authenticate
from registrations.models import (
    Agency,
    Attendance,
    Certificate,
    Participant,
    Registration,
    RegistrationState,
    SessionDay,
    SessionQuota,
    SessionStatus,
    TrainingSession,
    User,
)
from registrations.text import fold

SIZES = Sizes(partners=6).scaled(0.01)


def _count(db, model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_sizes_scale_every_figure_but_the_accounts():
    sizes = Sizes().scaled(0.01)
    assert (sizes.sessions, sizes.participants, sizes.registrations, sizes.attendance) == (20, 1000, 3000, 10000)
    assert sizes.partners == Sizes().partners
    assert Sizes().scaled(0.00001).sessions == 1


def test_generated_data_has_the_asked_sizes(db, seed_at):
    report = seed_at(SIZES)
    assert _count(db, TrainingSession) == SIZES.sessions == report["training_session"]["rows"]
    assert _count(db, Participant) == SIZES.participants
    assert _count(db, Registration) == SIZES.registrations
    assert 0.8 * SIZES.attendance <= _count(db, Attendance) <= 1.25 * SIZES.attendance
    assert 0 < _count(db, Certificate) <= SIZES.certificates
    assert _count(db, SessionDay) >= SIZES.sessions


def test_seats_taken_match_approvals_and_capacity_and_quotas(db, seed_at):
    seed_at(SIZES)
    approved = dict(db.session.execute(
        sa.select(Registration.session_id, sa.func.count())
        .where(Registration.state == RegistrationState.APPROVED).group_by(Registration.session_id)).all())
    for session in db.session.scalars(sa.select(TrainingSession)):
        assert session.seats_taken == approved.get(session.id, 0) <= session.capacity
    for quota in db.session.scalars(sa.select(SessionQuota)):
        taken = _count(db, Registration, Registration.session_id == quota.session_id,
                       Registration.country == quota.country, Registration.state == RegistrationState.APPROVED)
        assert taken <= quota.seats
    live = (sa.select(Registration.session_id, Registration.participant_id)
            .where(Registration.state.in_(["pending", "approved", "waitlisted"]))
            .group_by(Registration.session_id, Registration.participant_id).having(sa.func.count() > 1))
    assert db.session.execute(live).first() is None
    mismatched = (sa.select(Registration.id).join(Participant, Participant.id == Registration.participant_id)
                  .join(Agency, Agency.id == Participant.agency_id)
                  .where((Registration.agency_id != Agency.id) | (Registration.country != Agency.country)))
    assert db.session.execute(mismatched).first() is None


def test_every_state_status_and_country_appears(db, seed_at):
    seed_at(Sizes(sessions=300, participants=600, registrations=3000, attendance=5000, certificates=100, partners=3))
    states = set(db.session.scalars(sa.select(Registration.state).distinct()))
    assert states == set(RegistrationState)
    statuses = set(db.session.scalars(sa.select(TrainingSession.status).distinct()))
    assert statuses == set(SessionStatus)
    countries = set(db.session.scalars(sa.select(Agency.country).distinct()))
    assert {"VN", "KH", "LA", "TH", "MM", "FR"} <= countries
    first, last = db.session.execute(sa.select(sa.func.min(TrainingSession.start_date),
                                               sa.func.max(TrainingSession.start_date))).one()
    assert (last - first).days > 8 * 365 and last > date.today()


def test_names_and_titles_in_their_scripts_are_folded(db, seed_at):
    seed_at(SIZES)
    natives = " ".join(db.session.scalars(sa.select(Participant.name_native)))
    assert re.search("[\u1780-\u17ff]", natives), "Khmer"
    assert re.search("[\u0e80-\u0eff]", natives), "Lao"
    assert re.search("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệịỉĩọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", natives), "Vietnamese"
    for participant in db.session.scalars(sa.select(Participant).limit(200)):
        assert participant.name_key == fold(participant.name_latin)
    for session in db.session.scalars(sa.select(TrainingSession)):
        assert fold(session.title_fr) in session.search_text and fold(session.city) in session.search_text
        assert session.title_vi and session.title_km and session.title_lo


def test_attendance_only_for_approved_registrations_on_past_days(db, seed_at):
    seed_at(SIZES)
    wrong = (sa.select(Attendance.id).join(Registration, Registration.id == Attendance.registration_id)
             .join(SessionDay, SessionDay.id == Attendance.day_id)
             .where((Registration.state != RegistrationState.APPROVED) | (SessionDay.date >= date.today())
                    | (SessionDay.session_id != Registration.session_id)))
    assert db.session.execute(wrong).first() is None


def test_certificates_are_unique_verifiable_and_not_rendered(db, seed_at):
    seed_at(SIZES)
    certificates = db.session.scalars(sa.select(Certificate)).all()
    assert len({c.serial for c in certificates}) == len({c.code for c in certificates}) == len(certificates)
    assert all(re.fullmatch("[0-9a-f]{32}", c.code) for c in certificates)  # 128 bits
    assert all(c.pdf is None and c.facts["serial"] == c.serial for c in certificates)
    valid = sum(c.status == "valid" for c in certificates)
    assert valid >= 0.9 * len(certificates)
    sessions = {r.id: r for r in db.session.scalars(sa.select(Registration).where(
        Registration.id.in_([c.registration_id for c in certificates])))}
    assert all(r.state == RegistrationState.APPROVED for r in sessions.values())


def test_same_seed_same_data_other_seed_other_data(db, seed_at):
    def digest():
        rows = db.session.execute(sa.select(Participant.name_latin, Registration.state, Registration.session_id)
                                  .join(Participant, Participant.id == Registration.participant_id)
                                  .order_by(Registration.id)).all()
        return hash(tuple(rows))

    seed_at(SIZES, seed=1)
    first = digest()
    seed_at(SIZES, seed=1)
    assert digest() == first
    seed_at(SIZES, seed=2)
    assert digest() != first


def test_refuses_a_seeded_database_unless_forced(db, seed_at):
    small = Sizes(partners=2).scaled(0.002)
    seed_at(small)
    before = _count(db, TrainingSession)
    try:
        seed_scale(small)
    except AlreadySeeded:
        pass
    else:
        raise AssertionError("a second run must be refused")
    assert _count(db, TrainingSession) == before
    seed_scale(small, force=True)
    assert _count(db, TrainingSession) == 2 * before
    assert _count(db, User) == 2 + small.partners


def test_generated_accounts_log_in_with_the_printed_password(db, seed_at):
    report = seed_at(Sizes(partners=3).scaled(0.002))
    emails = [email for email, _, _ in report["accounts"]]
    assert len(emails) == 5
    for email in emails:
        user = authenticate(email, PASSWORD)
        assert user.is_staff or user.participant_id is not None


def test_seed_scale_command(db, runner):
    result = runner.invoke(args=["seed-scale", "--scale", "0.002", "--partners", "2", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "registration" in result.output and PASSWORD in result.output and "partner02@scale.test" in result.output
    assert _count(db, TrainingSession) == 4
    again = runner.invoke(args=["seed-scale", "--sessions", "2"])
    assert again.exit_code != 0 and "--force" in again.output
    forced = runner.invoke(args=["seed-scale", "--sessions", "2", "--participants", "30", "--registrations", "40",
                                 "--attendance", "50", "--certificates", "5", "--force"])
    assert forced.exit_code == 0, forced.output
    assert _count(db, TrainingSession) == 6
