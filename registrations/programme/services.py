"""Timetable rules: items of a session's days, their order, trainers and materials.

Services change objects and flush; the edge (view, command, demo loader) commits through
`transaction.run`. Every change is audited.
"""

from dataclasses import dataclass, field
from datetime import time

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from registrations import audit
from registrations.extensions import db
from registrations.models import (
    Material,
    Registration,
    RegistrationState,
    SessionDay,
    SessionStatus,
    TimetableItem,
    Trainer,
    TrainingSession,
)
from registrations.models.sessions import CONTENT_LOCALES, day_order
from registrations.programme import storage


class ProgrammeError(Exception):
    """A programme rule was broken; `message` is translated, `status` the HTTP status to answer."""

    def __init__(self, message, status: int = 400, field_name: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.status = status
        self.field_name = field_name


@dataclass
class ItemValues:
    """What an organiser writes about one timetable item."""

    day_id: int
    starts_at: time
    ends_at: time
    titles: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    room: str = ""
    language: str = "fr"
    interpretation: list[str] = field(default_factory=list)
    trainer_ids: list[int] = field(default_factory=list)


def editable_session(session_id: int) -> TrainingSession:
    """The session, if its timetable may still change (not cancelled)."""
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        raise ProgrammeError(_l("This session does not exist."), 404)
    if session.status == SessionStatus.CANCELLED:
        raise ProgrammeError(_l("A cancelled session's programme can no longer be changed."), 409)
    return session


def _item(item_id: int) -> TimetableItem:
    item = db.session.get(TimetableItem, item_id)
    if item is None:
        raise ProgrammeError(_l("This programme item does not exist."), 404)
    editable_session(item.session_id)
    return item


def _check(session: TrainingSession, values: ItemValues) -> tuple[SessionDay, list[Trainer]]:
    day = db.session.get(SessionDay, values.day_id)
    if day is None or day.session_id != session.id:
        raise ProgrammeError(_l("This day does not belong to the session."), 400, "day_id")
    if values.ends_at <= values.starts_at:
        raise ProgrammeError(_l("The end time must come after the start time."), 400, "ends_at")
    if not any((values.titles.get(code) or "").strip() for code in CONTENT_LOCALES):
        raise ProgrammeError(_l("Give the item a title in at least one language."), 400, "title_fr")
    trainers = list(db.session.scalars(select(Trainer).where(Trainer.id.in_(values.trainer_ids)))) \
        if values.trainer_ids else []
    if len(trainers) != len(set(values.trainer_ids)):
        raise ProgrammeError(_l("Choose trainers and interpreters from the list."), 400, "trainer_ids")
    return day, trainers


def _write(item: TimetableItem, values: ItemValues, trainers: list[Trainer]) -> None:
    item.day_id = values.day_id
    item.starts_at, item.ends_at = values.starts_at, values.ends_at
    for code in CONTENT_LOCALES:
        setattr(item, f"title_{code}", (values.titles.get(code) or "").strip())
        setattr(item, f"description_{code}", (values.descriptions.get(code) or "").strip())
    item.room = values.room.strip()
    item.language = values.language
    item.interpretation = ",".join(code for code in values.interpretation if code != values.language)
    item.trainers = trainers


def _summary(item: TimetableItem) -> dict:
    return {"day_id": item.day_id, "starts_at": item.starts_at.strftime("%H:%M"),
            "ends_at": item.ends_at.strftime("%H:%M"), "title": item.title_fr or item.title,
            "room": item.room, "trainers": [trainer.name_latin for trainer in item.trainers]}


def _day_items(day_id: int) -> list[TimetableItem]:
    return list(db.session.scalars(select(TimetableItem).where(TimetableItem.day_id == day_id)
                                   .order_by(TimetableItem.position, TimetableItem.starts_at, TimetableItem.id)))


def _renumber(items: list[TimetableItem]) -> None:
    for position, item in enumerate(items):
        item.position = position


def add_item(session_id: int, values: ItemValues, *, actor=None) -> TimetableItem:
    """Add an item to a day of the session, placed among the day's items by its start time."""
    session = editable_session(session_id)
    _, trainers = _check(session, values)
    item = TimetableItem(session_id=session.id)
    item.trainers = []
    _write(item, values, trainers)
    items = _day_items(values.day_id)
    index = next((i for i, other in enumerate(items) if other.starts_at > values.starts_at), len(items))
    items.insert(index, item)
    db.session.add(item)
    _renumber(items)
    db.session.flush()
    audit.record("timetable.add", item, actor=actor, after=_summary(item))
    return item


def update_item(item_id: int, values: ItemValues, *, actor=None) -> TimetableItem:
    """Change an item; moved to another day, it goes there in time order."""
    item = db.session.scalar(select(TimetableItem).where(TimetableItem.id == item_id)
                             .options(selectinload(TimetableItem.trainers)))
    if item is None:
        raise ProgrammeError(_l("This programme item does not exist."), 404)
    session = editable_session(item.session_id)
    _, trainers = _check(session, values)
    before = _summary(item)
    old_day = item.day_id
    _write(item, values, trainers)
    if old_day != values.day_id:
        _renumber([other for other in _day_items(old_day) if other.id != item.id])
        items = [other for other in _day_items(values.day_id) if other.id != item.id]
        index = next((i for i, other in enumerate(items) if other.starts_at > values.starts_at), len(items))
        items.insert(index, item)
        _renumber(items)
    db.session.flush()
    audit.record("timetable.edit", item, actor=actor, before=before, after=_summary(item))
    return item


def delete_item(item_id: int, *, actor=None) -> int:
    """Remove an item with its materials (their files stay until no row names them); returns
    the session's id."""
    item = _item(item_id)
    session_id, day_id = item.session_id, item.day_id
    audit.record("timetable.remove", item, actor=actor,
                 before={"title": item.title_fr or item.title, "starts_at": item.starts_at.strftime("%H:%M")})
    db.session.delete(item)
    db.session.flush()
    _renumber(_day_items(day_id))
    db.session.flush()
    return session_id


def move_item(item_id: int, offset: int, *, actor=None) -> TimetableItem:
    """Move an item one place up (-1) or down (+1) within its day."""
    if offset not in (-1, 1):
        raise ProgrammeError(_l("An item moves one place up or down."), 400)
    item = _item(item_id)
    items = _day_items(item.day_id)
    index = next(i for i, other in enumerate(items) if other.id == item.id)
    target = index + offset
    if not 0 <= target < len(items):
        raise ProgrammeError(_l("This item cannot move further."), 409)
    items[index], items[target] = items[target], items[index]
    _renumber(items)
    db.session.flush()
    audit.record("timetable.move", item, actor=actor, before={"position": index}, after={"position": target})
    return item


def add_material(item_id: int, filename: str, data: bytes, *, actor=None) -> Material:
    """Attach a file to an item: type read from its bytes, size limited (`MATERIAL_MAX_BYTES`)."""
    item = _item(item_id)
    name = clean_filename(filename)
    if not name:
        raise ProgrammeError(_l("Choose a file to attach."), 400, "file")
    try:
        stored = storage.store(data, "materials", storage.MATERIAL_TYPES, current_app.config["MATERIAL_MAX_BYTES"])
    except storage.FileRefused as error:
        raise ProgrammeError(error.message, 400, "file") from error
    material = Material(item_id=item.id, name=name, stored_name=stored.stored_name,
                        content_type=stored.content_type, size=stored.size)
    db.session.add(material)
    db.session.flush()
    audit.record("material.add", material, actor=actor, after={"name": name, "size": stored.size})
    return material


def delete_material(material_id: int, *, actor=None) -> int:
    """Remove a material from its item; returns the session's id."""
    material = db.session.get(Material, material_id)
    if material is None:
        raise ProgrammeError(_l("This file does not exist."), 404)
    item = _item(material.item_id)
    audit.record("material.remove", material, actor=actor, before={"name": material.name})
    db.session.delete(material)
    db.session.flush()
    return item.session_id


def clean_filename(filename: str) -> str:
    """The uploader's file name without folders, control or direction characters, at most 200 characters."""
    from registrations.inputs import BIDI_CONTROL, CONTROL

    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = BIDI_CONTROL.sub("", CONTROL.sub("", name)).strip().strip(".")
    return name[-200:]


# ---------------------------------------------------------------- reading

@dataclass
class TimetableDay:
    day: SessionDay
    items: list[TimetableItem]


def timetable(session_id: int) -> list[TimetableDay]:
    """Each day of the session with its items in order, trainers and materials loaded (three queries)."""
    days = list(db.session.scalars(select(SessionDay).where(SessionDay.session_id == session_id)
                                   .order_by(*day_order())))
    items = list(db.session.scalars(
        select(TimetableItem).where(TimetableItem.session_id == session_id)
        .options(selectinload(TimetableItem.trainers), selectinload(TimetableItem.materials))
        .order_by(TimetableItem.position, TimetableItem.starts_at, TimetableItem.id)))
    by_day: dict[int, list[TimetableItem]] = {}
    for item in items:
        by_day.setdefault(item.day_id, []).append(item)
    return [TimetableDay(day, by_day.get(day.id, [])) for day in days]


def item_count(session_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(TimetableItem)
                             .where(TimetableItem.session_id == session_id)) or 0


def may_get_materials(user, session_id: int) -> bool:
    """Materials are for the office and for participants approved for the session."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    if not user.participant_id:
        return False
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.session_id == session_id, Registration.participant_id == user.participant_id,
        Registration.state == RegistrationState.APPROVED)) > 0
