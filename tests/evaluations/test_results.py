"""Results per session (rate, distribution, mean, comments) and the comparison across sessions."""

import re

from registrations.evaluations.questions import ensure_questions
from registrations.evaluations.services import compare_sessions, session_results
from registrations.models import RegistrationState, ResponseSource
from registrations.transaction import run
from tests.admin.helpers import answer, ended_session


def _session_with_answers(db, make_session, make_registration, scores_per_person, approved_without_answer=1,
                          **fields):
    session = ended_session(make_session, **fields)
    questions = run(ensure_questions, session)
    for n, scores in enumerate(scores_per_person):
        registration = make_registration(session)
        answer(db, registration, dict(zip(questions, scores, strict=False)), comment=f"Commentaire {n}" if n else "",
               source=ResponseSource.PAPER if n % 2 else ResponseSource.WEB)
    for _ in range(approved_without_answer):
        make_registration(session)
    make_registration(session, state=RegistrationState.REJECTED)
    return session, questions


def test_session_results(db, make_session, make_registration):
    session, questions = _session_with_answers(db, make_session, make_registration,
                                               [[5, 4, 3], [4, 4], [3, 2, 5, 1]])
    results = session_results(session)
    assert (results.approved, results.responses) == (4, 3)
    assert results.response_rate == 0.75
    assert results.by_source == {"web": 2, "paper": 1}
    overall, relevance, trainers, organisation, interpretation = results.questions
    assert overall.counts == {1: 0, 2: 0, 3: 1, 4: 1, 5: 1} and overall.mean == 4.0
    assert relevance.mean == 10 / 3
    assert trainers.answered == 2 and trainers.mean == 4.0
    assert interpretation.answered == 0 and interpretation.mean is None
    assert [c for c, _ in results.comments] == ["Commentaire 1", "Commentaire 2"]


def test_results_page_draws_accessible_charts(db, organiser_client, make_session, make_registration, count_queries):
    session, _ = _session_with_answers(db, make_session, make_registration, [[5, 4], [4, 4], [2, 5]])
    with count_queries() as queries:
        response = organiser_client.get(f"/manage/sessions/{session.id}/evaluation")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'data-testid="response-rate">75 %' in page
    assert page.count('role="img"') == 2  # one chart per question answered at least once
    assert re.search(r"<title id=\"chart-q\d+-title\">", page)
    assert "<desc id=" in page and 'width="66.7%"' in page  # 2 of 3 answers gave 4
    assert 'style="' not in page and "<script>" not in page
    assert "Commentaire 1" in page
    assert len(queries) <= 9


def test_results_page_query_count_does_not_grow(db, organiser_client, make_session, make_registration,
                                                count_queries):
    small, _ = _session_with_answers(db, make_session, make_registration, [[5, 4]] * 2)
    large, _ = _session_with_answers(db, make_session, make_registration, [[3, 2, 4, 5, 1]] * 25,
                                     capacity=30)
    organiser_client.get("/")  # the login is found valid under the office version once, before both
    with count_queries() as few:
        organiser_client.get(f"/manage/sessions/{small.id}/evaluation")
    with count_queries() as many:
        organiser_client.get(f"/manage/sessions/{large.id}/evaluation")
    assert len(few) == len(many)


def test_compare_sessions(db, organiser_client, make_session, make_registration):
    first, _ = _session_with_answers(db, make_session, make_registration, [[5, 5], [3, 5]], title_fr="Drogues")
    second, _ = _session_with_answers(db, make_session, make_registration, [[2, 4]], title_fr="Traite")
    sessions, rows, responses = compare_sessions([first.id, second.id], "fr")
    assert [s.id for s in sessions] == sorted([first.id, second.id], key=lambda i: (i != first.id))
    assert responses == {first.id: 2, second.id: 1}
    overall = rows[0]
    assert overall["means"] == {first.id: 4.0, second.id: 2.0}
    assert rows[1]["means"] == {first.id: 5.0, second.id: 4.0}
    page = organiser_client.get(f"/manage/evaluations/compare?session={first.id}&session={second.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Drogues" in text and "Traite" in text and "4,0" in text and "2,0" in text  # means in the reader's locale
    assert organiser_client.get("/manage/evaluations/compare?session=999999").status_code == 400
    assert organiser_client.get("/manage/evaluations/compare").status_code == 200


def test_results_of_a_session_without_answers_link_to_no_broken_comparison(organiser_client, make_session):
    session = make_session()
    html = organiser_client.get(f"/manage/sessions/{session.id}/evaluation").get_data(as_text=True)
    assert "/manage/evaluations/compare" not in html
