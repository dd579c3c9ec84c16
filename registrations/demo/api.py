"""Demo of the API: a read-only token of the Vietnamese partner, printed once on the console
(only its digest is stored; no secret is written in the repository)."""

from datetime import timedelta

import click
from sqlalchemy import select

from registrations.api import tokens
from registrations.clock import local_today
from registrations.extensions import db
from registrations.models import ApiToken, User

DEMO_EMAIL = "partner.vn@demo.test"
DEMO_TOKEN_NAME = "Demo: personnel system"  # noqa: S105 (a label, not a secret)


def seed() -> dict:
    """Create the demo token once; running the demo again leaves it (and cannot show it again)."""
    user = db.session.scalar(select(User).where(User.email == DEMO_EMAIL))
    if user is None or db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id,
                                                                    ApiToken.name == DEMO_TOKEN_NAME)):
        return {"API tokens": 0}
    today = local_today()
    _token, secret = tokens.create(user, DEMO_TOKEN_NAME, ["read"], today + timedelta(days=90), today=today)
    db.session.commit()
    click.echo(f"Demo API token of {DEMO_EMAIL} (read only, shown once):\n  {secret}\n"
               f"  curl -H 'Authorization: Bearer {secret}' http://127.0.0.1:5000/api/v1/registrations")
    return {"API tokens": 1}
