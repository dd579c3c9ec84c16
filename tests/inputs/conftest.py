"""Fixtures for the input tests: a small world with one of everything a URL can name."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from registrations.enrolment import answer_files
from registrations.models import (
    Attendance,
    AttendanceStatus,
    Participant,
    QuestionKind,
    RegistrationAnswer,
    RegistrationQuestion,
    Role,
    SessionDay,
    SessionStatus,
    WebhookEndpoint,
)


def _png_tail() -> bytes:
    """The bytes of a small PNG after its signature (an answer file of the world)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG")
    return out.getvalue()[8:]


@dataclass
class World:
    """Ids of real objects, so that generated URLs reach real pages, not only 404s."""

    ids: dict
    users: dict


@pytest.fixture
def world(app, db, make_agency, make_user, make_session, make_registration, make_participant):
    """An office, an admin, an organiser, two partners of different agencies, an upcoming
    session with a registration, and an ended one with attendance and a certificate."""
    from registrations.certificates import services as certificates
    from registrations.transaction import run

    office = make_agency("FR", code="FR-OFFICE", name="Service de sécurité intérieure")
    vn = make_agency("VN", code="VN-MPS", name="Bộ Công an")
    kh = make_agency("KH", code="KH-CNP", name="Police nationale cambodgienne")
    users = {
        "admin": make_user(Role.ADMIN, agency=office, email="admin@example.test"),
        "organiser": make_user(Role.ORGANISER, agency=office, email="organiser@example.test"),
        "partner": make_user(Role.PARTNER, agency=vn, email="partner.vn@example.test",
                             display_name="Nguyễn Thị Hương"),
        "partner_kh": make_user(Role.PARTNER, agency=kh, email="partner.kh@example.test",
                                display_name="Sok Pich"),
    }
    upcoming = make_session(days=2, city="Phnom Penh", country="KH", serial_prefix="PNH")  # abroad for VN
    registration = make_registration(upcoming, db.session.get(Participant, users["partner"].participant_id))
    ended = make_session(days=2, start=date.today() - timedelta(days=20), status=SessionStatus.COMPLETED)
    attendee = make_registration(ended, make_participant(vn, name_latin="Trần Văn Nam"))
    days = db.session.scalars(select(SessionDay).where(SessionDay.session_id == ended.id)).all()
    for day in days:
        db.session.add(Attendance(registration_id=attendee.id, day_id=day.id, status=AttendanceStatus.PRESENT))
    db.session.commit()
    certificate, _ = run(certificates.issue, attendee.id)
    db.session.commit()
    question = RegistrationQuestion(session_id=upcoming.id, kind=QuestionKind.FILE, label_fr="Copie du passeport")
    db.session.add(question)
    db.session.flush()
    key = answer_files.save(db.session(), upcoming.id, answer_files.check(
        b"\x89PNG\r\n\x1a\n" + _png_tail(), "passport.png"))
    db.session.add(RegistrationAnswer(registration_id=registration.id, question_id=question.id, file_key=key,
                                      file_name="passport.png", file_type="image/png", file_size=1))
    db.session.commit()
    endpoint = WebhookEndpoint(url="https://hooks.example.org/training", secret="whsec_" + "A" * 32,
                               events="registration.created", active=False)  # a page to walk; sends nothing
    db.session.add(endpoint)
    db.session.commit()
    programme = _programme(db, upcoming)
    ids = {
        "session_id": upcoming.id, "ended_session_id": ended.id, "registration_id": registration.id,
        "attendee_id": attendee.id, "certificate_id": certificate.id, "day_id": days[0].id,
        "agency_id": vn.id, "user_id": users["partner"].id, "participant_id": users["partner"].participant_id,
        "code": certificate.code, "question_id": question.id, "endpoint_id": endpoint.id, **programme,
    }
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == len(days)
    return World(ids=ids, users=users)


def _programme(db, session) -> dict:
    """A trainer, a timetable item with a material, and a signatory with both images."""
    from datetime import time

    from registrations.models import Trainer
    from registrations.programme.services import ItemValues, add_item, add_material
    from registrations.signatories.services import SignatoryValues, save_signatory
    from tests.programme.conftest import pdf_bytes, png_bytes

    trainer = Trainer(name_latin="Claire Martin", language_pairs="fr")
    db.session.add(trainer)
    db.session.flush()
    day = db.session.scalar(select(SessionDay.id).where(SessionDay.session_id == session.id).limit(1))
    item = add_item(session.id, ItemValues(day_id=day, starts_at=time(9), ends_at=time(10), titles={"fr": "Cours"},
                                           trainer_ids=[trainer.id]))
    material = add_material(item.id, "fiche.pdf", pdf_bytes())
    signatory = save_signatory(None, SignatoryValues("Jean-Pierre Durand", {"fr": "Attaché"}, signature=png_bytes(),
                                                     stamp=png_bytes()))
    db.session.commit()
    return {"trainer_id": trainer.id, "item_id": item.id, "material_id": material.id, "signatory_id": signatory.id}


@pytest.fixture
def clients(app, world):
    """A test client per role (anonymous included)."""
    return {"anonymous": app.test_client(),
            **{role: app.test_client().login_as(user) for role, user in world.users.items()}}
