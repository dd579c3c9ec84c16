"""Command line of the administration: anonymising old participants."""

import click
from flask import current_app

from registrations.admin import bp
from registrations.admin.personal_data import anonymise, candidates, cutoff_date, dry_run_counts


@bp.cli.command("anonymise")
@click.option("--years", type=click.IntRange(min=1), default=None,
              help="Anonymise participants whose sessions all ended more than this many years ago "
                   "(default: ANONYMISE_AFTER_YEARS, 5).")
@click.option("--dry-run", is_flag=True, help="Only count what would be anonymised.")
def anonymise_command(years, dry_run):
    """Erase the personal data of participants whose sessions ended long ago (audited)."""
    years = years or current_app.config["ANONYMISE_AFTER_YEARS"]
    ids = candidates(years)
    counts = dry_run_counts(ids) if dry_run else anonymise(ids)
    summary = ", ".join(f"{label} {number}" for label, number in counts.items())
    prefix = "Would anonymise" if dry_run else "Anonymised"
    click.echo(f"{prefix} (sessions ended before {cutoff_date(years).isoformat()}): {summary}")
