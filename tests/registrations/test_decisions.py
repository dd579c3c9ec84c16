"""Accepting in order what fits: capacity and per-country quotas, the rest pending or waitlisted,
and a summary of what happened to whom and why."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from registrations.enrolment import decisions, services
from registrations.enrolment.errors import RegistrationError
from registrations.models import AuditEvent, Registration, SessionQuota, utcnow
from registrations.models import RegistrationState as S
from registrations.transaction import run
from tests.registrations.conftest import counts


@pytest.fixture
def crowded(db, make_session, make_agency, make_participant, make_registration):
    """6 seats, 2 per country; 7 pending in this order: KH, KH, LA, KH, VN, KH, VN."""
    session = make_session(capacity=6)
    db.session.add_all([SessionQuota(session_id=session.id, country=c, seats=2) for c in ("KH", "LA", "VN")])
    db.session.commit()
    agencies = {c: make_agency(c) for c in ("KH", "LA", "VN")}
    start = utcnow() - timedelta(days=2)
    pending = []
    for n, country in enumerate(["KH", "KH", "LA", "KH", "VN", "KH", "VN"]):
        person = make_participant(agencies[country], name_latin=f"Officer {country} {n}")
        pending.append(make_registration(session, person, state=S.PENDING, created_at=start + timedelta(hours=n)))
    return session, pending


def test_accepts_in_order_what_fits_and_says_why_not(db, crowded, organiser_user):
    session, pending = crowded
    outcomes = run(decisions.accept_fitting, session.id, [r.id for r in reversed(pending)], actor=organiser_user)
    assert [o.registration.id for o in outcomes] == [r.id for r in pending]  # by registration time
    got = {o.registration.id: (o.outcome, o.reason) for o in outcomes}
    accepted = [r.id for r in pending if got[r.id][0] == decisions.ACCEPTED]
    assert accepted == [pending[i].id for i in (0, 1, 2, 4, 6)]
    for late in (pending[3], pending[5]):
        assert got[late.id] == (decisions.LEFT_PENDING, "quota atteint pour ce pays (Cambodge)")
    db.session.expire_all()
    assert [db.session.get(Registration, r.id).state for r in pending] == [
        S.APPROVED, S.APPROVED, S.APPROVED, S.PENDING, S.APPROVED, S.PENDING, S.APPROVED]
    assert db.session.get(type(session), session.id).seats_taken == 5
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.object_id == pending[3].id,
                                                      AuditEvent.action == "registration.state")) is None


def test_the_rest_can_go_on_the_waiting_list(db, crowded, organiser_user):
    session, pending = crowded
    outcomes = run(decisions.accept_fitting, session.id, [r.id for r in pending], decisions.REST_WAITLIST,
                   actor=organiser_user)
    assert sum(o.outcome == decisions.ACCEPTED for o in outcomes) == 5
    assert sorted(o.registration.id for o in outcomes if o.outcome == decisions.WAITLISTED) == [
        pending[3].id, pending[5].id]
    db.session.expire_all()
    assert db.session.get(Registration, pending[5].id).state == S.WAITLISTED


def test_capacity_is_the_reason_when_seats_run_out(db, make_session, make_registration, colleagues, organiser_user):
    session = make_session(capacity=1)
    first, second = (make_registration(session, c, state=S.PENDING) for c in colleagues[:2])
    outcomes = run(decisions.accept_fitting, session.id, [first.id, second.id], actor=organiser_user)
    assert [(o.outcome, o.reason) for o in outcomes] == [
        (decisions.ACCEPTED, ""), (decisions.LEFT_PENDING, "plus de place dans la session")]


def test_bad_selections_write_nothing(db, crowded, make_session, make_registration, organiser_user):
    session, pending = crowded
    foreign = make_registration(make_session(), state=S.PENDING)
    before = counts(db)
    for ids, rest in (([], "pending"), ([pending[0].id], "everyone"), ([pending[0].id, foreign.id], "pending")):
        with pytest.raises(RegistrationError):
            run(decisions.accept_fitting, session.id, ids, rest, actor=organiser_user)
    assert counts(db) == before


def test_waitlisting_is_refused_while_a_seat_fits(db, make_session, make_registration, colleagues, organiser_user):
    session = make_session(capacity=2)
    pending = make_registration(session, colleagues[0], state=S.PENDING)
    with pytest.raises(RegistrationError) as refused:
        run(services.decide, session.id, [pending.id], "waitlist", actor=organiser_user)
    assert refused.value.status == 409
    db.session.expire_all()
    assert db.session.get(Registration, pending.id).state == S.PENDING


@pytest.mark.parametrize("language,why", [
    ("fr", "quota atteint pour ce pays (Cambodge)"), ("en", "quota for Cambodia reached"),
    ("vi", "Campuchia"), ("km", "កម្ពុជា"), ("lo", "ກຳປູເຈຍ")])
def test_the_summary_page_in_five_languages(db, crowded, organiser_client, organiser_user, language, why):
    session, pending = crowded
    organiser_user.locale = language
    db.session.commit()
    answer = organiser_client.post(f"/manage/sessions/{session.id}/registrations/decide",
                                   data={"ids": [r.id for r in pending], "action": "approve"},
                                   headers={"Accept-Language": language})
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert html.count('data-outcome="accepted"') == 5 and html.count('data-outcome="pending"') == 2
    assert why in html
