"""Certificates drawn by the job worker: progress on the page, the ZIP prepared, e-mail on issue."""

import io
import zipfile

from sqlalchemy import func, select, update

from registrations.models import Certificate, Message, MessageState, TrainingSession


def test_issuing_all_leaves_the_drawing_to_a_job_and_the_progress_says_when_it_is_done(
        db, organiser_client, ended_session, attendee):
    session = ended_session()
    for _ in range(3):
        attendee(session)
    response = organiser_client.post(f"/manage/sessions/{session.id}/certificates/issue-all")
    assert response.status_code == 302
    status = organiser_client.get(f"/manage/sessions/{session.id}/certificates/progress.json").get_json()
    assert status == {"total": 3, "done": 3, "percent": 100, "finished": True,
                      "zip_url": f"/manage/sessions/{session.id}/certificates.zip"}
    page = organiser_client.get(f"/manage/sessions/{session.id}/certificates").get_data(as_text=True)
    assert 'id="pdf-progress"' in page and "js/certificates.js" in page and "<progress" not in page


def test_a_session_whose_pdfs_were_never_stored_is_prepared_in_the_background(
        db, organiser_client, ended_session, attendee):
    session = ended_session()
    for _ in range(2):
        attendee(session)
    organiser_client.post(f"/manage/sessions/{session.id}/certificates/issue-all")
    db.session.execute(update(Certificate).values(pdf=None))
    db.session.commit()
    url = f"/manage/sessions/{session.id}/certificates/progress.json"
    assert organiser_client.get(url).get_json()["done"] == 0
    page = organiser_client.get(f"/manage/sessions/{session.id}/certificates").get_data(as_text=True)
    assert "<progress" in page and 'max="2"' in page and 'value="0"' in page
    assert organiser_client.post(f"/manage/sessions/{session.id}/certificates/prepare").status_code == 302
    assert organiser_client.get(url).get_json()["finished"] is True
    assert organiser_client.post(f"/manage/sessions/{session.id}/certificates/prepare", csrf=False).status_code == 400


def test_certificates_are_emailed_on_issue_when_the_session_asks_for_it(
        db, organiser_client, partner_client, ended_session, attendee, outbox):
    session = ended_session()
    attendee(session, locale="vi")
    response = organiser_client.post(f"/manage/sessions/{session.id}/certificates/email-choice",
                                     data={"email_certificates": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(TrainingSession, session.id).email_certificates is True
    assert partner_client.post(f"/manage/sessions/{session.id}/certificates/email-choice",
                               data={"email_certificates": "0"}).status_code == 403
    organiser_client.post(f"/manage/sessions/{session.id}/certificates/issue-all")
    db.session.expire_all()
    certificate = db.session.scalar(select(Certificate))
    [message] = [m for m in outbox if m.attachments]
    assert message.locale == "vi" and certificate.serial in message.body
    [(filename, content_type, data)] = message.attachments
    assert filename == f"{certificate.serial}.pdf" and content_type == "application/pdf"
    assert data.startswith(b"%PDF")
    row = db.session.scalar(select(Message).where(Message.object_type == "certificate"))
    assert row.object_id == certificate.id and row.state == MessageState.SENT


def test_without_the_choice_nobody_is_emailed_a_certificate(db, organiser_client, ended_session, attendee, outbox):
    session = ended_session()
    attendee(session)
    organiser_client.post(f"/manage/sessions/{session.id}/certificates/issue-all")
    assert [m for m in outbox if m.attachments] == []


def test_the_zip_asked_for_before_its_pdfs_are_drawn_says_it_is_being_prepared(
        db, organiser_client, ended_session, attendee, monkeypatch):
    """The request draws no PDF: it enqueues the job and answers at once with a translated page."""
    from registrations import tasks
    from registrations.certificates import downloads, facts

    session = ended_session()
    for _ in range(3):
        attendee(session)
    organiser_client.post(f"/manage/sessions/{session.id}/certificates/issue-all")
    db.session.execute(update(Certificate).values(pdf=None))
    db.session.commit()
    enqueued, drawn = [], []
    real_render = facts.render
    monkeypatch.setattr(tasks, "store_session_pdfs", enqueued.append)  # a worker that is busy
    monkeypatch.setattr(downloads, "render", lambda snapshot: drawn.append(snapshot) or real_render(snapshot))
    url = f"/manage/sessions/{session.id}/certificates.zip"
    response = organiser_client.get(url, headers={"Accept-Language": "fr"})
    assert response.status_code == 202 and response.mimetype == "text/html"
    assert response.headers["Retry-After"] == "10"
    page = response.get_data(as_text=True)
    assert "Le ZIP est en préparation" in page and "0 attestation(s) produite(s) sur 3" in page
    assert enqueued == [session.id] and drawn == []
    monkeypatch.undo()  # the worker is free again: the job the request enqueues draws them
    ready = organiser_client.get(url)
    assert ready.status_code == 200 and ready.mimetype == "application/zip"
    assert len(zipfile.ZipFile(io.BytesIO(ready.data)).namelist()) == 3
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(Certificate.pdf.is_(None))) == 0
