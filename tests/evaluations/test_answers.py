"""Answering: partners once, online, in their language, after the session; organisers from paper."""

from sqlalchemy import func, select

from registrations.demo import evaluations as demo_evaluations
from registrations.evaluations.questions import ensure_questions
from registrations.models import (
    EvaluationAnswer,
    EvaluationResponse,
    Participant,
    RegistrationState,
    ResponseSource,
    SessionStatus,
)
from registrations.transaction import run
from tests.admin.helpers import ended_session


def _responses(db):
    return db.session.scalar(select(func.count()).select_from(EvaluationResponse))


def _partner_session(db, make_session, make_registration, partner_user, **fields):
    session = ended_session(make_session, title_fr="Gestion d’une scène de crime",
                            title_vi="Quản lý hiện trường vụ án", **fields)
    participant = db.session.get(Participant, partner_user.participant_id)
    registration = make_registration(session, participant)
    return session, registration


def test_partner_answers_once_in_their_language(db, partner_client, partner_user, make_session, make_registration):
    session, registration = _partner_session(db, make_session, make_registration, partner_user)
    partner_user.locale = "vi"
    db.session.commit()
    listing = partner_client.get("/evaluations").get_data(as_text=True)
    assert "Quản lý hiện trường vụ án" in listing and f"/evaluations/{session.id}" in listing
    page = partner_client.get(f"/evaluations/{session.id}")
    assert page.status_code == 200
    assert "Chất lượng phiên dịch" in page.get_data(as_text=True)  # the questions in Vietnamese
    questions = run(ensure_questions, session)
    data = {f"q{q.id}": str(5 - n % 2) for n, q in enumerate(questions)}
    data[f"q{questions[-1].id}"] = ""  # left blank
    data["comment"] = "Nội dung thiết thực."
    response = partner_client.post(f"/evaluations/{session.id}", data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/evaluations"
    saved = db.session.scalar(select(EvaluationResponse))
    assert saved.registration_id == registration.id and saved.source == ResponseSource.WEB
    assert saved.locale == "vi" and saved.entered_by_id == partner_user.id and saved.comment == "Nội dung thiết thực."
    assert db.session.scalar(select(func.count()).select_from(EvaluationAnswer)) == len(questions) - 1

    again = partner_client.post(f"/evaluations/{session.id}", data=data)
    assert again.status_code == 409
    assert _responses(db) == 1
    assert partner_client.get(f"/evaluations/{session.id}").status_code == 200  # "already answered"


def test_not_before_the_session_has_ended(db, partner_client, partner_user, make_session, make_registration):
    session = make_session(status=SessionStatus.PUBLISHED)
    make_registration(session, db.session.get(Participant, partner_user.participant_id))
    assert partner_client.get(f"/evaluations/{session.id}").status_code == 409
    listing = partner_client.get("/evaluations").get_data(as_text=True)
    assert session.title_fr in listing and f"/evaluations/{session.id}" not in listing
    assert _responses(db) == 0


def test_only_approved_participants_of_the_session(db, partner_client, partner_kh_client, partner_user, make_session,
                                                   make_registration):
    session, _ = _partner_session(db, make_session, make_registration, partner_user)
    assert partner_kh_client.get(f"/evaluations/{session.id}").status_code == 404  # not theirs
    assert partner_kh_client.post(f"/evaluations/{session.id}", data={"comment": "x"}).status_code == 404
    waitlisted = ended_session(make_session)
    make_registration(waitlisted, db.session.get(Participant, partner_user.participant_id),
                      state=RegistrationState.WAITLISTED)
    assert partner_client.get(f"/evaluations/{waitlisted.id}").status_code == 404
    assert partner_client.get("/evaluations/999999").status_code == 404
    assert _responses(db) == 0


def test_bad_answers_are_refused_without_writing(db, partner_client, partner_user, make_session, make_registration):
    session, _ = _partner_session(db, make_session, make_registration, partner_user)
    questions = run(ensure_questions, session)
    for data in ({f"q{questions[0].id}": "9"}, {f"q{questions[0].id}": "abc"}, {},
                 {"comment": "x" * 5001}):
        assert partner_client.post(f"/evaluations/{session.id}", data=data).status_code == 400
    assert _responses(db) == 0


def test_organisers_and_admins_do_not_answer_online(organiser_client, make_session):
    session = ended_session(make_session)
    assert organiser_client.get(f"/evaluations/{session.id}").status_code == 403
    assert organiser_client.get("/evaluations").status_code == 403


def test_paper_forms_for_any_approved_participant(db, organiser_client, organiser_user, make_session,
                                                  make_registration, make_participant):
    session = ended_session(make_session)
    questions = run(ensure_questions, session)
    first = make_registration(session, make_participant(name_latin="Sok Vanna", locale="km"))
    second = make_registration(session, make_participant(name_latin="Bounmy Sisavath"))
    make_registration(session, make_participant(name_latin="Rejected Person"), state=RegistrationState.REJECTED)
    page = organiser_client.get(f"/manage/sessions/{session.id}/evaluation/paper").get_data(as_text=True)
    assert "Sok Vanna" in page and "Bounmy Sisavath" in page and "Rejected Person" not in page
    data = {"registration": str(first.id), f"q{questions[0].id}": "4", "comment": "Formulaire papier"}
    response = organiser_client.post(f"/manage/sessions/{session.id}/evaluation/paper", data=data)
    assert response.status_code == 302
    saved = db.session.scalar(select(EvaluationResponse))
    assert saved.source == ResponseSource.PAPER and saved.entered_by_id == organiser_user.id
    assert saved.locale == "km"
    page = organiser_client.get(f"/manage/sessions/{session.id}/evaluation/paper").get_data(as_text=True)
    assert "Sok Vanna" not in page and "Bounmy Sisavath" in page
    assert organiser_client.post(f"/manage/sessions/{session.id}/evaluation/paper", data=data).status_code == 400
    assert _responses(db) == 1
    other = ended_session(make_session)
    foreign = organiser_client.post(f"/manage/sessions/{other.id}/evaluation/paper",
                                    data={**data, "registration": str(second.id)})
    assert foreign.status_code == 400
    assert _responses(db) == 1


def test_paper_forms_wait_for_the_end_of_the_session(organiser_client, make_session):
    session = make_session(status=SessionStatus.PUBLISHED)
    assert organiser_client.get(f"/manage/sessions/{session.id}/evaluation/paper").status_code == 409


def test_demo_step_answers_ended_sessions_once(db, make_session, make_registration, make_participant,
                                               make_user, partner_user, organiser_user):
    session, _ = _partner_session(db, make_session, make_registration, partner_user, ago=30)
    for _ in range(3):
        make_registration(session, make_participant())
    # The partner's last ended session keeps its questionnaire open for them to answer.
    latest = ended_session(make_session, ago=5)
    kept_open = make_registration(latest, db.session.get(Participant, partner_user.participant_id))
    make_session(status=SessionStatus.PUBLISHED)  # not over: left alone
    first = demo_evaluations.seed()
    assert first == {"questionnaires": 2, "evaluations": 4}
    sources = set(db.session.scalars(select(EvaluationResponse.source)))
    assert sources == {ResponseSource.WEB, ResponseSource.PAPER}
    assert kept_open.id not in set(db.session.scalars(select(EvaluationResponse.registration_id)))
    assert demo_evaluations.seed() == {"questionnaires": 0, "evaluations": 0}
    assert _responses(db) == 4
