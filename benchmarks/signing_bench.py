"""Measure what the office's PAdES signature costs per document (certificates and letters).

Usage: python benchmarks/signing_bench.py [-n 60]

Draws certificates (with an Open Badge-sized attachment, five languages) and invitation letters,
then times signing each one with an ECDSA P-256 key (the self-signed default) and with RSA 2048
and 3072 keys (what a CA may issue): median and 95th percentile in milliseconds, beside the
time to draw the same document.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, rsa  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

from app import create_app  # noqa: E402
from registrations.clock import utc_now  # noqa: E402
from registrations.credentials import pdf_keys  # noqa: E402
from registrations.documents import render_certificate, render_invitation_letter  # noqa: E402
from registrations.documents.examples import example_certificate, example_invitation  # noqa: E402

LOCALES = ("fr", "en", "vi", "km", "lo")
BADGE = "e" * 2600  # an Open Badge VC-JWT is about 2.6 KB


def _pair(key) -> tuple[bytes, bytes]:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Benchmark office")])
    now = utc_now()
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(1).not_valid_before(now).not_valid_after(now + timedelta(days=1))
                   .sign(key, hashes.SHA256()))
    return (certificate.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))


def _timed(function, items) -> list[float]:
    times = []
    for item in items:
        started = time.perf_counter()
        function(item)
        times.append((time.perf_counter() - started) * 1000)
    return times


def _summary(times: list[float]) -> str:
    ordered = sorted(times)
    return f"median {statistics.median(ordered):6.1f} ms, p95 {ordered[int(len(ordered) * 0.95) - 1]:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=60, help="documents of each kind")
    args = parser.parse_args()
    app = create_app({"APP_ENV": "testing", "PDF_SIGNING_CERT": ":memory:", "PDF_SIGNING_KEY": ":memory:"})
    with app.app_context():
        for locale in LOCALES:  # first use: fonts and backgrounds
            render_certificate(example_certificate(locale, n=0, open_badge=BADGE))
            render_invitation_letter(example_invitation(locale))
        facts = [example_certificate(LOCALES[i % 5], n=i + 1, open_badge=BADGE) for i in range(args.n)]
        letters_in = [example_invitation(LOCALES[i % 5]) for i in range(args.n)]
        certificates = []
        draw = _timed(lambda f: certificates.append(render_certificate(f)), facts)
        letters = []
        draw_letters = _timed(lambda f: letters.append(render_invitation_letter(f)), letters_in)
        print(f"draw certificate     {_summary(draw)}  ({sum(map(len, certificates)) // len(certificates)} bytes)")
        print(f"draw letter          {_summary(draw_letters)}  ({sum(map(len, letters)) // len(letters)} bytes)")
        for label, key in (("ECDSA P-256", ec.generate_private_key(ec.SECP256R1())),
                           ("RSA 2048", rsa.generate_private_key(65537, 2048)),
                           ("RSA 3072", rsa.generate_private_key(65537, 3072))):
            pdf_keys._memory[pdf_keys.MEMORY_PATH] = _pair(key)
            pdf_keys.sign_document(certificates[0], "warm-up")
            sign = _timed(lambda d: pdf_keys.sign_document(d, "Benchmark"), certificates)
            signed = [pdf_keys.sign_document(d, "Benchmark") for d in certificates[:10]]
            sign_letters = _timed(lambda d: pdf_keys.sign_document(d, "Benchmark"), letters)
            grown = sum(len(s) - len(d) for s, d in zip(signed, certificates, strict=False)) // len(signed)
            print(f"sign {label:<11} certificate {_summary(sign)}, letter {_summary(sign_letters)}, "
                  f"+{grown} bytes")


if __name__ == "__main__":
    main()
