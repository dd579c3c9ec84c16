"""Helpers shared by the models: time, enums with translated labels, column types."""

import enum
import functools
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

from registrations.formatted import in_reader_language


def utcnow() -> datetime:
    """The current time in UTC (used as a callable column default)."""
    return datetime.now(timezone.utc)


def key_of(obj) -> int | None:
    """The id of a stored object (None for None), without reading its row again.

    An object expired at the end of a transaction keeps its identity: SQLite's write lock
    begins a new transaction (`locking.lock_row`), after which reading `actor.id` would load the
    whole account again."""
    state = sa.inspect(obj, raiseerr=False) if obj is not None else None
    if state is not None and state.identity is not None:
        return state.identity[0]
    return getattr(obj, "id", None)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite stores naive values)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                value = value.replace(tzinfo=timezone.utc)
            value = value.astimezone(timezone.utc)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class LabelledEnum(enum.StrEnum):
    """A string enum whose members have a translated label (`member.label`)."""

    @classmethod
    def labels(cls) -> dict:
        """Map each member to its lazily translated label; subclasses define it."""
        raise NotImplementedError

    @property
    def label(self) -> str:
        """The member's label in the reader's language (kept per language: lists show the same
        few labels on every row)."""
        return in_reader_language((type(self), self.value), lambda: str(_labels_of(type(self))[self]))

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        """(value, label) pairs for a form's select field."""
        labels = _labels_of(cls)
        return [(member.value, labels[member]) for member in cls]


@functools.cache
def _labels_of(enum_cls: type[LabelledEnum]) -> dict:
    """The enum's labels, built once: they are lazy strings, translated when shown."""
    return enum_cls.labels()


def enum_column(enum_cls: type[enum.Enum], length: int = 20) -> sa.Enum:
    """A portable enum column stored as its string value (no native database enum), with a
    CHECK constraint `ck_<table>_<enum name>` that admits only the enum's values."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )
