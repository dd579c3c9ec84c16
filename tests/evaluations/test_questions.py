"""The questionnaire: defaults on first use, edits by organisers, locked once it matters."""

import pytest
from sqlalchemy import select

from registrations.evaluations.questions import (
    DEFAULT_QUESTIONS,
    EvaluationError,
    QuestionInput,
    ensure_questions,
    save_questions,
)
from registrations.models import AuditEvent, EvaluationQuestion, SessionStatus
from registrations.transaction import run
from tests.admin.helpers import answer, ended_session


def _form(questions, **extra):
    """The editor's POST data for these questions, in order, plus overrides."""
    data = {}
    for index, question in enumerate(questions):
        data[f"questions-{index}-id"] = str(question.id)
        data[f"questions-{index}-position"] = str(index + 1)
        for locale in ("fr", "en", "vi", "km", "lo"):
            data[f"questions-{index}-text_{locale}"] = getattr(question, f"text_{locale}")
    data.update(extra)
    return data


def test_default_questionnaire_on_first_use(db, make_session):
    session = make_session()
    questions = run(ensure_questions, session)
    assert [q.code for q in questions] == [code for code, _ in DEFAULT_QUESTIONS]
    assert all(q.text_fr and q.text_en and q.text_vi and q.text_km and q.text_lo for q in questions)
    assert run(ensure_questions, session) == questions  # created once
    assert questions[2].localized("km") == "គុណភាពរបស់គ្រូបណ្ដុះបណ្ដាល និងវាគ្មិន"
    questions[2].text_lo = ""
    assert questions[2].localized("lo") == questions[2].text_fr  # falls back to French


def test_organiser_reorders_edits_adds_and_removes(db, organiser_client, organiser_user, make_session):
    session = make_session()
    questions = run(ensure_questions, session)
    page = organiser_client.get(f"/manage/sessions/{session.id}/evaluation/questions")
    assert page.status_code == 200 and "questions-5-text_fr" in page.get_data(as_text=True)
    data = _form(questions, **{
        "questions-0-position": "9",                                   # overall goes last
        "questions-1-text_fr": "Le contenu vous servira-t-il ?",       # reworded
        "questions-4-remove": "y",                                     # interpretation removed
        "questions-5-id": "", "questions-5-position": "2",             # a new question, second
        "questions-5-text_fr": "Les supports de cours", "questions-5-text_km": "ឯកសារសិក្សា",
    })
    response = organiser_client.post(f"/manage/sessions/{session.id}/evaluation/questions", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    saved = db.session.scalars(select(EvaluationQuestion).where(EvaluationQuestion.session_id == session.id)
                               .order_by(EvaluationQuestion.position)).all()
    assert [q.text_fr for q in saved] == [
        "Le contenu vous servira-t-il ?", "Les supports de cours", questions[2].text_fr, questions[3].text_fr,
        questions[0].text_fr]
    assert saved[1].text_km == "ឯកសារសិក្សា" and saved[1].localized("vi") == "Les supports de cours"
    assert [q.position for q in saved] == [1, 2, 3, 4, 5]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "evaluation.questions"))
    assert event.actor_id == organiser_user.id and len(event.after["questions"]) == 5


def test_french_text_is_required(db, organiser_client, make_session):
    session = make_session()
    questions = run(ensure_questions, session)
    response = organiser_client.post(f"/manage/sessions/{session.id}/evaluation/questions",
                                     data=_form(questions, **{"questions-0-text_fr": ""}))
    assert response.status_code == 400
    assert db.session.get(EvaluationQuestion, questions[0].id).text_fr == DEFAULT_QUESTIONS[0][1]["fr"]


def test_removing_every_question_is_refused(db, organiser_user, make_session):
    session = make_session()
    questions = run(ensure_questions, session)
    with pytest.raises(EvaluationError):
        run(save_questions, session, [QuestionInput(id=q.id, position=1, remove=True) for q in questions],
                       actor=organiser_user)


def test_locked_once_the_session_ended(db, organiser_client, make_session):
    session = ended_session(make_session)
    questions = run(ensure_questions, session)
    page = organiser_client.get(f"/manage/sessions/{session.id}/evaluation/questions").get_data(as_text=True)
    assert "questions-0-text_fr" not in page
    response = organiser_client.post(f"/manage/sessions/{session.id}/evaluation/questions",
                                     data=_form(questions, **{"questions-0-text_fr": "Changé"}))
    assert response.status_code == 409
    assert db.session.get(EvaluationQuestion, questions[0].id).text_fr != "Changé"


def test_locked_once_answers_exist(db, organiser_user, make_session, make_registration):
    session = make_session(status=SessionStatus.PUBLISHED)
    questions = run(ensure_questions, session)
    answer(db, make_registration(session), {questions[0]: 4})
    with pytest.raises(EvaluationError) as error:
        run(save_questions, session, [QuestionInput(id=questions[0].id, position=1, texts={"fr": "Autre"})],
                       actor=organiser_user)
    assert error.value.status == 409


def test_questions_belonging_to_another_session_are_refused(db, organiser_user, make_session):
    mine, other = make_session(), make_session()
    foreign = run(ensure_questions, other)[0]
    with pytest.raises(EvaluationError):
        run(save_questions, mine, [QuestionInput(id=foreign.id, position=1, texts={"fr": "Volée"})],
            actor=organiser_user)
    assert db.session.get(EvaluationQuestion, foreign.id).session_id == other.id


def test_partners_cannot_edit(partner_client, make_session):
    session = make_session()
    assert partner_client.get(f"/manage/sessions/{session.id}/evaluation/questions").status_code == 403
    assert partner_client.get(f"/manage/sessions/{session.id}/evaluation").status_code == 403
    assert partner_client.get("/manage/evaluations/compare").status_code == 403
