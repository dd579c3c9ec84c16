"""Command-line commands: accounts, demo data, backup and restore (and data at scale, from the
benchmarks folder)."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from registrations.auth.forms import PASSWORD_MIN_LENGTH
from registrations.auth.services import AccountError, create_user
from registrations.extensions import db
from registrations.i18n import LANGUAGES
from registrations.invariants import check_command
from registrations.models import Agency, Role
from registrations.transaction import run


@click.command("create-user")
@click.option("--email", required=True, help="Login email of the new account.")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--agency", "agency_code", default=None, help="Agency code (required for partners).")
@click.option("--name", default="", help="Display name (for partners: name in Latin script).")
@click.option("--locale", type=click.Choice(list(LANGUAGES)), default="fr")
@click.password_option(help="Asked without echo when not given.")
@with_appcontext
def create_user_command(email, role, agency_code, name, locale, password):
    """Create an admin, organiser or partner account."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise click.BadParameter(f"use at least {PASSWORD_MIN_LENGTH} characters", param_hint="password")
    agency = None
    if agency_code:
        agency = db.session.scalar(select(Agency).where(Agency.code == agency_code))
        if agency is None:
            raise click.BadParameter(f"no agency with code {agency_code!r}", param_hint="--agency")
    try:
        user = run(create_user, email=email, password=password, role=Role(role), agency=agency,
                   name=name, locale=locale)
    except AccountError as error:
        raise click.ClickException(str(error.message)) from error
    click.echo(f"Created {user.role.value} account {user.email}.")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Load the demo data (idempotent: running it twice changes nothing)."""
    from registrations.demo import seed_demo

    counts = seed_demo()
    click.echo("Demo data ready: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(path):
    """Back the database up into PATH (certificate PDFs included), while the site keeps serving."""
    from flask import current_app

    from registrations.backup import BackupError, backup

    try:
        written = backup(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backup written to {written} ({written.stat().st_size} bytes).")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def restore_command(path):
    """Restore the backup PATH into the configured database, which must be empty."""
    from flask import current_app

    from registrations.backup import BackupError, restore

    db.session.remove()
    db.engine.dispose()
    try:
        restore(current_app.config["SQLALCHEMY_DATABASE_URI"], path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored {path}.")


def register_commands(app) -> None:
    """Register the commands; `seed-scale` only where the benchmarks folder is shipped."""
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(check_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    from registrations.credentials.cli import keys_group

    app.cli.add_command(keys_group)
    try:
        from benchmarks.scale.command import seed_scale_command
    except ImportError:  # a deployment without the benchmarks folder
        return
    app.cli.add_command(seed_scale_command)
