"""Row locks for rules that must hold under concurrency (capacity, quotas, serials).

On PostgreSQL `lock_row` is `SELECT … FOR UPDATE`: concurrent writers of the same row wait
for each other. SQLite has no row locks; there the transaction is restarted with
`BEGIN IMMEDIATE`, which takes the database's single write lock before reading, so the rows
read are current and nobody else writes until commit. Either way, what the caller reads after
`lock_row` cannot change under it until it commits.
"""

from sqlalchemy import select

from registrations.extensions import db


def lock_row(model, ident):
    """Start a write transaction and return the row of `model` with id `ident`, locked.

    Anything pending in the session is committed first (on SQLite, a transaction that has
    read before taking the write lock could otherwise fail on a stale snapshot).
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.commit()
        db.session.connection(execution_options={"sqlite_immediate": True})
        return db.session.scalar(
            select(model).where(model.id == ident).execution_options(populate_existing=True)
        )
    return db.session.scalar(
        select(model).where(model.id == ident).with_for_update().execution_options(populate_existing=True)
    )
