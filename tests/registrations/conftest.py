"""Fixtures of the registration tests: partner agencies with colleagues, sessions, a live server."""

import threading

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from registrations.enrolment import services
from registrations.enrolment.people import PersonDetails
from registrations.enrolment.services import RegistrationRequest
from registrations.models import AuditEvent, Participant, Registration, RegistrationState, Role
from registrations.transaction import run


@pytest.fixture
def vn_agency(partner_user, db):
    return partner_user.agency


@pytest.fixture
def kh_agency(partner_kh_user):
    return partner_kh_user.agency


@pytest.fixture
def colleagues(make_participant, vn_agency):
    """Three Vietnamese colleagues of the partner, with accented names."""
    return [
        make_participant(vn_agency, name_latin="Trần Văn Minh", name_native="Trần Văn Minh", rank="Thượng tá",
                         unit="Phòng Hợp tác", locale="vi"),
        make_participant(vn_agency, name_latin="Lê Thị Mai", rank="Thiếu tá", unit="Phòng Đào tạo", locale="vi"),
        make_participant(vn_agency, name_latin="Phạm Quốc Bảo", rank="Trung tá", unit="Xuất nhập cảnh", locale="fr"),
    ]


@pytest.fixture
def organiser(organiser_user):
    return organiser_user


def person(**fields) -> PersonDetails:
    """Details of a new participant, as a partner would enter them."""
    fields.setdefault("name_latin", "Đỗ Thanh Tùng")
    fields.setdefault("email", "do.thanh.tung@example.test")
    fields.setdefault("rank", "Đại úy")
    fields.setdefault("unit", "Phòng Kỹ thuật hình sự")
    fields.setdefault("locale", "vi")
    return PersonDetails(**fields)


def counts(db) -> dict:
    """How many rows the registration domain holds (to prove that nothing was written)."""
    return {
        "registrations": db.session.scalar(select(func.count()).select_from(Registration)),
        "participants": db.session.scalar(select(func.count()).select_from(Participant)),
        "audit": db.session.scalar(select(func.count()).select_from(AuditEvent)
                                   .where(AuditEvent.action.like("registration.%"))),
    }


def states(db, session_id: int) -> list[tuple[int, RegistrationState]]:
    return list(db.session.execute(select(Registration.id, Registration.state)
                                   .where(Registration.session_id == session_id).order_by(Registration.id)))


def approved_count(db, session_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.session_id == session_id, Registration.state == RegistrationState.APPROVED))


@pytest.fixture
def http_server(app):
    """The app served on 127.0.0.1 in threads (each request with its own database session)."""
    app.config["RATELIMIT_ENABLED"] = False
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


__all__ = ["Role", "person", "counts", "states", "approved_count"]


def register(session_id: int, *, actor=None, now=None, **request) -> Registration:
    """Register as the views do: one unit of work (`services.register` with a request)."""
    return run(services.register, session_id, RegistrationRequest(**request), actor=actor, now=now)
