"""`flask keys generate|rotate|list|pdf-certificate`: the office's signing keys (never printed)."""

import click
from cryptography.hazmat.primitives import hashes
from flask.cli import with_appcontext

from registrations.credentials import keys, pdf_keys


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


@keys_group.command("pdf-certificate")
@click.option("--force", is_flag=True, help="Replace the existing certificate and key.")
@click.option("--days", type=click.IntRange(1, 20 * 365), default=pdf_keys.SELF_SIGNED_DAYS, show_default=True,
              help="Validity of the certificate.")
@with_appcontext
def pdf_certificate_command(force, days):
    """Write a self-signed PDF signing certificate and its key (ECDSA P-256, files 0600) to
    PDF_SIGNING_CERT and PDF_SIGNING_KEY, for an office without a CA-issued certificate."""
    try:
        certificate = pdf_keys.generate(force=force, days=days)
    except (ValueError, pdf_keys.PdfSigningUnavailable) as error:
        raise click.ClickException(str(error)) from error
    fingerprint = certificate.fingerprint(hashes.SHA256()).hex(":").upper()
    click.echo(f"Created a self-signed PDF signing certificate, valid until "
               f"{certificate.not_valid_after_utc:%Y-%m-%d}, SHA-256 {fingerprint}.")
