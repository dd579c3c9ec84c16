"""Fixtures of the programme tests: trainers, timetable items, files of each type."""

import io
import zipfile
from datetime import time

import pytest
from PIL import Image
from sqlalchemy import select

from registrations.models import SessionDay, Trainer, TrainerRole


@pytest.fixture
def make_trainer(db):
    def make(name: str = "Claire Martin", role: TrainerRole = TrainerRole.TRAINER, **fields) -> Trainer:
        fields.setdefault("language_pairs", "fr-vi" if role == TrainerRole.INTERPRETER else "fr")
        trainer = Trainer(name_latin=name, role=role, **fields)
        db.session.add(trainer)
        db.session.commit()
        return trainer

    return make


@pytest.fixture
def days_of(db):
    def days(session) -> list[SessionDay]:
        return list(db.session.scalars(select(SessionDay).where(SessionDay.session_id == session.id)
                                       .order_by(SessionDay.date)))

    return days


@pytest.fixture
def make_item(db, days_of):
    """Add a timetable item through the service (committed): make_item(session, day=0, start=(9, 0), …)."""
    from registrations.programme.services import ItemValues, add_item

    def make(session, day: int = 0, start=(9, 0), end=(10, 0), title="Cours", trainers=(), **fields):
        values = ItemValues(day_id=days_of(session)[day].id, starts_at=time(*start), ends_at=time(*end),
                            titles={"fr": title, **fields.pop("titles", {})}, trainer_ids=[t.id for t in trainers],
                            **fields)
        item = add_item(session.id, values)
        db.session.commit()
        return item

    return make


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_bytes(size=(60, 20), color=(20, 30, 120, 255)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_bytes(size=(60, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 20, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


def pptx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("ppt/presentation.xml", "<p/>")
    return buffer.getvalue()
