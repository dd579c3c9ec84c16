"""The office's pages: access per role, the session form, status actions, the days editor."""

import html
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from registrations.models import AuditEvent, SessionDay, SessionQuota, SessionStatus, TrainingSession
from registrations.sessions import lifecycle, services
from registrations.transaction import run


def _text(response) -> str:
    return response.get_data(as_text=True)


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _form(**overrides) -> dict:
    start = date.today() + timedelta(days=60)
    data = {
        "title_fr": "Enquêtes financières", "title_vi": "Điều tra tài chính", "description_fr": "Programme.",
        "kind": "course", "theme": "drugs", "city": "Hà Nội", "country": "VN", "venue": "Bộ Công an",
        "start_date": start.isoformat(), "end_date": (start + timedelta(days=2)).isoformat(),
        "working_language": "fr", "interpretation": ["vi", "km"], "capacity": "25",
        "registration_deadline": (start - timedelta(days=10)).isoformat() + "T17:00",
        "eligible_countries": ["VN", "KH", "LA"], "attendance_threshold": "80", "approval": "organiser",
        "offer_hours": "72",
        "quotas-0-target": "country:KH", "quotas-0-seats": "5",
        "quotas-1-target": "", "quotas-1-seats": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


MANAGE_GETS = ["/manage/sessions", "/manage/sessions/new", "/manage/sessions/{id}", "/manage/sessions/{id}/edit",
               "/manage/sessions/{id}/days"]
MANAGE_POSTS = ["publish", "close", "reopen", "complete", "cancel", "duplicate", "delete"]


def test_anonymous_visitors_are_sent_to_log_in(client, make_session):
    session = make_session(status=SessionStatus.DRAFT)
    for url in MANAGE_GETS:
        response = client.get(url.format(id=session.id))
        assert response.status_code == 302 and "/login?next=" in response.headers["Location"]


@pytest.mark.parametrize("who", ["partner_client", "partner_kh_client"])
def test_partners_cannot_use_the_office_pages(request, db, make_session, who):
    reader = request.getfixturevalue(who)
    session = make_session(status=SessionStatus.DRAFT)
    for url in MANAGE_GETS:
        assert reader.get(url.format(id=session.id)).status_code == 403
    for action in MANAGE_POSTS:
        assert reader.post(f"/manage/sessions/{session.id}/{action}", data={"reason": "x"}).status_code == 403
    assert db.session.get(TrainingSession, session.id).status == SessionStatus.DRAFT


@pytest.mark.parametrize("who", ["organiser_client", "admin_client"])
def test_the_office_opens_every_page(request, make_session, who):
    staff = request.getfixturevalue(who)
    session = make_session(status=SessionStatus.DRAFT, title_fr="Brouillon")
    for url in MANAGE_GETS:
        assert staff.get(url.format(id=session.id)).status_code == 200, url
    assert "Brouillon" in _text(staff.get("/manage/sessions"))
    assert staff.get("/manage/sessions/999999").status_code == 404


def test_manage_list_filters_by_status_and_pages(app, organiser_client, make_session):
    app.config["ITEMS_PER_PAGE"] = 3
    make_session(title_fr="Projet A", status=SessionStatus.DRAFT)
    for n in range(4):
        make_session(title_fr=f"Publiée {n}", start=date.today() + timedelta(days=5 + n))
    drafts = _text(organiser_client.get("/manage/sessions?status=draft"))
    assert "Projet A" in drafts and "Publiée 0" not in drafts
    assert "Page 1 sur 2" in _text(organiser_client.get("/manage/sessions"))
    assert "Projet A" in _text(organiser_client.get("/manage/sessions?q=projet"))


def test_creating_through_the_form_makes_a_draft(db, organiser_client, organiser_user):
    response = organiser_client.post("/manage/sessions/new", data=_form())
    assert response.status_code == 302
    session = db.session.scalar(select(TrainingSession))
    assert response.headers["Location"] == f"/manage/sessions/{session.id}"
    assert session.status == SessionStatus.DRAFT and session.title_vi == "Điều tra tài chính"
    assert session.interpretation == "vi,km" and session.eligible_countries == "VN,KH,LA"
    assert session.created_by_id == organiser_user.id and session.serial_prefix == "HAN"
    assert _count(db, SessionDay) == 3
    assert services.current_quotas(session.id) == [services.QuotaSpec(5, country="KH")]
    # The deadline was typed in the office's time (Asia/Ho_Chi_Minh, UTC+7).
    assert session.registration_deadline.hour == 10


@pytest.mark.parametrize("overrides,field_message", [
    ({"end_date": (date.today() + timedelta(days=50)).isoformat()}, "La date de fin est antérieure"),
    ({"capacity": "0"}, "au moins une place"),
    ({"eligible_countries": ["KH", "LA"]}, "doivent inclure le pays hôte"),
    ({"quotas-0-seats": "40"}, "dépassant la capacité"),
    ({"registration_deadline": (date.today() + timedelta(days=70)).isoformat() + "T09:00"}, "après le début"),
    ({"registration_opens_at": (date.today() + timedelta(days=55)).isoformat() + "T09:00"}, "après leur date limite"),
    ({"quotas-1-target": "country:LA"}, "son nombre de places"),
    ({"title_fr": ""}, "Ce champ est requis."),
    ({"start_date": "31/02/2027"}, "pas une date valide"),
    ({"capacity": "beaucoup"}, "pas un entier valide"),
])
def test_bad_input_is_refused_with_a_translated_message_and_nothing_saved(db, organiser_client, overrides,
                                                                         field_message):
    response = organiser_client.post("/manage/sessions/new", data=_form(**overrides))
    assert response.status_code == 400
    assert field_message in html.unescape(_text(response)).replace("’", "'")
    assert _count(db, TrainingSession) == 0 and _count(db, SessionDay) == 0 and _count(db, SessionQuota) == 0


def test_a_post_without_csrf_token_is_refused(db, organiser_client):
    response = organiser_client.post("/manage/sessions/new", data=_form(), csrf=False)
    assert response.status_code == 400
    assert _count(db, TrainingSession) == 0


def test_editing_shows_the_values_and_saves(db, organiser_client, values, make_registration):
    session = run(services.create_session, values(capacity=10), [services.QuotaSpec(4, country="LA")])
    run(lifecycle.change_status, session.id, SessionStatus.PUBLISHED)
    page = _text(organiser_client.get(f"/manage/sessions/{session.id}/edit"))
    assert 'value="Lutte contre la fraude documentaire"' in page and '<option selected value="country:LA">' in page
    make_registration(session)
    make_registration(session)
    data = _form(capacity="1", start_date=session.start_date.isoformat(), end_date=session.end_date.isoformat(),
                 registration_deadline=None)
    response = organiser_client.post(f"/manage/sessions/{session.id}/edit", data=data)
    assert response.status_code == 400 and "2 personnes sont déjà retenues" in _text(response)
    data["capacity"] = "30"
    assert organiser_client.post(f"/manage/sessions/{session.id}/edit", data=data).status_code == 302
    edited = db.session.get(TrainingSession, session.id)
    assert edited.capacity == 30 and edited.seats_taken == 2 and edited.status == SessionStatus.PUBLISHED


def test_the_hub_shows_seats_actions_and_tools(organiser_client, make_session, make_registration):
    session = make_session(capacity=12)
    make_registration(session)
    page = _text(organiser_client.get(f"/manage/sessions/{session.id}"))
    assert 'data-testid="seats-taken">1<' in page and 'data-testid="seats-left">11<' in page
    assert f"/manage/sessions/{session.id}/edit" in page and f"/manage/sessions/{session.id}/days" in page
    assert f"/manage/sessions/{session.id}/close" in page and f"/manage/sessions/{session.id}/cancel" in page
    assert f"/manage/sessions/{session.id}/publish" not in page


def test_status_actions_through_the_pages(db, organiser_client, make_session, outbox, make_registration):
    session = make_session(status=SessionStatus.DRAFT, start=date.today() - timedelta(days=3), days=3)
    url = f"/manage/sessions/{session.id}"
    for action, status in [("publish", SessionStatus.PUBLISHED), ("close", SessionStatus.CLOSED),
                           ("reopen", SessionStatus.PUBLISHED), ("complete", SessionStatus.COMPLETED)]:
        response = organiser_client.post(f"{url}/{action}")
        assert response.status_code == 302, action
        assert db.session.get(TrainingSession, session.id).status == status
    refused = organiser_client.post(f"{url}/cancel", data={"reason": "Trop tard"})
    assert refused.status_code == 409 and "ne peut pas être annulée" in _text(refused)
    assert _count(db, AuditEvent) == 4


def test_cancelling_through_the_page_needs_a_reason_and_tells_people(db, organiser_client, make_session,
                                                                    make_registration, outbox):
    session = make_session()
    make_registration(session)
    response = organiser_client.post(f"/manage/sessions/{session.id}/cancel", data={"reason": ""})
    assert response.status_code == 400
    assert db.session.get(TrainingSession, session.id).status == SessionStatus.PUBLISHED
    response = organiser_client.post(f"/manage/sessions/{session.id}/cancel", data={"reason": "Typhon"})
    assert response.status_code == 302 and len(outbox) == 1
    assert "Session annulée" in outbox[0].subject


def test_completing_too_early_is_refused(organiser_client, make_session):
    session = make_session()
    response = organiser_client.post(f"/manage/sessions/{session.id}/complete")
    assert response.status_code == 409 and "à partir de son dernier jour" in _text(response)


def test_duplicate_and_delete_through_the_pages(db, organiser_client, make_session):
    source = make_session(title_fr="Session 2025", start=date.today() - timedelta(days=200),
                          status=SessionStatus.COMPLETED)
    start = date.today() + timedelta(days=90)
    response = organiser_client.post(f"/manage/sessions/{source.id}/duplicate",
                                     data={"start_date": start.isoformat()})
    copy = db.session.scalar(select(TrainingSession).where(TrainingSession.id != source.id))
    assert response.status_code == 302 and response.headers["Location"] == f"/manage/sessions/{copy.id}/edit"
    assert copy.status == SessionStatus.DRAFT and copy.start_date == start
    bad = organiser_client.post(f"/manage/sessions/{source.id}/duplicate", data={"start_date": "demain"})
    assert bad.status_code == 400
    assert organiser_client.post(f"/manage/sessions/{source.id}/delete").status_code == 409
    copy_id = copy.id
    assert organiser_client.post(f"/manage/sessions/{copy_id}/delete").status_code == 302
    assert db.session.get(TrainingSession, copy_id) is None
    assert organiser_client.post(f"/manage/sessions/{copy_id}/delete").status_code == 404


def test_the_days_editor_page(db, organiser_client, make_session):
    session = make_session(days=3)
    days = services.load_days(session.id)
    data = {}
    for index, day in enumerate(days):
        data[f"days-{index}-day_id"] = str(day.id)
        data[f"days-{index}-part"] = "full"
        data[f"days-{index}-programme"] = f"Jour {index + 1}"
    data["days-0-split"] = "y"
    data["days-1-remove"] = "y"
    response = organiser_client.post(f"/manage/sessions/{session.id}/days", data=data)
    assert response.status_code == 302
    result = [(d.part.value, d.programme) for d in services.load_days(session.id)]
    assert result == [("morning", "Jour 1"), ("afternoon", ""), ("full", "Jour 3")]
    data = {"days-0-day_id": str(days[2].id), "days-0-part": "full", "add_date": "2001-01-01", "add_part": "full"}
    response = organiser_client.post(f"/manage/sessions/{session.id}/days", data=data)
    assert response.status_code == 400 and "entre les dates de début et de fin" in _text(response)
    response = organiser_client.post(f"/manage/sessions/{session.id}/days", data={"days-0-day_id": "x",
                                                                                 "days-0-part": "full"})
    assert response.status_code == 400


@pytest.mark.parametrize("status", list(SessionStatus))
def test_the_hub_offers_exactly_the_transitions_the_state_machine_allows(organiser_client, make_session, status):
    session = make_session(status=status, start=date.today() - timedelta(days=5), days=3,
                           registration_deadline=None)
    page = organiser_client.get(f"/manage/sessions/{session.id}").get_data(as_text=True)
    base = f"/manage/sessions/{session.id}/"
    offered = {action for action in ("publish", "reopen", "close", "complete", "cancel")
               if f'action="{base}{action}"' in page}
    expected = set()
    for target in lifecycle.allowed_targets(status):
        expected |= {SessionStatus.PUBLISHED: {"publish" if status == SessionStatus.DRAFT else "reopen"},
                     SessionStatus.CLOSED: {"close"}, SessionStatus.COMPLETED: {"complete"},
                     SessionStatus.CANCELLED: {"cancel"}}[target]
    assert offered == expected
