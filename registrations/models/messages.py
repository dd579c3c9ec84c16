"""Outgoing messages (the outbox): each email is a row written with the change that causes it."""

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from registrations.extensions import db
from registrations.models.base import LabelledEnum, UTCDateTime, enum_column


class MessageState(LabelledEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"

    @classmethod
    def labels(cls):
        return {
            cls.QUEUED: _l("Queued"),
            cls.SENDING: _l("Sending"),
            cls.SENT: _l("Sent"),
            cls.FAILED: _l("Failed"),
        }


class Message(db.Model):
    """One email to one recipient, kept with its delivery state (see registrations/messages)."""

    __tablename__ = "message"
    __table_args__ = (
        # The worker's sweep: queued rows that are due, and sendings that were interrupted.
        sa.Index("ix_message_state_next_try", "state", "next_try_at"),
        sa.Index("ix_message_created", "created_at", "id"),
        sa.Index("ix_message_user", "user_id", "id"),
        sa.Index("ix_message_object", "object_type", "object_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: One event gives one message: a second attempt to record the same event is ignored.
    idempotency_key: Mapped[str] = mapped_column(sa.String(200), unique=True)
    recipient: Mapped[str] = mapped_column(sa.String(320))
    #: The kind of message whose text is written when it is sent (registrations/messages/kinds.py);
    #: "" for a message recorded with its text (an announcement, a copy).
    kind: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    #: JSON of what the kind's text is made from (ids of the objects, a reason, a link); emptied with the body.
    context: Mapped[str | None] = mapped_column(sa.Text)
    #: When subject and body were written: at sending time for a kind, else when recorded.
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    subject: Mapped[str] = mapped_column(sa.String(500))
    language: Mapped[str] = mapped_column(sa.String(5), default="fr")
    body: Mapped[str] = mapped_column(sa.Text)
    html_body: Mapped[str | None] = mapped_column(sa.Text)
    #: JSON list of {"kind", "id", "filename"}: documents rebuilt at sending time (an .ics, a PDF).
    attachments: Mapped[str | None] = mapped_column(sa.Text)
    state: Mapped[MessageState] = mapped_column(enum_column(MessageState), default=MessageState.QUEUED)
    tries: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(sa.String(1000), default="")
    #: When a queued message may be tried (again); NULL: at once.
    next_try_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When a worker claimed it for sending (a sending row older than the timeout was interrupted).
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The object the message is about, e.g. ("registration", 12), ("user", 3), ("session", 5).
    object_type: Mapped[str] = mapped_column(sa.String(40), default="")
    object_id: Mapped[int | None] = mapped_column()
    #: The account the message went to, when the address belongs to one (its owner may read it).
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    def __repr__(self) -> str:
        return f"<Message {self.id} {self.state} {self.recipient}>"
