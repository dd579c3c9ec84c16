"""PAdES signatures on finished PDFs (pyHanko): baseline B-B, invisible, in an incremental update.

The signature is added last, after everything else (the Open Badge attachment included), as an
incremental update of the finished file: the page and the original bytes stay as they were, and
a PDF reader shows that the document is unchanged since the office signed it. No Flask here: the
key material comes from `registrations.credentials.pdf_keys`.
"""

from __future__ import annotations

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

__all__ = ["FIELD_NAME", "OfficeSigner", "is_signed", "sign_pdf"]

#: The name of the (invisible) signature field every signed document carries.
FIELD_NAME = "OfficeSignature"
#: Room kept for the CMS signature besides the certificates it carries (bytes, DER): an ECDSA or
#: RSA-4096 signature with its signed attributes takes about 1 KB. Stating the room spares pyHanko
#: a trial signature per document to measure it.
_SIGNATURE_ROOM = 2048


@dataclass(frozen=True)
class OfficeSigner:
    """The office as a PDF signer: pyHanko's signer with the name and place shown by readers."""

    #: pyHanko's `SimpleSigner` (pyHanko is imported where a document is signed, not before).
    signer: object
    name: str
    location: str
    #: DER size of the certificates embedded in each signature (the signer's and its chain).
    certificates_size: int


def sign_pdf(data: bytes, office: OfficeSigner, reason: str) -> bytes:
    """`data` with a PAdES B-B signature (`/ETSI.CAdES.detached`, SHA-256) of the whole file,
    added as an incremental update in an invisible field."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, md_algorithm="sha256", subfilter=SigSeedSubFilter.PADES,
        name=office.name, reason=reason, location=office.location,
    )
    reserved = 2 * (_SIGNATURE_ROOM + office.certificates_size)  # hexadecimal

    def signing():
        return signers.async_sign_pdf(writer, metadata, signer=office.signer, bytes_reserved=reserved)

    return _run(signing).getvalue()


def _run(make_coroutine):
    """Run pyHanko's coroutine to its end: here, or, when this thread already runs an event loop
    (an asynchronous server, a browser driver in tests), in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make_coroutine())
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf-signing") as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


def is_signed(data: bytes) -> bool:
    """Whether a PDF made here carries the office's signature already (its field's name is in
    the file: a byte search, microseconds for a certificate)."""
    return f"/T ({FIELD_NAME})".encode() in data or f"/T({FIELD_NAME})".encode() in data
