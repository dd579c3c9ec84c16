"""The version of what the public pages show: one counter that only goes up.

Every transaction that writes a session, its days, quotas or timetable, a registration or an agency
bumps the counter as its last statement, just before it commits: the new version becomes
visible in the same instant as the change, on every instance and whatever the clocks say.
A page kept under version N therefore never hides a change committed after N was read.

The bump is the last statement of the transaction, so a writer holds the counter's row lock
only for the moment of its commit, and always after the locks of the rows it changed (no
lock-order deadlock). Writes are noticed by SQLAlchemy session events (flushes and ORM
UPDATE/DELETE statements), so no service has to remember to call anything.
"""

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from registrations.models import (
    Agency,
    Material,
    PageVersion,
    Registration,
    SessionDay,
    SessionQuota,
    TimetableItem,
    Trainer,
    TrainingSession,
)

#: What the public pages show: a write to one of these changes the version (a session's page
#: shows its timetable, with the names of trainers and the materials of each item).
SHOWN = (TrainingSession, SessionDay, SessionQuota, Registration, Agency, TimetableItem, Material, Trainer)
_SHOWN_TABLES = frozenset(model.__tablename__ for model in SHOWN)
#: Set in a transaction's `session.info` once it has written something pages show.
CHANGED = _FLAG = "page_version_changed"

#: One statement on both databases, and it also recreates the row if the table was emptied.
_BUMP = sa.text("INSERT INTO page_version (id, value) VALUES (1, 1) "
                "ON CONFLICT (id) DO UPDATE SET value = page_version.value + 1")
_READ = sa.select(PageVersion.value).where(PageVersion.id == 1)


def current(session: Session) -> int:
    """The committed version, as this transaction sees it (0 before the first change)."""
    return session.execute(_READ).scalar() or 0


def mark_changed(session: Session) -> None:
    """Make this transaction bump the version when it commits (for writes the events miss,
    such as raw SQL)."""
    session.info[_FLAG] = True


@event.listens_for(Session, "after_flush")
def _after_flush(session, flush_context):
    if session.info.get(_FLAG):
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, SHOWN):
            session.info[_FLAG] = True
            return


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state):
    if (state.is_update or state.is_delete or state.is_insert) and not state.session.info.get(_FLAG):
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in _SHOWN_TABLES:
            state.session.info[_FLAG] = True


@event.listens_for(Session, "before_commit")
def _before_commit(session):
    if session.in_nested_transaction():
        return  # a savepoint: the bump waits for the real commit, as the last statement
    # The last flush happens after this hook: run it now to see every pending change.
    if session.new or session.dirty or session.deleted:
        session.flush()
    if session.info.pop(_FLAG, False):
        session.execute(_BUMP)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session):
    if not session.in_nested_transaction():
        session.info.pop(_FLAG, None)
