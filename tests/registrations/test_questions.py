"""Per-session registration questions: managed by the office, answered on the forms, checked by a
service, shown to whom they should be, exported, and purged when sensitive."""

import io
from datetime import date, timedelta
from pathlib import Path

import pikepdf
import pytest
from PIL import Image
from sqlalchemy import func, select

from registrations.enrolment import answer_files
from registrations.enrolment.retention import purge_sensitive_answers
from registrations.models import (
    QuestionKind,
    QuestionVisibility,
    Registration,
    RegistrationAnswer,
    RegistrationQuestion,
)
from registrations.models import RegistrationState as S
from tests.registrations.conftest import counts

FORM = {"name_latin": "Nguyen Thi Huong", "name_native": "Nguyễn Thị Hương", "rank": "Trung tá",
        "unit": "Phòng Hợp tác song phương", "email": "huong@example.test", "locale": "vi"}


def pdf_bytes() -> bytes:
    out = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(out)
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "navy").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def answers_dir(app, tmp_path):
    app.config["ANSWER_FILES_PATH"] = str(tmp_path / "answers")
    return tmp_path / "answers"


@pytest.fixture
def asked(db, make_session):
    """A session whose form asks one question of each kind."""
    session = make_session()
    specs = [
        (QuestionKind.TEXT, "Numéro de passeport", "Passport number", True, QuestionVisibility.OFFICE, True, ""),
        (QuestionKind.CHOICE, "Régime alimentaire", "Diet", True, QuestionVisibility.AGENCY, False,
         "Aucun\nVégétarien\nHalal"),
        (QuestionKind.YES_NO, "Besoin d’un hôtel ?", "", False, QuestionVisibility.AGENCY, False, ""),
        (QuestionKind.DATE, "Date d’arrivée", "Arrival date", False, QuestionVisibility.AGENCY, False, ""),
        (QuestionKind.NUMBER, "Nuits d’hôtel", "Hotel nights", False, QuestionVisibility.AGENCY, False, ""),
        (QuestionKind.FILE, "Copie du passeport", "Passport copy", True, QuestionVisibility.AGENCY, True, ""),
        (QuestionKind.FILE, "Habilitation", "Clearance", False, QuestionVisibility.OFFICE, False, ""),
    ]
    questions = []
    for position, (kind, fr, en, required, visibility, sensitive, choices) in enumerate(specs):
        question = RegistrationQuestion(session_id=session.id, position=position, kind=kind, label_fr=fr, label_en=en,
                                        required=required, visibility=visibility, sensitive=sensitive,
                                        choices=choices)
        db.session.add(question)
        questions.append(question)
    questions[0].label_km = "លេខលិខិតឆ្លងដែន"
    db.session.commit()
    return session, questions


def _answers(questions, **over):
    text, choice, yes_no, day, number, scan, clearance = questions
    data = {f"q{text.id}": "C1234567", f"q{choice.id}": "Halal", f"q{yes_no.id}": "yes",
            f"q{day.id}": "2026-03-02", f"q{number.id}": "3",
            f"q{scan.id}": (io.BytesIO(pdf_bytes()), "passeport.pdf"),
            f"q{clearance.id}": (io.BytesIO(png_bytes()), "habilitation.png")}
    data.update(over)
    return {**FORM, **data}


def test_organiser_adds_edits_and_removes_questions(db, organiser_client, make_session):
    session = make_session()
    page = organiser_client.get(f"/manage/sessions/{session.id}/questions")
    assert page.status_code == 200
    added = organiser_client.post(f"/manage/sessions/{session.id}/questions", data={
        "kind": "choice", "label_fr": "Régime", "label_km": "របបអាហារ", "choices": "Aucun\nHalal\n\nHalal2",
        "required": "y", "visibility": "agency"})
    assert added.status_code == 302
    question = db.session.scalar(select(RegistrationQuestion))
    assert (question.kind, question.options, question.required, question.label_km) == (
        QuestionKind.CHOICE, ["Aucun", "Halal", "Halal2"], True, "របបអាហារ")
    refused = organiser_client.post(f"/manage/sessions/{session.id}/questions", data={
        "kind": "choice", "label_fr": "Une seule option", "choices": "Oui", "visibility": "agency"})
    assert refused.status_code == 400 and "au moins deux options" in refused.get_data(as_text=True)
    edited = organiser_client.post(f"/manage/sessions/{session.id}/questions/{question.id}", data={
        "kind": "text", "label_fr": "Régime alimentaire", "visibility": "office", "sensitive": "y"})
    assert edited.status_code == 302
    db.session.refresh(question)
    assert (question.kind, question.visibility, question.sensitive) == (
        QuestionKind.TEXT, QuestionVisibility.OFFICE, True)
    hub = organiser_client.get(f"/manage/sessions/{session.id}").get_data(as_text=True)
    assert f"/manage/sessions/{session.id}/questions" in hub
    removed = organiser_client.post(f"/manage/sessions/{session.id}/questions/{question.id}/delete")
    assert removed.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(RegistrationQuestion)) == 0


def test_partners_cannot_manage_questions(db, partner_client, make_session):
    session = make_session()
    assert partner_client.get(f"/manage/sessions/{session.id}/questions").status_code == 403


def test_the_form_asks_the_questions_in_the_readers_language(db, app, partner_user, asked):
    session, questions = asked
    client = app.test_client().login_as(partner_user)
    client.set_cookie("lang", "km")
    html = client.get(f"/sessions/{session.id}/register").get_data(as_text=True)
    assert "លេខលិខិតឆ្លងដែន" in html          # Khmer label
    assert "Diet" in html and "Régime alimentaire" not in html  # English before French
    assert "Besoin d’un hôtel ?" in html       # only in French
    assert 'enctype="multipart/form-data"' in html and 'type="date"' in html


def test_register_with_answers_and_a_file(db, partner_client, asked, answers_dir):
    session, questions = asked
    response = partner_client.post(f"/sessions/{session.id}/register", data=_answers(questions),
                                   content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    registration = db.session.scalar(select(Registration))
    given = {a.question_id: a for a in db.session.scalars(select(RegistrationAnswer))}
    text, choice, yes_no, day, number, scan, clearance = questions
    assert [given[q.id].value for q in (text, choice, yes_no, day, number)] == [
        "C1234567", "Halal", "yes", "2026-03-02", "3"]
    assert (given[scan.id].file_type, given[scan.id].file_name) == ("application/pdf", "passeport.pdf")
    stored = answers_dir / given[scan.id].file_key
    assert stored.read_bytes().startswith(b"%PDF-") and str(session.id) == stored.parent.name
    page = partner_client.get(f"/registrations/{registration.id}").get_data(as_text=True)
    assert "Halal" in page and "passeport.pdf" in page
    assert "C1234567" not in page and "habilitation.png" not in page  # office-only answers


@pytest.mark.parametrize("over, message", [
    ({"choice": "Poisson"}, "Choisissez une des options"),
    ({"day": "2026-02-30"}, "Saisissez une date"),
    ({"number": "trois"}, "Saisissez un nombre"),
    ({"yes_no": "peut-être"}, "Répondez oui ou non"),
    ({"text": ""}, "Cette réponse est obligatoire"),
    ({"scan": None}, "Cette réponse est obligatoire"),
    ({"scan": "png-named-pdf"}, None),
    ({"scan": "text"}, "Envoyez un fichier PDF, JPEG ou PNG"),
    ({"scan": "fake-pdf"}, "Envoyez un fichier PDF, JPEG ou PNG"),
    ({"scan": "big"}, "trop volumineux"),
])
def test_answers_that_do_not_fit_are_refused_and_nothing_is_written(db, app, partner_client, asked, answers_dir,
                                                                     over, message):
    session, questions = asked
    names = dict(zip(["text", "choice", "yes_no", "day", "number", "scan", "clearance"], questions, strict=True))
    data = _answers(questions)
    for name, value in over.items():
        key = f"q{names[name].id}"
        if value is None:
            data.pop(key)
        elif value == "png-named-pdf":
            data[key] = (io.BytesIO(png_bytes()), "passeport.pdf")  # by content: a PNG is accepted as a PNG
        elif value == "text":
            data[key] = (io.BytesIO(b"just text"), "passeport.pdf")
        elif value == "fake-pdf":
            data[key] = (io.BytesIO(b"%PDF-1.7 not really"), "passeport.pdf")
        elif value == "big":
            app.config["ANSWER_FILE_MAX_BYTES"] = 100
            data[key] = (io.BytesIO(pdf_bytes()), "passeport.pdf")
        else:
            data[key] = value
    before = counts(db)
    response = partner_client.post(f"/sessions/{session.id}/register", data=data, content_type="multipart/form-data")
    if message is None:
        assert response.status_code == 302
        answer = db.session.scalar(select(RegistrationAnswer).where(RegistrationAnswer.question_id == names["scan"].id))
        assert answer.file_type == "image/png" and answer.file_key.endswith(".png")
        return
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert counts(db) == before
    assert db.session.scalar(select(func.count()).select_from(RegistrationAnswer)) == 0
    assert not answers_dir.exists() or not any(p.is_file() for p in answers_dir.rglob("*"))


def test_answer_files_are_served_to_the_office_and_the_agency_only(db, app, partner_client, organiser_client,
                                                                   partner_kh_client, asked, answers_dir):
    session, questions = asked
    scan, clearance = questions[5], questions[6]
    assert partner_client.post(f"/sessions/{session.id}/register", data=_answers(questions),
                               content_type="multipart/form-data").status_code == 302
    registration = db.session.scalar(select(Registration))
    scan_url = f"/registrations/{registration.id}/answers/{scan.id}/file"
    clearance_url = f"/registrations/{registration.id}/answers/{clearance.id}/file"
    own = partner_client.get(scan_url)
    assert own.status_code == 200 and own.data.startswith(b"%PDF-") and own.mimetype == "application/pdf"
    assert "attachment" in own.headers["Content-Disposition"]
    assert partner_kh_client.get(scan_url).status_code == 404      # another agency
    assert partner_client.get(clearance_url).status_code == 404    # office only
    assert organiser_client.get(clearance_url).data.startswith(b"\x89PNG")
    assert app.test_client().get(scan_url).status_code == 302       # anonymous: log in


def test_answers_appear_in_the_organisers_list_and_exports(db, partner_client, organiser_client, asked, answers_dir):
    session, questions = asked
    partner_client.post(f"/sessions/{session.id}/register", data=_answers(questions),
                        content_type="multipart/form-data")
    page = organiser_client.get(f"/manage/sessions/{session.id}/registrations").get_data(as_text=True)
    assert "C1234567" in page and "Halal" in page and "passeport.pdf" in page
    csv = organiser_client.get(f"/manage/sessions/{session.id}/registrations.csv").data.decode("utf-8-sig")
    header, row = csv.splitlines()[:2]
    assert "Numéro de passeport" in header and "Copie du passeport" in header
    assert "C1234567" in row and "Halal" in row and "oui" in row and "passeport.pdf" in row
    xlsx = organiser_client.get(f"/manage/sessions/{session.id}/registrations.xlsx")
    from openpyxl import load_workbook
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert "Nuits d’hôtel" in [c.value for c in sheet[1]] and "3" in [c.value for c in sheet[2]]


def test_sensitive_answers_are_purged_days_after_the_session(db, app, make_session, make_registration, answers_dir):
    ended = make_session(start=date.today() - timedelta(days=40), days=2)
    recent = make_session(start=date.today() - timedelta(days=5), days=2)
    stored = []
    for session in (ended, recent):
        passport = RegistrationQuestion(session_id=session.id, kind=QuestionKind.TEXT, label_fr="Passeport",
                                        sensitive=True)
        scan = RegistrationQuestion(session_id=session.id, kind=QuestionKind.FILE, label_fr="Copie", sensitive=True)
        diet = RegistrationQuestion(session_id=session.id, kind=QuestionKind.TEXT, label_fr="Régime")
        db.session.add_all([passport, scan, diet])
        db.session.commit()
        registration = make_registration(session)
        key = answer_files.save(db.session(), session.id, answer_files.check(pdf_bytes(), "p.pdf"))
        db.session.add_all([
            RegistrationAnswer(registration_id=registration.id, question_id=passport.id, value="C1234567"),
            RegistrationAnswer(registration_id=registration.id, question_id=scan.id, file_key=key, file_name="p.pdf",
                               file_type="application/pdf", file_size=10),
            RegistrationAnswer(registration_id=registration.id, question_id=diet.id, value="Halal")])
        db.session.commit()
        stored.append(Path(app.config["ANSWER_FILES_PATH"]) / key)
    app.config["SENSITIVE_ANSWER_DAYS"] = 30
    from registrations.messages.retention import purge_all
    assert purge_all()["sensitive_answers_erased"] == 2
    values = [(a.registration_id, a.value, a.file_key, a.purged_at is not None)
              for a in db.session.scalars(select(RegistrationAnswer))]
    assert sum(1 for v in values if v[3]) == 2
    assert ("C1234567" in {v[1] for v in values}) and ("Halal" in {v[1] for v in values})
    assert not stored[0].exists() and stored[1].exists()
    assert purge_sensitive_answers(30) == 0
    db.session.commit()


def test_partner_edits_a_pending_nomination_with_its_answers(db, app, partner_client, partner_kh_client, asked,
                                                             answers_dir, make_participant, vn_agency):
    session, questions = asked
    colleague = make_participant(vn_agency, name_latin="Tran Van Minh", rank="Thượng tá", unit="Phòng",
                                 email="minh@example.test")
    data = _answers(questions, participant_id=str(colleague.id))
    assert partner_client.post(f"/sessions/{session.id}/nominate", data=data,
                               content_type="multipart/form-data").status_code == 302
    registration = db.session.scalar(select(Registration))
    assert registration.state == S.PENDING
    url = f"/registrations/{registration.id}/edit"
    form = partner_client.get(url)
    assert form.status_code == 200 and 'value="C1234567"' in form.get_data(as_text=True)
    assert partner_kh_client.get(url).status_code == 404
    old_file = answers_dir / db.session.scalar(select(RegistrationAnswer.file_key).where(
        RegistrationAnswer.question_id == questions[5].id))
    changed = {**FORM, "name_latin": "Tran Van Minh", "email": "minh@example.test", "needs_diet": "Sans gluten",
               f"q{questions[0].id}": "N7654321", f"q{questions[1].id}": "Végétarien",
               f"q{questions[5].id}": (io.BytesIO(png_bytes()), "scan.png")}
    assert partner_client.post(url, data=changed, content_type="multipart/form-data").status_code == 302
    given = {a.question_id: a for a in db.session.scalars(select(RegistrationAnswer))}
    assert given[questions[0].id].value == "N7654321" and given[questions[1].id].value == "Végétarien"
    assert questions[3].id not in given   # emptied on the form: the answer is gone
    assert given[questions[5].id].file_name == "scan.png" and not old_file.exists()
    db.session.refresh(registration)
    assert registration.needs_diet == "Sans gluten"
    # A required file already sent need not be sent again; a bad answer changes nothing.
    bad = {**changed, f"q{questions[1].id}": "Poisson"}
    bad.pop(f"q{questions[5].id}")
    assert partner_client.post(url, data=bad, content_type="multipart/form-data").status_code == 400
    assert db.session.get(RegistrationAnswer, given[questions[1].id].id).value == "Végétarien"
    registration.state = S.APPROVED
    db.session.commit()
    assert partner_client.get(url).status_code == 409


def test_the_nominate_list_marks_colleagues_already_registered(db, partner_client, make_session, make_participant,
                                                              make_registration, vn_agency):
    session = make_session()
    registered = make_participant(vn_agency, name_latin="Le Thi Mai")
    make_participant(vn_agency, name_latin="Pham Quoc Bao")
    make_registration(session, registered, state=S.PENDING)
    html = partner_client.get(f"/sessions/{session.id}/nominate").get_data(as_text=True)
    assert "Le Thi Mai (déjà inscrit\u202f: En attente)" in html
    assert 'data-testid="already-registered"' in html
    assert "Pham Quoc Bao (" not in html


def test_anonymising_a_participant_erases_their_answers_and_files(db, app, make_session, make_registration,
                                                                   answers_dir):
    from registrations.admin.personal_data import anonymise

    session = make_session()
    question = RegistrationQuestion(session_id=session.id, kind=QuestionKind.FILE, label_fr="Copie")
    db.session.add(question)
    db.session.commit()
    registration = make_registration(session)
    key = answer_files.save(db.session(), session.id, answer_files.check(png_bytes(), "p.png"))
    db.session.add(RegistrationAnswer(registration_id=registration.id, question_id=question.id, file_key=key,
                                      file_name="p.png", file_type="image/png", file_size=10))
    db.session.commit()
    assert (answers_dir / key).exists()
    anonymise([registration.participant_id])
    answer = db.session.scalar(select(RegistrationAnswer))
    assert (answer.file_key, answer.file_name) == ("", "") and answer.purged_at is not None
    assert not (answers_dir / key).exists()


def test_the_organisers_list_with_answers_costs_the_same_queries_for_3_or_12_rows(db, organiser_client, asked,
                                                                               make_registration):
    import sqlalchemy as sa

    session, questions = asked

    def add(n):
        for _ in range(n):
            registration = make_registration(session, state=S.PENDING)
            db.session.add_all([RegistrationAnswer(registration_id=registration.id, question_id=q.id, value="x")
                                for q in questions[:5]])
        db.session.commit()

    def measure() -> int:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            page = organiser_client.get(f"/manage/sessions/{session.id}/registrations")
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        assert page.status_code == 200
        return len(statements), page.get_data(as_text=True).count("Halal") + page.get_data(as_text=True).count(">x<")

    add(3)
    small, shown_small = measure()
    add(9)
    large, shown_large = measure()
    assert small == large and shown_large > shown_small
