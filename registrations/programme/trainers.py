"""Trainers and interpreters: people of the office's programme, with the sessions they taught.

Their page is public, like the timetables that name them: name in both scripts, role, language
pairs, biography and the sessions anyone may see (published, closed or completed) they teach in.
An inactive person's page is shown to the office only.
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from registrations import audit
from registrations.extensions import db
from registrations.models import SessionStatus, TimetableItem, Trainer, TrainerRole, TrainingSession
from registrations.models.sessions import CONTENT_LOCALES
from registrations.programme.services import ProgrammeError

#: Sessions a trainer's public page lists (as the catalogue and archive show them).
PUBLIC_STATUSES = (SessionStatus.PUBLISHED, SessionStatus.CLOSED, SessionStatus.COMPLETED)


@dataclass
class TrainerValues:
    name_latin: str
    name_native: str = ""
    role: TrainerRole = TrainerRole.TRAINER
    #: Pairs as "fr-vi"; a trainer may give a single language ("fr").
    language_pairs: list[str] = field(default_factory=list)
    bios: dict[str, str] = field(default_factory=dict)
    active: bool = True


def _summary(trainer: Trainer) -> dict:
    return {"name": trainer.name_latin, "role": trainer.role.value, "languages": trainer.language_pairs,
            "active": trainer.active}


def save_trainer(trainer_id: int | None, values: TrainerValues, *, actor=None) -> Trainer:
    """Create (`trainer_id` None) or change a trainer or interpreter."""
    if not values.name_latin.strip():
        raise ProgrammeError(_l("Give the person's name."), 400, "name_latin")
    if values.role == TrainerRole.INTERPRETER and not any("-" in pair for pair in values.language_pairs):
        raise ProgrammeError(_l("Give an interpreter at least one language pair, such as fr-vi."), 400,
                             "language_pairs")
    if trainer_id is None:
        trainer, before = Trainer(), None
        db.session.add(trainer)
    else:
        trainer = db.session.get(Trainer, trainer_id)
        if trainer is None:
            raise ProgrammeError(_l("This person does not exist."), 404)
        before = _summary(trainer)
    trainer.name_latin = values.name_latin.strip()
    trainer.name_native = values.name_native.strip()
    trainer.role = values.role
    trainer.language_pairs = ",".join(dict.fromkeys(values.language_pairs))
    for code in CONTENT_LOCALES:
        setattr(trainer, f"bio_{code}", (values.bios.get(code) or "").strip())
    trainer.active = values.active
    db.session.flush()
    audit.record("trainer.edit" if before else "trainer.create", trainer, actor=actor, before=before,
                 after=_summary(trainer))
    return trainer


def sessions_taught(trainer_id: int, *, public_only: bool) -> list[TrainingSession]:
    """The sessions whose timetable names this person, latest first."""
    taught = (select(TimetableItem.session_id)
              .join(TimetableItem.trainers).where(Trainer.id == trainer_id))
    statement = (select(TrainingSession).where(TrainingSession.id.in_(taught))
                 .order_by(TrainingSession.start_date.desc(), TrainingSession.id.desc()))
    if public_only:
        statement = statement.where(TrainingSession.status.in_(PUBLIC_STATUSES))
    return list(db.session.scalars(statement))


def active_trainers() -> list[Trainer]:
    return list(db.session.scalars(select(Trainer).where(Trainer.active)
                                   .order_by(Trainer.role, Trainer.name_latin)))
