"""A session's life: allowed status changes only, audited; cancellation tells people; duplicate; delete."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from registrations.models import (
    AuditEvent,
    DayPart,
    RegistrationState,
    SessionDay,
    SessionQuota,
    SessionStatus,
    TrainingSession,
)
from registrations.sessions import lifecycle, services
from registrations.sessions.base import local_today
from registrations.sessions.services import QuotaSpec, SessionError
from registrations.signals import session_cancelled
from registrations.transaction import run

S = SessionStatus
ALLOWED = {(S.DRAFT, S.PUBLISHED), (S.PUBLISHED, S.CLOSED), (S.CLOSED, S.PUBLISHED), (S.PUBLISHED, S.COMPLETED),
           (S.CLOSED, S.COMPLETED), (S.DRAFT, S.CANCELLED), (S.PUBLISHED, S.CANCELLED), (S.CLOSED, S.CANCELLED)}


@pytest.mark.parametrize("before", list(S))
@pytest.mark.parametrize("after", [S.PUBLISHED, S.CLOSED, S.COMPLETED, S.CANCELLED, S.DRAFT])
def test_only_the_allowed_transitions_happen(db, make_session, before, after):
    session = make_session(status=before, start=date.today() - timedelta(days=5), days=3)
    if (before, after) in ALLOWED:
        run(lifecycle.change_status, session.id, after, reason="Raison")
        assert db.session.get(TrainingSession, session.id).status == after
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "session.status"))
        assert event.before == {"status": before.value} and event.after == {"status": after.value}
    else:
        with pytest.raises(SessionError) as error:
            run(lifecycle.change_status, session.id, after, reason="Raison")
        assert error.value.status == 409
        assert db.session.get(TrainingSession, session.id).status == before
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_completing_waits_for_the_last_day(db, make_session):
    today = local_today()  # the office's date, not the server's
    running = make_session(start=today - timedelta(days=1), days=3)
    with pytest.raises(SessionError) as error:
        run(lifecycle.change_status, running.id, S.COMPLETED)
    assert error.value.status == 409
    ends_today = make_session(start=today - timedelta(days=2), days=3)
    assert run(lifecycle.change_status, ends_today.id, S.COMPLETED).status == S.COMPLETED


def test_a_draft_without_days_cannot_be_published(db, values):
    session = run(services.create_session, values())
    db.session.execute(SessionDay.__table__.delete())
    db.session.commit()
    with pytest.raises(SessionError):
        run(lifecycle.change_status, session.id, S.PUBLISHED)


def test_status_changes_record_the_actor(db, make_session, organiser_user):
    session = make_session(status=S.DRAFT)
    run(lifecycle.change_status, session.id, S.PUBLISHED, actor=organiser_user)
    assert db.session.scalar(select(AuditEvent.actor_id).where(AuditEvent.action == "session.status")) == \
        organiser_user.id


def test_cancelling_needs_a_reason(db, make_session):
    session = make_session()
    with pytest.raises(SessionError) as error:
        run(lifecycle.cancel, session.id, "   ")
    assert error.value.status == 400
    assert db.session.get(TrainingSession, session.id).status == S.PUBLISHED


def test_cancelling_tells_every_live_registration_in_its_language(db, app, make_session, make_registration,
                                                                 make_participant, make_agency, outbox,
                                                                 organiser_user):
    session = make_session(title_fr="Gestion de crise", title_vi="Quản lý khủng hoảng", title_km="ការគ្រប់គ្រងវិបត្តិ")
    kh = make_agency("KH")
    people = {
        "vi": make_participant(locale="vi", email="vi@example.test"),
        "km": make_participant(kh, locale="km", email="km@example.test"),
        "fr": make_participant(locale="fr", email="fr@example.test"),
    }
    make_registration(session, people["vi"], RegistrationState.APPROVED)
    make_registration(session, people["km"], RegistrationState.WAITLISTED)
    make_registration(session, people["fr"], RegistrationState.PENDING)
    make_registration(session, make_participant(email="gone@example.test"), RegistrationState.CANCELLED)
    make_registration(session, make_participant(email="no@example.test"), RegistrationState.REJECTED)
    make_registration(session, make_participant(email=None), RegistrationState.APPROVED)
    received = []

    def receiver(sender, **kwargs):
        received.append((sender.id, kwargs["reason"], kwargs["actor"]))

    session_cancelled.connect(receiver)
    try:
        run(lifecycle.cancel, session.id, "Typhon sur Hanoï", actor=organiser_user)
    finally:
        session_cancelled.disconnect(receiver)
    assert received == [(session.id, "Typhon sur Hanoï", organiser_user)]
    by_address = {mail.to: mail for mail in outbox}
    assert set(by_address) == {"vi@example.test", "km@example.test", "fr@example.test"}
    assert "Quản lý khủng hoảng" in by_address["vi@example.test"].subject
    assert "ការគ្រប់គ្រងវិបត្តិ" in by_address["km@example.test"].body
    assert "Gestion de crise" in by_address["fr@example.test"].subject
    assert all("Typhon sur Hanoï" in mail.body for mail in outbox)
    assert all(f"/sessions/{session.id}" in mail.body for mail in outbox)
    cancelled = db.session.get(TrainingSession, session.id)
    assert cancelled.status == S.CANCELLED and cancelled.cancel_reason == "Typhon sur Hanoï"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "session.status"))
    assert event.reason == "Typhon sur Hanoï" and event.after == {"status": "cancelled"}


def test_no_mail_leaves_when_the_cancellation_is_refused(db, make_session, make_registration, outbox):
    session = make_session(status=S.COMPLETED)
    make_registration(session)
    with pytest.raises(SessionError):
        run(lifecycle.cancel, session.id, "Trop tard")
    db.session.commit()
    assert outbox == []


def test_duplicating_makes_a_draft_on_new_dates(db, values, make_agency, organiser_user):
    source = run(services.create_session, values(capacity=12, auto_approve=True), [QuotaSpec(6, country="VN")])
    days = services.load_days(source.id)
    run(services.save_days, source.id, [services.DayChange(id=days[0].id, part=DayPart.FULL, programme="Ouverture"),
                                   services.DayChange(id=days[1].id, part=DayPart.FULL, remove=True)])
    run(lifecycle.change_status, source.id, S.PUBLISHED)
    start = source.start_date + timedelta(days=365)
    copy = run(lifecycle.duplicate_session, source.id, start, actor=organiser_user)
    assert copy.id != source.id and copy.status == S.DRAFT and copy.duplicated_from_id == source.id
    assert (copy.start_date, copy.end_date) == (start, start + timedelta(days=4))
    assert copy.title_vi == source.title_vi and copy.capacity == 12 and copy.auto_approve
    assert copy.seats_taken == 0
    copied_days = services.load_days(copy.id)
    assert len(copied_days) == 5 and copied_days[0].programme == "Ouverture"
    assert services.current_quotas(copy.id) == [QuotaSpec(6, country="VN")]


def test_duplicating_with_an_end_before_the_start_is_refused(db, make_session):
    source = make_session()
    with pytest.raises(services.SessionInvalid):
        run(lifecycle.duplicate_session, source.id, date(2030, 5, 10), date(2030, 5, 1))
    assert db.session.scalar(select(func.count()).select_from(TrainingSession)) == 1


def test_a_draft_nobody_registered_for_can_be_deleted(db, values):
    session = run(services.create_session, values(), [QuotaSpec(5, country="VN")])
    copy = run(lifecycle.duplicate_session, session.id, session.start_date + timedelta(days=100))
    run(lifecycle.delete_session, session.id)
    assert db.session.get(TrainingSession, session.id) is None
    assert db.session.scalar(select(func.count()).select_from(SessionDay)
                             .where(SessionDay.session_id == session.id)) == 0
    assert db.session.scalar(select(func.count()).select_from(SessionQuota)
                             .where(SessionQuota.session_id == session.id)) == 0
    assert db.session.get(TrainingSession, copy.id).duplicated_from_id is None


@pytest.mark.parametrize("case", ["published", "registered"])
def test_nothing_anyone_registered_for_is_deleted(db, make_session, make_registration, case):
    if case == "published":
        session = make_session()
    else:
        session = make_session(status=S.DRAFT)
        make_registration(session, state=RegistrationState.CANCELLED)
    with pytest.raises(SessionError) as error:
        run(lifecycle.delete_session, session.id)
    assert error.value.status == 409
    assert db.session.get(TrainingSession, session.id) is not None
