"""Command line: pass expired seat offers to the next person on the waiting list."""

import click

from registrations.enrolment import bp, services
from registrations.transaction import run


@bp.cli.command("expire-offers")
def expire_offers_command():
    """Cancel seat offers that ran out and offer (or give) the seats to the next people waiting."""
    expired = run(services.expire_offers)
    click.echo(f"Expired offers: {expired}")
