"""`flask create-token`: a personal access token for an account, printed once."""

from datetime import timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from registrations.api import tokens
from registrations.clock import local_today
from registrations.extensions import db
from registrations.models import User
from registrations.transaction import run


@click.command("create-token")
@click.option("--email", required=True, help="The account the token acts for.")
@click.option("--name", required=True, help="What the token is for.")
@click.option("--write/--read-only", default=False, help="Allow changes (default: read only).")
@click.option("--days", type=click.IntRange(1, tokens.MAX_LIFETIME_DAYS), default=90, show_default=True)
@with_appcontext
def create_token_command(email, name, write, days):
    """Create a personal access token and print it (it is stored hashed: copy it now)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        raise click.BadParameter("no active account has this email", param_hint="--email")
    today = local_today()
    try:
        _token, secret = run(tokens.create, user, name, ["read", "write"] if write else ["read"],
                             today + timedelta(days=days), today=today)
    except tokens.TokenError as error:
        raise click.BadParameter(str(error.message)) from None
    click.echo(secret)
