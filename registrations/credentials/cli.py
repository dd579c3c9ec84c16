"""`flask keys generate|rotate|list`: the office's signing keys (never printed)."""

import click
from flask.cli import with_appcontext

from registrations.credentials import keys


@click.group("keys")
def keys_group():
    """The office's signing keys (Ed25519): certificates' tokens, status lists, Open Badges."""


@keys_group.command("generate")
@click.option("--force", is_flag=True, help="Replace existing keys (certificates signed before stop verifying).")
@with_appcontext
def generate_command(force):
    """Create the key set with its first key (refused when keys exist, unless --force)."""
    try:
        key = keys.generate(force=force)
    except (ValueError, keys.KeysUnavailable) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created signing key {key.kid}.")


@keys_group.command("rotate")
@with_appcontext
def rotate_command():
    """Add a new current key; the older ones stay published so that their certificates verify."""
    try:
        key = keys.rotate()
    except keys.KeysUnavailable as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"New current signing key {key.kid}; older keys stay published.")


@keys_group.command("list")
@with_appcontext
def list_command():
    """List the keys: id, creation time, which one signs (no private part is shown)."""
    found = keys.listing()
    if not found:
        click.echo("No signing key yet.")
    for entry in found:
        click.echo(f"{entry['kid']}  {entry['created']}  {'current' if entry['current'] else 'published'}")
