"""The registration rules, called directly: states, capacity, quotas, the waiting list, offers."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from registrations.enrolment import codes, services
from registrations.enrolment.services import DuplicatePerson, NoSeatLeft, RegistrationError, RequestDetails
from registrations.models import (
    AuditEvent,
    Participant,
    Registration,
    SessionQuota,
    SessionStatus,
)
from registrations.models import RegistrationState as S
from registrations.signals import registration_state_changed, seats_freed, session_cancelled
from registrations.transaction import run
from tests.registrations.conftest import approved_count, counts, person, register, states


def _nominate(session, participant, actor, **kwargs):
    return register(session.id, agency_id=participant.agency_id, participant_id=participant.id,
                             nominated=True, actor=actor, **kwargs)


def test_registration_waits_for_a_decision_without_taking_a_seat(db, make_session, partner_user, colleagues):
    session = make_session(capacity=3)
    registration = _nominate(session, colleagues[0], partner_user,
                             details=RequestDetails(needs_diet=" Halal ", motivation="Enquêtes"))
    assert registration.state == S.PENDING
    assert registration.nominated and registration.created_by_id == partner_user.id
    assert registration.needs_diet == "Halal" and registration.country == "VN"
    assert registration.personal_code is None
    db.session.refresh(session)
    assert session.seats_taken == 0


def test_automatic_approval_takes_a_seat_and_gives_a_personal_code(db, make_session, partner_user, colleagues):
    session = make_session(capacity=3, auto_approve=True)
    registration = _nominate(session, colleagues[0], partner_user)
    assert registration.state == S.APPROVED
    assert len(registration.personal_code) == 6
    assert set(registration.personal_code) <= set(codes.ALPHABET)
    db.session.refresh(session)
    assert session.seats_taken == 1


def test_every_change_of_state_is_audited_and_signalled(db, make_session, partner_user, colleagues, organiser):
    session = make_session(capacity=3)
    seen = []

    def receiver(sender, **kwargs):
        seen.append((sender.id, kwargs["before"], kwargs["after"]))

    registration_state_changed.connect(receiver)
    try:
        registration = _nominate(session, colleagues[0], partner_user)
        run(services.decide, session.id, [registration.id], "reject", actor=organiser, reason="Profil inadapté")
    finally:
        registration_state_changed.disconnect(receiver)
    assert seen == [(registration.id, None, S.PENDING), (registration.id, S.PENDING, S.REJECTED)]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "registration.state")
                                .order_by(AuditEvent.id)).all()
    assert [(e.before, e.after, e.reason, e.actor_id) for e in events] == [
        ({"state": None}, {"state": "pending"}, "", partner_user.id),
        ({"state": "pending"}, {"state": "rejected"}, "Profil inadapté", organiser.id),
    ]


def test_no_seat_left_means_the_waiting_list_in_order_of_arrival(db, make_session, partner_user, colleagues,
                                                                  make_participant, vn_agency):
    session = make_session(capacity=1, auto_approve=True)
    first = _nominate(session, colleagues[0], partner_user)
    second = _nominate(session, colleagues[1], partner_user)
    third = _nominate(session, colleagues[2], partner_user)
    assert [first.state, second.state, third.state] == [S.APPROVED, S.WAITLISTED, S.WAITLISTED]
    # Without automatic approval a full session waitlists too.
    manual = make_session(capacity=1)
    run(services.decide, manual.id, [_nominate(manual, colleagues[0], partner_user).id], "approve")
    assert _nominate(manual, colleagues[1], partner_user).state == S.WAITLISTED


def test_agency_and_country_quotas_waitlist_even_with_seats_left(db, make_session, partner_user, partner_kh_user,
                                                                 colleagues, make_participant, kh_agency):
    session = make_session(capacity=10, auto_approve=True)
    db.session.add_all([SessionQuota(session_id=session.id, agency_id=partner_user.agency_id, seats=1),
                        SessionQuota(session_id=session.id, country="KH", seats=2)])
    db.session.commit()
    vn = [_nominate(session, c, partner_user).state for c in colleagues[:2]]
    khmers = [make_participant(kh_agency, name_latin=f"Sok {n}") for n in range(3)]
    kh = [_nominate(session, p, partner_kh_user).state for p in khmers]
    assert vn == [S.APPROVED, S.WAITLISTED]
    assert kh == [S.APPROVED, S.APPROVED, S.WAITLISTED]
    db.session.refresh(session)
    assert session.seats_taken == 3 == approved_count(db, session.id)


def test_a_freed_seat_goes_to_the_first_waiting_registration_that_fits_the_quotas(
        db, make_session, partner_user, partner_kh_user, colleagues, make_participant, kh_agency, outbox):
    session = make_session(capacity=2, auto_approve=True)
    db.session.add(SessionQuota(session_id=session.id, agency_id=partner_user.agency_id, seats=1))
    db.session.commit()
    vn_first = _nominate(session, colleagues[0], partner_user)
    kh_first = _nominate(session, make_participant(kh_agency, name_latin="Chan Dara"), partner_kh_user)
    vn_waiting = _nominate(session, colleagues[1], partner_user)  # waits: VN quota full
    kh_waiting = _nominate(session, make_participant(kh_agency, name_latin="Keo Sophea", locale="km"),
                           partner_kh_user)
    assert (vn_waiting.state, kh_waiting.state) == (S.WAITLISTED, S.WAITLISTED)
    outbox.clear()
    run(services.cancel, kh_first.id, agency_id=kh_agency.id, actor=partner_kh_user, reason="Mission")
    # The VN colleague arrived first but the VN quota is still full: the Khmer colleague gets the seat.
    assert dict(states(db, session.id)) == {
        vn_first.id: S.APPROVED, kh_first.id: S.CANCELLED, vn_waiting.id: S.WAITLISTED, kh_waiting.id: S.APPROVED}
    promoted = db.session.get(Registration, kh_waiting.id)
    assert promoted.personal_code
    assert any(promoted.personal_code in m.body for m in outbox)
    # Freeing the VN seat promotes the VN colleague.
    run(services.cancel, vn_first.id, agency_id=None, actor=None)
    assert db.session.get(Registration, vn_waiting.id).state == S.APPROVED
    db.session.refresh(session)
    assert session.seats_taken == 2 == approved_count(db, session.id)


def test_organiser_approval_is_refused_when_no_seat_is_left(db, make_session, partner_user, colleagues, organiser):
    session = make_session(capacity=1)
    pending = [_nominate(session, c, partner_user) for c in colleagues[:2]]
    before = counts(db)
    with pytest.raises(NoSeatLeft) as refused:
        run(services.decide, session.id, [r.id for r in pending], "approve", actor=organiser)
    assert refused.value.waitlistable == [r.id for r in pending]
    assert "liste d’attente" in str(refused.value.message)
    # All or nothing: the first one was not approved either.
    assert counts(db) == before
    assert [state for _, state in states(db, session.id)] == [S.PENDING, S.PENDING]
    db.session.refresh(session)
    assert session.seats_taken == 0
    run(services.decide, session.id, [pending[0].id], "approve", actor=organiser)
    run(services.decide, session.id, [pending[1].id], "waitlist", actor=organiser)
    assert [state for _, state in states(db, session.id)] == [S.APPROVED, S.WAITLISTED]


def test_a_registration_cannot_wait_while_a_seat_fits_it(db, make_session, partner_user, colleagues, organiser):
    session = make_session(capacity=2)
    approved, reserve = (_nominate(session, c, partner_user) for c in colleagues[:2])
    run(services.decide, session.id, [approved.id], "approve", actor=organiser)
    with pytest.raises(RegistrationError) as refused:
        run(services.decide, session.id, [reserve.id], "waitlist", actor=organiser)
    assert "place libre" in str(refused.value.message)
    assert dict(states(db, session.id))[reserve.id] == S.PENDING


def test_a_registration_kept_in_reserve_waits_until_a_seat_frees(db, make_session, partner_user, colleagues,
                                                                 organiser):
    session = make_session(capacity=1)
    approved, reserve, newcomer = (_nominate(session, c, partner_user) for c in colleagues)
    run(services.decide, session.id, [approved.id], "approve", actor=organiser)
    run(services.decide, session.id, [reserve.id], "waitlist", actor=organiser)
    run(services.decide, session.id, [newcomer.id], "reject", actor=organiser, reason="Hors profil")
    # Waitlisting or rejecting a pending registration frees no seat: nobody is promoted.
    assert dict(states(db, session.id))[reserve.id] == S.WAITLISTED
    run(services.decide, session.id, [approved.id], "cancel", actor=organiser)
    assert dict(states(db, session.id)) == {approved.id: S.CANCELLED, reserve.id: S.APPROVED,
                                            newcomer.id: S.REJECTED}


def test_rejecting_an_approved_registration_promotes_the_waiting_list(db, make_session, partner_user, colleagues,
                                                                     organiser):
    session = make_session(capacity=1, auto_approve=True)
    approved, waiting = (_nominate(session, c, partner_user) for c in colleagues[:2])
    with pytest.raises(RegistrationError) as no_reason:
        run(services.decide, session.id, [approved.id], "reject", actor=organiser)
    assert no_reason.value.status == 400
    run(services.decide, session.id, [approved.id], "reject", actor=organiser, reason="Grade insuffisant")
    assert dict(states(db, session.id)) == {approved.id: S.REJECTED, waiting.id: S.APPROVED}
    assert db.session.get(Registration, approved.id).reason == "Grade insuffisant"


@pytest.mark.parametrize("action,state", [("waitlist", S.APPROVED), ("approve", S.APPROVED),
                                          ("cancel", S.CANCELLED), ("reject", S.REJECTED)])
def test_a_decision_that_does_not_apply_to_the_state_is_refused(db, make_session, make_registration, colleagues,
                                                                 action, state):
    session = make_session()
    registration = make_registration(session, colleagues[0], state=state)
    before = counts(db)
    with pytest.raises(RegistrationError) as refused:
        run(services.decide, session.id, [registration.id], action, reason="x")
    assert refused.value.status == 409
    assert counts(db) == before


def test_decisions_only_touch_registrations_of_the_session(db, make_session, make_registration, colleagues):
    one, other = make_session(), make_session()
    foreign = make_registration(other, colleagues[0], state=S.PENDING)
    with pytest.raises(RegistrationError) as refused:
        run(services.decide, one.id, [foreign.id], "approve")
    assert refused.value.status == 404
    with pytest.raises(RegistrationError):
        run(services.decide, one.id, [foreign.id], "explode")
    with pytest.raises(RegistrationError):
        run(services.decide, one.id, [], "approve")


def test_promotion_offers_the_seat_when_the_session_asks_for_confirmation(
        db, make_session, partner_user, colleagues, make_participant, vn_agency, outbox):
    session = make_session(capacity=1, auto_approve=True, confirm_promotions=True, offer_hours=48)
    now = datetime.now(timezone.utc)
    approved = _nominate(session, colleagues[0], partner_user, now=now)
    first, second = (_nominate(session, c, partner_user, now=now) for c in colleagues[1:3])
    outbox.clear()
    run(services.cancel, approved.id, agency_id=vn_agency.id, actor=partner_user, now=now)
    offered = db.session.get(Registration, first.id)
    assert offered.state == S.WAITLISTED
    assert offered.offer_expires_at == now + timedelta(hours=48)
    offers = [m.to for m in outbox if m.subject.startswith("Có một chỗ")]
    assert offers == [colleagues[1].email, partner_user.email]  # the participant and who nominated them
    # The offered seat is held: a newcomer goes to the waiting list.
    newcomer = _nominate(session, make_participant(vn_agency, name_latin="Vu Van Nam"), partner_user, now=now)
    assert newcomer.state == S.WAITLISTED
    with pytest.raises(RegistrationError):
        run(services.accept_offer, second.id, agency_id=vn_agency.id, actor=partner_user, now=now)
    accepted = run(services.accept_offer, first.id, agency_id=vn_agency.id, actor=partner_user,
                                     now=now + timedelta(hours=47))
    assert accepted.state == S.APPROVED and accepted.personal_code and accepted.offer_expires_at is None
    db.session.refresh(session)
    assert session.seats_taken == 1 == approved_count(db, session.id)


def test_a_declined_or_expired_offer_passes_to_the_next_person(db, make_session, partner_user, colleagues,
                                                               make_participant, vn_agency, runner):
    session = make_session(capacity=1, auto_approve=True, confirm_promotions=True)
    now = datetime.now(timezone.utc)
    people = colleagues + [make_participant(vn_agency, name_latin="Vu Van Nam")]
    regs = [_nominate(session, p, partner_user, now=now) for p in people]
    run(services.cancel, regs[0].id, agency_id=vn_agency.id, actor=partner_user, now=now)
    run(services.decline_offer, regs[1].id, agency_id=vn_agency.id, actor=partner_user, now=now)
    declined = db.session.get(Registration, regs[1].id)
    assert declined.state == S.CANCELLED and declined.reason == services.OFFER_DECLINED
    assert db.session.get(Registration, regs[2].id).offer_expires_at == now + timedelta(hours=72)
    # Nobody answers: after 72 hours the command passes the offer on.
    later = now + timedelta(hours=73)
    assert run(services.expire_offers, now=now + timedelta(hours=71)) == 0
    assert run(services.expire_offers, now=later) == 1
    expired = db.session.get(Registration, regs[2].id)
    assert expired.state == S.CANCELLED and expired.reason == services.OFFER_EXPIRED
    assert db.session.get(Registration, regs[3].id).offer_expires_at == later + timedelta(hours=72)
    with pytest.raises(RegistrationError):
        run(services.accept_offer, regs[2].id, agency_id=vn_agency.id, actor=partner_user, now=later)


def test_a_registration_passes_on_a_lapsed_offer_and_reads_the_waiting_list_only_then(
        db, make_session, make_registration, make_participant, vn_agency, colleagues, partner_user, count_queries):
    """The seat book counts the offers that ran out; a registration passes them on first, and
    reads the waiting list for that only when the book counted one."""
    session = make_session(capacity=1, auto_approve=True, confirm_promotions=True)
    now = datetime.now(timezone.utc)
    lapsed = make_registration(session, colleagues[0], state=S.WAITLISTED, offer_expires_at=now - timedelta(hours=1))
    waiting = make_registration(session, colleagues[1], state=S.WAITLISTED)

    def waiting_list_reads(statements):
        return [text for text in statements if text.lstrip().upper().startswith("SELECT")
                and "offer_expires_at <=" in text]

    with count_queries() as statements:
        newcomer = run(_nominate, session, make_participant(vn_agency, name_latin="Vu Van Nam"), partner_user, now=now)
    assert len(waiting_list_reads(statements)) == 1
    assert db.session.get(Registration, lapsed.id).state == S.CANCELLED
    assert db.session.get(Registration, lapsed.id).reason == services.OFFER_EXPIRED
    # The freed seat went to the waiting list first, as an offer; the newcomer waits behind.
    assert db.session.get(Registration, waiting.id).offer_expires_at == now + timedelta(hours=72)
    assert newcomer.state == S.WAITLISTED
    with count_queries() as statements:
        run(_nominate, session, make_participant(vn_agency, name_latin="Vu Thi Lan"), partner_user, now=now)
    assert waiting_list_reads(statements) == []


def test_expire_offers_command(db, make_session, make_registration, colleagues, runner):
    session = make_session(capacity=1, confirm_promotions=True)
    past = datetime.now(timezone.utc) - timedelta(hours=1)
    lapsed = make_registration(session, colleagues[0], state=S.WAITLISTED, offer_expires_at=past)
    waiting = make_registration(session, colleagues[1], state=S.WAITLISTED)
    result = runner.invoke(args=["expire-offers"])
    assert result.exit_code == 0, result.output
    assert "1" in result.output
    assert dict(states(db, session.id)) == {lapsed.id: S.CANCELLED, waiting.id: S.WAITLISTED}
    assert db.session.get(Registration, waiting.id).offer_expires_at is not None


def test_raising_capacity_promotes_through_the_seats_freed_signal(db, make_session, partner_user, colleagues):
    session = make_session(capacity=1, auto_approve=True)
    regs = [_nominate(session, c, partner_user) for c in colleagues]
    session = db.session.get(type(session), session.id)
    session.capacity = 2
    seats_freed.send(session)
    db.session.commit()
    assert [s for _, s in states(db, session.id)] == [S.APPROVED, S.APPROVED, S.WAITLISTED]
    assert regs[1].id == states(db, session.id)[1][0]
    db.session.refresh(session)
    assert session.seats_taken == 2


def test_a_cancelled_session_keeps_its_registrations_and_promotes_nobody(db, make_session, partner_user, colleagues,
                                                                         organiser):
    session = make_session(capacity=1, auto_approve=True, confirm_promotions=True)
    regs = [_nominate(session, c, partner_user) for c in colleagues]
    run(services.decide, session.id, [regs[0].id], "reject", actor=organiser, reason="Absent")
    assert db.session.get(Registration, regs[1].id).offer_expires_at is not None
    session = db.session.get(type(session), session.id)
    session.status = SessionStatus.CANCELLED
    session_cancelled.send(session, reason="Typhon", actor=organiser)
    db.session.commit()
    assert [s for _, s in states(db, session.id)] == [S.REJECTED, S.WAITLISTED, S.WAITLISTED]
    assert db.session.get(Registration, regs[1].id).offer_expires_at is None
    with pytest.raises(RegistrationError):
        run(services.cancel, regs[2].id, agency_id=None)
    with pytest.raises(RegistrationError):
        run(services.accept_offer, regs[1].id, agency_id=None)


def test_self_registration_updates_the_participant_record(db, make_session, partner_user):
    session = make_session()
    details = person(name_latin="Nguyen Thi Huong", name_native="Nguyễn Thị Hương", email="Huong@Example.test",
                     phone="+84 24 1234 5678", languages="Tiếng Việt, Français")
    registration = register(session.id, agency_id=partner_user.agency_id,
                                     participant_id=partner_user.participant_id, person=details,
                                     update_person=True, actor=partner_user)
    participant = db.session.get(Participant, partner_user.participant_id)
    assert registration.nominated is False
    assert (participant.name_native, participant.email, participant.name_key) == (
        "Nguyễn Thị Hương", "huong@example.test", "nguyen thi huong")


def test_the_same_person_is_offered_for_reuse_not_created_twice(db, make_session, partner_user, colleagues):
    session = make_session()
    before = counts(db)
    with pytest.raises(DuplicatePerson) as same_name:
        register(session.id, agency_id=partner_user.agency_id, person=person(name_latin="TRAN van  minh"),
                          nominated=True, actor=partner_user)
    assert [m.id for m in same_name.value.matches] == [colleagues[0].id] and not same_name.value.same_email
    with pytest.raises(DuplicatePerson) as same_email:
        register(session.id, agency_id=partner_user.agency_id, confirm_new=True, nominated=True,
                          person=person(name_latin="Someone Else", email=colleagues[1].email.upper()))
    assert [m.id for m in same_email.value.matches] == [colleagues[1].id] and same_email.value.same_email
    assert counts(db) == before
    # A namesake who really is another person, once confirmed.
    registration = register(session.id, agency_id=partner_user.agency_id, confirm_new=True,
                                     person=person(name_latin="Tran Van Minh"), nominated=True, actor=partner_user)
    assert registration.participant_id not in {c.id for c in colleagues}


def test_after_a_cancellation_the_person_may_register_again(db, make_session, partner_user, colleagues):
    session = make_session()
    first = _nominate(session, colleagues[0], partner_user)
    run(services.cancel, first.id, agency_id=partner_user.agency_id)
    again = _nominate(session, colleagues[0], partner_user)
    assert again.id != first.id and again.state == S.PENDING


def _refused(db, status, call):
    before = counts(db)
    with pytest.raises(RegistrationError) as refused:
        call()
    assert refused.value.status == status, refused.value.message
    assert counts(db) == before
    return refused.value


def test_bad_registrations_are_refused_and_write_nothing(db, make_session, partner_user, partner_kh_user,
                                                         colleagues, make_participant, kh_agency):
    open_session = make_session()
    _nominate(open_session, colleagues[0], partner_user)
    vn = partner_user.agency_id
    _refused(db, 409, lambda: _nominate(open_session, colleagues[0], partner_user))
    past = make_session(registration_deadline=datetime.now(timezone.utc) - timedelta(hours=1))
    assert "closes" in str(_refused(db, 409, lambda: _nominate(past, colleagues[1], partner_user)).message)
    draft = make_session(status=SessionStatus.DRAFT)
    _refused(db, 404, lambda: _nominate(draft, colleagues[1], partner_user))
    cancelled = make_session(status=SessionStatus.CANCELLED)
    _refused(db, 409, lambda: _nominate(cancelled, colleagues[1], partner_user))
    vn_only = make_session(eligible_countries="VN")
    chan = make_participant(kh_agency)
    _refused(db, 403, lambda: _nominate(vn_only, chan, partner_kh_user))
    khmer = make_participant(kh_agency, email="keo.sophea@example.test")
    _refused(db, 404, lambda: register(open_session.id, agency_id=vn, participant_id=khmer.id))
    _refused(db, 409, lambda: register(open_session.id, agency_id=vn, nominated=True,
                                                person=person(email="KEO.sophea@example.test")))
    _refused(db, 409, lambda: register(open_session.id, agency_id=vn, update_person=True,
                                                participant_id=partner_user.participant_id,
                                                person=person(email=khmer.email)))
    _refused(db, 404, lambda: register(999999, agency_id=vn, participant_id=colleagues[1].id))


def test_personal_codes_are_unique_in_a_session_and_a_lost_race_is_retried(db, make_session, partner_user,
                                                                           colleagues, monkeypatch):
    session = make_session(capacity=5, auto_approve=True)
    first = _nominate(session, colleagues[0], partner_user)
    real = codes.assign_code
    calls = {"n": 0}

    def clashing(registration):
        calls["n"] += 1
        if calls["n"] == 1:  # as if another transaction had taken this code meanwhile
            registration.personal_code = first.personal_code
            return registration.personal_code
        return real(registration)

    monkeypatch.setattr(codes, "assign_code", clashing)
    second = _nominate(session, colleagues[1], partner_user)
    assert calls["n"] == 2
    assert second.state == S.APPROVED and second.personal_code != first.personal_code
    assert approved_count(db, session.id) == 2
    db.session.refresh(session)
    assert session.seats_taken == 2


def test_the_database_allows_one_live_registration_per_person(db, make_session, colleagues):
    from sqlalchemy.exc import IntegrityError

    session = make_session()
    agency_id = colleagues[0].agency_id
    db.session.add_all([Registration(session_id=session.id, participant_id=colleagues[0].id, agency_id=agency_id,
                                     country="VN", state=state) for state in (S.PENDING, S.WAITLISTED)])
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_internal_notes_are_audited(db, make_session, make_registration, colleagues, organiser):
    registration = make_registration(make_session(), colleagues[0])
    run(services.set_note, registration.id, "  Parle français  ", actor=organiser)
    assert db.session.get(Registration, registration.id).internal_note == "Parle français"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "registration.note"))
    assert event.after == {"note": "Parle français"} and event.actor_id == organiser.id
