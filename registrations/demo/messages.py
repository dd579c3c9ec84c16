"""The demo's messages: what the other steps recorded (registrations decided, the invitation)
is the office's history, so it is written and marked as sent instead of being printed all at once
when the worker first starts. A message sent again from the Messages page is printed as usual."""

from sqlalchemy import select

from registrations.extensions import db
from registrations.messages.kinds import render_into
from registrations.models import Message, MessageState


def seed() -> dict:
    """Write the demo's queued messages and mark them as sent at the time they were recorded."""
    count = 0
    for message in db.session.scalars(select(Message).where(Message.state == MessageState.QUEUED)
                                      .order_by(Message.id)):
        if message.rendered_at is None:
            render_into(message)
        message.state, message.sent_at, message.tries = MessageState.SENT, message.created_at, 1
        count += 1
    db.session.commit()
    return {"messages": count}
