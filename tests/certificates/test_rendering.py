"""Certificates are drawn once, when issued (in parallel for a whole session), then served as stored."""

from sqlalchemy import func, select

from registrations.certificates import rendering
from registrations.certificates.services import issue, issue_all
from registrations.models import Certificate
from registrations.transaction import run

from .pdf import pdf_text


def test_each_certificate_is_drawn_once_and_then_served_as_stored(app, db, organiser_client, ended_session,
                                                                  attendee, monkeypatch):
    app.config["CERTIFICATE_RENDER_PROCESSES"] = 1
    calls = []
    real = rendering.render
    monkeypatch.setattr(rendering, "render", lambda snapshot: calls.append(snapshot["serial"]) or real(snapshot))
    session = ended_session()
    for _ in range(6):
        attendee(session)
    created = run(issue_all, session.id)
    assert sorted(calls) == sorted(c.serial for c in created)
    assert db.session.scalar(select(func.count()).where(Certificate.pdf.is_not(None))) == 6
    calls.clear()
    assert run(issue_all, session.id) == []
    assert organiser_client.get(f"/certificates/{created[0].id}.pdf").status_code == 200
    zipped = organiser_client.get(f"/manage/sessions/{session.id}/certificates.zip")
    assert zipped.status_code == 200 and len(zipped.data) > 6 * 1000
    assert calls == []


def test_a_session_is_drawn_by_the_rendering_processes(app, db, ended_session, attendee):
    app.config["CERTIFICATE_RENDER_PROCESSES"] = 2
    session = ended_session(title_fr="Protection des mineurs")
    people = [attendee(session, name_latin=f"Person {n}", name_native="ເຂົ້າໜຽວ", locale="lo") for n in range(5)]
    created = run(issue_all, session.id)
    assert len(created) == len(people) >= rendering.MIN_BATCH
    for certificate in created:
        data = db.session.scalar(select(Certificate.pdf).where(Certificate.id == certificate.id))
        text = pdf_text(data)
        assert certificate.serial in text and "Protectiondesmineurs" in text and "ເຂົ້າໜຽວ" in text


def test_a_single_certificate_is_drawn_here(app, db, ended_session, attendee, monkeypatch):
    monkeypatch.setattr(rendering, "_get_pool", lambda: (_ for _ in ()).throw(AssertionError("no pool for one")))
    certificate = run(issue, attendee(ended_session()).id)[0]
    assert db.session.scalar(select(Certificate.pdf).where(Certificate.id == certificate.id)).startswith(b"%PDF-")
