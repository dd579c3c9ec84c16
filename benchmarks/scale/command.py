"""The `seed-scale` command: years of data in bulk, to measure the application at scale."""

import click
from flask.cli import with_appcontext

from benchmarks.scale.generate import PASSWORD, AlreadySeeded, Sizes, seed_scale


def _size_option(name: str, default: int, what: str):
    return click.option(f"--{name}", type=click.IntRange(min=1), default=None,
                        help=f"Number of {what} (default {default:,}, times --scale).")


@click.command("seed-scale")
@_size_option("sessions", Sizes.sessions, "training sessions")
@_size_option("participants", Sizes.participants, "participants")
@_size_option("registrations", Sizes.registrations, "registrations")
@_size_option("attendance", Sizes.attendance, "attendance marks (about)")
@_size_option("certificates", Sizes.certificates, "certificates (at most)")
@click.option("--partners", type=click.IntRange(min=0), default=Sizes.partners, show_default=True,
              help="Partner accounts (Vietnam, Cambodia, Laos).")
@click.option("--scale", type=click.FloatRange(min=0, min_open=True), default=1.0, show_default=True,
              help="Multiply every default size (0.01 for a quick data set).")
@click.option("--seed", type=int, default=2026, show_default=True, help="Random seed (same seed, same data).")
@click.option("--force", is_flag=True, help="Add the data even if the database already has sessions.")
@with_appcontext
def seed_scale_command(sessions, participants, registrations, attendance, certificates, partners, scale, seed,
                       force):
    """Fill the database with realistic data at scale, in bulk (for benchmarks)."""
    sizes = Sizes(partners=partners).scaled(scale)
    chosen = {"sessions": sessions, "participants": participants, "registrations": registrations,
              "attendance": attendance, "certificates": certificates}
    sizes = Sizes(**{**sizes.__dict__, **{k: v for k, v in chosen.items() if v is not None}})
    click.echo(f"Generating {sizes.sessions:,} sessions, {sizes.participants:,} participants, "
               f"{sizes.registrations:,} registrations, ~{sizes.attendance:,} attendance marks, "
               f"≤{sizes.certificates:,} certificates (seed {seed}):")
    try:
        report = seed_scale(sizes, seed=seed, force=force, echo=click.echo)
    except AlreadySeeded as error:
        raise click.ClickException("the database already has sessions; use --force to add more") from error
    click.echo(f"Done in {report['total']['seconds']:.1f} s ({report['total']['rows']:,} rows).")
    click.echo(f"Accounts, all with the password {PASSWORD}:")
    partners = [(email, country) for email, role, country in report["accounts"] if role == "partner"]
    for email, role, _ in report["accounts"]:
        if role != "partner":
            click.echo(f"  {email} ({role})")
    for start in range(0, len(partners), 4):
        click.echo("  " + ", ".join(f"{email} ({country})" for email, country in partners[start:start + 4]))
