"""The office's PDF signing certificate and key (PAdES signatures on certificates and letters).

Two PEM files, named by `PDF_SIGNING_CERT` (the office's certificate, optionally followed by the
certificates of its issuing chain) and `PDF_SIGNING_KEY` (its private key, encrypted or not:
`PDF_SIGNING_KEY_PASSWORD`), by default `instance/pdf_signing_cert.pem` and
`instance/pdf_signing_key.pem`. In development a self-signed certificate is created on first
need (ECDSA P-256, files with 0600 rights), so the quick start needs no step; in production
`flask keys pdf-certificate` creates one, or the office configures a CA-issued certificate.
Without one, producing a certificate or a letter fails with `PdfSigningUnavailable` (a clear
message, never an unsigned document). The private key never leaves this module except as
signatures.
"""

from __future__ import annotations

import os
import threading
from datetime import timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from flask import current_app

from registrations.clock import utc_now
from registrations.documents.signing import OfficeSigner, sign_pdf, simple_signer

MEMORY_PATH = ":memory:"
#: Validity of a self-signed certificate made here (days).
SELF_SIGNED_DAYS = 5 * 365

_lock = threading.Lock()
#: The loaded signer per (certificate file, key file, their modification times).
_cache: dict[tuple, OfficeSigner] = {}
#: Self-signed (certificate PEM, key PEM) kept in memory (tests), made once per process.
_memory: dict[str, tuple[bytes, bytes]] = {}


class PdfSigningUnavailable(RuntimeError):
    """No PDF signing certificate is configured (production without `flask keys pdf-certificate`)."""


def _paths() -> tuple[str, str]:
    return current_app.config["PDF_SIGNING_CERT"], current_app.config["PDF_SIGNING_KEY"]


def _password() -> bytes | None:
    value = current_app.config.get("PDF_SIGNING_KEY_PASSWORD") or ""
    return value.encode() if value else None


def _office_name() -> str:
    """The office's name as certificates print it (their issuer)."""
    from registrations.documents import DEFAULT_ISSUER

    return DEFAULT_ISSUER


def self_signed(name: str | None = None, days: int = SELF_SIGNED_DAYS) -> tuple[bytes, bytes]:
    """A fresh self-signed signing certificate and its key (ECDSA P-256), both as PEM.

    P-256: a signature costs a few microseconds and the certificate stays small (about 600
    bytes in every PDF); PDF readers have validated ECDSA signatures for years.
    """
    key = ec.generate_private_key(ec.SECP256R1())
    organisation, _dash, unit = (name or _office_name()).partition(" — ")
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, _short(unit or organisation)),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, _short(organisation))])
    now = utc_now()
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return certificate.public_bytes(serialization.Encoding.PEM), key_pem


def _short(text: str) -> str:
    """At most 64 bytes of UTF-8 (the limit of a name in a certificate), whole characters only."""
    return text.encode()[:64].decode(errors="ignore").strip()


def _write_private(path: Path, data: bytes, exclusive: bool) -> None:
    """Write a file with 0600 rights: atomically, or only if it does not exist (`exclusive`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if exclusive:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        return
    temporary = path.with_name(path.name + f".{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def _create_first(cert_path: str, key_path: str) -> None:
    """Create the self-signed pair, unless another process did it meanwhile (O_EXCL on the key,
    written first: the certificate file appears once the key is there)."""
    certificate, key = self_signed()
    try:
        _write_private(Path(key_path), key, exclusive=True)
    except FileExistsError:
        return
    _write_private(Path(cert_path), certificate, exclusive=False)


def generate(force: bool = False, name: str | None = None, days: int = SELF_SIGNED_DAYS) -> x509.Certificate:
    """Write a self-signed certificate and key to the configured files (refused when they
    exist, unless `force`); returns the certificate."""
    cert_path, key_path = _paths()
    if MEMORY_PATH in (cert_path, key_path):
        raise PdfSigningUnavailable("PDF_SIGNING_CERT and PDF_SIGNING_KEY must name files")
    if not force and (Path(cert_path).exists() or Path(key_path).exists()):
        raise ValueError(f"a PDF signing certificate exists already ({cert_path}): use --force to replace it")
    certificate, key = self_signed(name, days)
    with _lock:
        _write_private(Path(key_path), key, exclusive=False)
        _write_private(Path(cert_path), certificate, exclusive=False)
        _cache.clear()
    return x509.load_pem_x509_certificate(certificate)


def _read_pair() -> tuple[bytes, bytes, tuple]:
    """(certificate PEM, key PEM, cache key), creating the self-signed pair where allowed."""
    cert_path, key_path = _paths()
    if cert_path == MEMORY_PATH:
        if MEMORY_PATH not in _memory:
            _memory[MEMORY_PATH] = self_signed()
        certificate, key = _memory[MEMORY_PATH]
        return certificate, key, (MEMORY_PATH, id(_memory[MEMORY_PATH]))
    if not Path(key_path).exists() and not Path(cert_path).exists():
        if not current_app.config.get("PDF_SIGNING_AUTO_CREATE"):
            raise PdfSigningUnavailable(
                "no PDF signing certificate: set PDF_SIGNING_CERT and PDF_SIGNING_KEY, or run "
                "`flask --app app keys pdf-certificate` (see README)")
        _create_first(cert_path, key_path)
    try:
        stats = (os.stat(cert_path).st_mtime_ns, os.stat(key_path).st_mtime_ns)
        return Path(cert_path).read_bytes(), Path(key_path).read_bytes(), (cert_path, key_path, stats)
    except FileNotFoundError as error:
        raise PdfSigningUnavailable(f"PDF signing certificate or key missing: {error.filename}") from error


def _public_der(public_key) -> bytes:
    return public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _load(certificate_pem: bytes, key_pem: bytes) -> OfficeSigner:
    # pyHanko and asn1crypto are loaded where a document is signed, not by every web worker.
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    chain = x509.load_pem_x509_certificates(certificate_pem)
    key = serialization.load_pem_private_key(key_pem, password=_password())
    if _public_der(key.public_key()) != _public_der(chain[0].public_key()):
        raise PdfSigningUnavailable("PDF_SIGNING_KEY is not the key of the first certificate of PDF_SIGNING_CERT")
    ders = [certificate.public_bytes(serialization.Encoding.DER) for certificate in chain]
    key_der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    signer = simple_signer(
        signing_cert=asn1_x509.Certificate.load(ders[0]),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        # The issuing chain (the signer's own certificate is embedded anyway).
        cert_registry=SimpleCertificateStore.from_certs([asn1_x509.Certificate.load(der) for der in ders[1:]]),
    )
    return OfficeSigner(signer=signer, name=current_app.config.get("PDF_SIGNER_NAME") or _office_name(),
                        location=current_app.config.get("PDF_SIGNING_LOCATION", ""),
                        certificates_size=sum(len(der) for der in ders))


def office_signer() -> OfficeSigner:
    """The office's PDF signer, loaded once per process (again when its files change)."""
    with _lock:
        certificate, key, cache_key = _read_pair()
        cache_key = (*cache_key, _password(), current_app.config.get("PDF_SIGNER_NAME"),
                     current_app.config.get("PDF_SIGNING_LOCATION"))
        found = _cache.get(cache_key)
        if found is None:
            try:
                found = _load(certificate, key)
            except (ValueError, TypeError) as error:
                raise PdfSigningUnavailable(f"PDF signing certificate or key unreadable: {error}") from error
            _cache.clear()
            _cache[cache_key] = found
        return found


def ensure_available() -> None:
    """Raise `PdfSigningUnavailable` unless a certificate and key are there (created where
    allowed), without loading the signer: what a page checks before promising a signed PDF."""
    with _lock:
        _read_pair()


def office_certificate() -> x509.Certificate:
    """The office's signing certificate (public): what a validator is told to trust."""
    return x509.load_der_x509_certificate(office_signer().signer.signing_cert.dump())


def sign_document(data: bytes, reason: str) -> bytes:
    """`data` signed by the office (PAdES B-B, the whole file): the last step of every certificate
    and invitation letter."""
    return sign_pdf(data, office_signer(), reason)
