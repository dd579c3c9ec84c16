"""The demo's messages: what the other steps recorded (registrations decided, the invitation)
is the office's history, so it is marked as sent instead of being printed all at once when the
worker first starts. A message sent again from the Messages page is printed as usual."""

from sqlalchemy import update

from registrations.extensions import db
from registrations.models import Message, MessageState


def seed() -> dict:
    """Mark the demo's queued messages as sent at the time they were recorded."""
    result = db.session.execute(
        update(Message).where(Message.state == MessageState.QUEUED)
        .values(state=MessageState.SENT, sent_at=Message.created_at, tries=1)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return {"messages": result.rowcount or 0}
