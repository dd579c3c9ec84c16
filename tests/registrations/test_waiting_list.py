"""The waiting list: positions shown to organisers and partners, reordering (audited), and the
order in which freed seats are served."""

from sqlalchemy import select

from registrations.enrolment import services, waitlist
from registrations.models import AuditEvent, Registration
from registrations.models import RegistrationState as S
from registrations.transaction import run
from tests.registrations.conftest import register


def _full_with_waiting(make_session, make_agency, make_participant, partner_user, organiser_user, waiting=4):
    """A session of one seat, taken, and `waiting` people waitlisted (two agencies, A A B A…)."""
    session = make_session(capacity=1, auto_approve=True)
    first, second = make_agency("VN"), make_agency("KH")
    seated = register(session.id, agency_id=first.id,
                      participant_id=make_participant(first, name_latin="Seated One").id)
    queue = []
    for n in range(waiting):
        agency = second if n == 2 else first
        person = make_participant(agency, name_latin=f"Waiting {n}")
        queue.append(register(session.id, agency_id=agency.id, participant_id=person.id))
    assert {r.state for r in queue} == {S.WAITLISTED}
    return session, seated, queue


def _order(db, session_id):
    db.session.expire_all()
    return [r.id for r in waitlist.waiting(session_id)]


def test_new_people_join_the_end_and_positions_follow_the_order(db, make_session, make_agency, make_participant,
                                                               partner_user, organiser_user):
    session, _seated, queue = _full_with_waiting(make_session, make_agency, make_participant, partner_user,
                                                 organiser_user)
    assert _order(db, session.id) == [r.id for r in queue]
    assert waitlist.positions([session.id]) == {r.id: n for n, r in enumerate(queue, start=1)}


def test_moving_up_and_down_is_audited_and_served_in_that_order(db, make_session, make_agency, make_participant,
                                                               partner_user, organiser_user):
    session, seated, queue = _full_with_waiting(make_session, make_agency, make_participant, partner_user,
                                                organiser_user)
    run(waitlist.move, session.id, queue[3].id, "up", actor=organiser_user)
    run(waitlist.move, session.id, queue[3].id, "up", actor=organiser_user)
    run(waitlist.move, session.id, queue[0].id, "down", actor=organiser_user)
    expected = [queue[3].id, queue[0].id, queue[1].id, queue[2].id]
    assert _order(db, session.id) == expected
    events = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "session.waitlist_order")))
    assert len(events) == 3 and events[-1].after["order"] == expected and events[-1].actor_id == organiser_user.id
    # The freed seat goes to the new first.
    run(services.cancel, seated.id, agency_id=None, actor=organiser_user)
    db.session.expire_all()
    assert db.session.get(Registration, queue[3].id).state == S.APPROVED
    assert _order(db, session.id) == expected[1:]


def test_one_per_agency_first(db, make_session, make_agency, make_participant, partner_user, organiser_user):
    session, _seated, queue = _full_with_waiting(make_session, make_agency, make_participant, partner_user,
                                                 organiser_user)
    run(waitlist.one_per_agency_first, session.id, actor=organiser_user)
    # A(0) A(1) B(2) A(3) → A(0) B(2) A(1) A(3)
    assert _order(db, session.id) == [queue[0].id, queue[2].id, queue[1].id, queue[3].id]


def test_waiting_list_page_reorders_in_the_browser(db, make_session, make_agency, make_participant, partner_user,
                                                   organiser_user, organiser_client):
    session, _seated, queue = _full_with_waiting(make_session, make_agency, make_participant, partner_user,
                                                 organiser_user)
    url = f"/manage/sessions/{session.id}/waiting-list"
    page = organiser_client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert page.count('data-testid="position"') == 4 and "One per agency first" in page
    # Each row but the first has a button that moves it up, named after the person, with its token.
    assert page.count('/up">') == 3 and page.count('/down">') == 3 and page.count('aria-label="Move ') == 6
    assert f'<form method="post" action="{url}/{queue[2].id}/up">' in page and 'name="csrf_token"' in page
    moved = organiser_client.post(f"{url}/{queue[2].id}/up")
    assert moved.status_code == 302
    assert _order(db, session.id)[1] == queue[2].id
    assert organiser_client.post(f"{url}/{queue[0].id}/up").status_code == 409  # already first
    assert organiser_client.post(f"{url}/one-per-agency").status_code == 302
    listing = organiser_client.get(f"/manage/sessions/{session.id}/registrations").get_data(as_text=True)
    assert listing.count('data-testid="waitlist-position"') == 4


def test_partners_see_their_position(db, make_session, make_participant, partner_user, partner_client,
                                     organiser_user, make_agency):
    session = make_session(capacity=1, auto_approve=True)
    agency_id = partner_user.agency_id
    from registrations.models import Agency
    agency = db.session.get(Agency, agency_id)
    register(session.id, agency_id=agency_id, participant_id=make_participant(agency).id)
    register(session.id, agency_id=agency_id, participant_id=make_participant(agency).id)
    mine = register(session.id, agency_id=agency_id, participant_id=make_participant(agency).id)
    listing = partner_client.get("/registrations", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "No. 1 in line" in listing and "No. 2 in line" in listing
    detail = partner_client.get(f"/registrations/{mine.id}", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert 'data-testid="waitlist-position"' in detail
