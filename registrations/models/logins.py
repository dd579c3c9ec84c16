"""Server-side logins and the version of the public pages."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from registrations.extensions import db
from registrations.models.base import UTCDateTime, utcnow


class Login(db.Model):
    """One open login of an account: the cookie carries a random token, this row its digest.

    Deleting the row ends the login wherever the cookie is (another instance, a copy)."""

    __tablename__ = "login"

    #: SHA-256 of the token kept in the signed cookie session (the token itself is never stored).
    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Updated on login and on form posts, at most once a minute (never by a page read).
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")
    address: Mapped[str] = mapped_column(sa.String(64), default="")


class PageVersion(db.Model):
    """A single counter that only goes up, bumped in the transaction of every change a kept
    public page shows (see sessions/fragments.py): kept pages are keyed on it, never on a clock."""

    __tablename__ = "page_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(sa.BigInteger, default=0)
