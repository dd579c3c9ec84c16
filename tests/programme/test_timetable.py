"""The timetable: items per day in order, edited by the office, shown on the session page and in the .ics."""

from datetime import time

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from registrations.models import AuditEvent, SessionStatus, TimetableItem
from registrations.programme.services import ItemValues, ProgrammeError, add_item, move_item, timetable


def _titles(session_id):
    return [[item.title_fr for item in entry.items] for entry in timetable(session_id)]


def test_items_go_in_time_order_and_move_up_and_down(db, make_session, make_item):
    session = make_session(days=2)
    make_item(session, start=(14, 0), end=(16, 0), title="Après-midi")
    make_item(session, start=(9, 0), end=(10, 0), title="Ouverture")
    make_item(session, start=(10, 15), end=(12, 0), title="Cours")
    make_item(session, day=1, start=(9, 0), end=(12, 0), title="Exercice")
    assert _titles(session.id) == [["Ouverture", "Cours", "Après-midi"], ["Exercice"]]
    cours = db.session.scalar(select(TimetableItem).where(TimetableItem.title_fr == "Cours"))
    move_item(cours.id, -1)
    db.session.commit()
    assert _titles(session.id)[0] == ["Cours", "Ouverture", "Après-midi"]
    with pytest.raises(ProgrammeError):
        move_item(cours.id, -1)  # already first
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action.like("timetable.%"))) == 5


def test_rules_refuse_bad_items(db, make_session, days_of):
    session, other = make_session(days=1), make_session(days=1)
    good = {"day_id": days_of(session)[0].id, "starts_at": time(9), "ends_at": time(10), "titles": {"fr": "Cours"}}
    for change, field in (({"ends_at": time(8)}, "ends_at"), ({"titles": {}}, "title_fr"),
                          ({"day_id": days_of(other)[0].id}, "day_id"), ({"trainer_ids": [999]}, "trainer_ids")):
        with pytest.raises(ProgrammeError) as refused:
            add_item(session.id, ItemValues(**{**good, **change}))
        assert refused.value.field_name == field
        db.session.rollback()
    session.status = SessionStatus.CANCELLED
    db.session.commit()
    with pytest.raises(ProgrammeError) as refused:
        add_item(session.id, ItemValues(**good))
    assert refused.value.status == 409
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(TimetableItem)) == 0


def test_title_falls_back_to_english_french_then_any_language(app, db, make_session, make_item):
    session = make_session(days=1)
    make_item(session, title="Ouverture", titles={"km": "ពិធីបើក"})
    item = db.session.scalar(select(TimetableItem))
    item.title_fr = ""
    db.session.commit()
    with app.test_request_context(headers={"Accept-Language": "km"}):
        assert item.title == "ពិធីបើក"
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        assert item.title == "ពិធីបើក" and item.title_lang == "km"


def test_organiser_adds_edits_reorders_and_removes_items(organiser_client, db, make_session, days_of,
                                                         make_trainer):
    session = make_session(days=2)
    trainer = make_trainer("Claire Martin")
    page = organiser_client.get(f"/manage/sessions/{session.id}/timetable/new", headers={"Accept-Language": "fr"})
    assert page.status_code == 200 and "Claire Martin" in page.get_data(as_text=True)
    day = days_of(session)[0]
    form = {"day_id": str(day.id), "starts_at": "09:00", "ends_at": "10:30", "title_fr": "Ouverture",
            "title_en": "Opening", "room": "Salle 204", "language": "fr", "interpretation": ["vi", "km"],
            "trainer_ids": [str(trainer.id)]}
    response = organiser_client.post(f"/manage/sessions/{session.id}/timetable/new", data=form)
    assert response.status_code == 302
    second = dict(form, starts_at="11:00", ends_at="12:00", title_fr="Atelier", title_en="")
    assert organiser_client.post(f"/manage/sessions/{session.id}/timetable/new", data=second).status_code == 302
    items = list(db.session.scalars(select(TimetableItem).order_by(TimetableItem.position)))
    assert [item.title_fr for item in items] == ["Ouverture", "Atelier"]
    assert items[0].interpretation == "vi,km" and items[0].room == "Salle 204"

    bad = organiser_client.post(f"/manage/sessions/{session.id}/timetable/new",
                                data=dict(form, ends_at="08:00"), headers={"Accept-Language": "en"})
    assert bad.status_code == 400
    assert "The end time must come after the start time." in bad.get_data(as_text=True)

    edited = dict(form, title_fr="Ouverture officielle", day_id=str(days_of(session)[1].id))
    assert organiser_client.post(f"/manage/timetable/{items[0].id}/edit", data=edited).status_code == 302
    assert _titles(session.id) == [["Atelier"], ["Ouverture officielle"]]

    assert organiser_client.post(f"/manage/timetable/{items[1].id}/move", data={"direction": "up"}).status_code == 409
    assert organiser_client.post(f"/manage/timetable/{items[1].id}/move",
                                 data={"direction": "sideways"}).status_code == 400
    assert organiser_client.post(f"/manage/timetable/{items[1].id}/delete").status_code == 302
    assert _titles(session.id) == [[], ["Ouverture officielle"]]
    editor = organiser_client.get(f"/manage/sessions/{session.id}/timetable").get_data(as_text=True)
    assert "Ouverture officielle" in editor


def test_partners_cannot_edit_the_timetable(partner_client, make_session, make_item):
    session = make_session(days=1)
    item = make_item(session)
    assert partner_client.get(f"/manage/sessions/{session.id}/timetable").status_code == 403
    assert partner_client.post(f"/manage/timetable/{item.id}/delete").status_code == 403


@pytest.mark.parametrize("locale, expected", [("fr", "Ouverture"), ("en", "Opening"), ("vi", "Khai mạc"),
                                              ("km", "Opening"), ("lo", "Opening")])
def test_session_page_shows_the_timetable_in_each_language(client, make_session, make_item, make_trainer,
                                                           locale, expected):
    session = make_session(days=2)
    trainer = make_trainer("Nguyễn Văn Minh")
    make_item(session, start=(8, 30), end=(10, 0), title="Ouverture", trainers=[trainer], room="Amphithéâtre A",
              titles={"en": "Opening", "vi": "Khai mạc"})
    html = client.get(f"/sessions/{session.id}", headers={"Accept-Language": locale}).get_data(as_text=True)
    assert 'data-testid="timetable-item"' in html
    assert expected in html and "Nguyễn Văn Minh" in html and "Amphithéâtre A" in html
    assert f'href="/trainers/{trainer.id}"' in html
    assert "8:30" in html or "08:30" in html


def test_a_day_without_items_keeps_its_free_text_programme(client, db, make_session, make_item, days_of):
    session = make_session(days=2)
    days_of(session)[1].programme = "Visite du centre de secours"
    db.session.commit()
    make_item(session, day=0, title="Ouverture")
    html = client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "Ouverture" in html and "Visite du centre de secours" in html


def test_calendar_has_one_timed_event_per_item(client, make_session, make_item, make_trainer):
    session = make_session(days=2, title_en="Crime scene")
    trainer = make_trainer("Claire Martin")
    make_item(session, start=(8, 30), end=(10, 0), title="Ouverture", trainers=[trainer], room="Salle 1",
              titles={"en": "Opening"})
    make_item(session, day=1, start=(14, 0), end=(16, 0), title="Exercice")
    response = client.get(f"/sessions/{session.id}.ics", headers={"Accept-Language": "en"})
    calendar = Calendar.from_ical(response.data)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 3  # the whole session, and each item
    timed = sorted((event for event in events if str(event["uid"]).startswith("timetable-item-")),
                   key=lambda event: event.decoded("dtstart"))
    first = timed[0]
    assert str(first["summary"]).startswith("Opening")
    start = first.decoded("dtstart")
    assert (start.hour, start.minute) == (8, 30) and str(start.tzinfo) == "Asia/Ho_Chi_Minh"
    assert start.date() == session.start_date
    assert "Salle 1" in str(first["location"]) and "Claire Martin" in str(first["description"])
    assert calendar.walk("VTIMEZONE")


def test_session_page_changes_when_the_timetable_changes(client, db, make_session, make_item):
    session = make_session(days=1)
    assert "Ouverture" not in client.get(f"/sessions/{session.id}").get_data(as_text=True)
    item = make_item(session, title="Ouverture")
    assert "Ouverture" in client.get(f"/sessions/{session.id}").get_data(as_text=True)
    item.title_fr = "Ouverture officielle"
    db.session.commit()
    assert "Ouverture officielle" in client.get(f"/sessions/{session.id}").get_data(as_text=True)


def test_session_page_reads_the_timetable_in_a_fixed_number_of_queries(client, count_queries, make_session,
                                                                       make_item, make_trainer):
    session = make_session(days=3)
    trainers = [make_trainer(f"Trainer {n}") for n in range(3)]

    def measure():
        from registrations.sessions.fragments import fragments

        with client.application.app_context():
            fragments().clear()
        with count_queries() as counted:
            assert client.get(f"/sessions/{session.id}").status_code == 200
        return len(counted)

    make_item(session, trainers=trainers[:1])
    small = measure()
    for day in range(3):
        for hour in range(10, 14):
            make_item(session, day=day, start=(hour, 0), end=(hour, 30), trainers=trainers)
    assert measure() == small
