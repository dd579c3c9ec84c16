"""PAdES signatures on finished PDFs (pyHanko): baseline B-B, invisible, in an incremental update.

The signature is added last, after everything else (the Open Badge attachment included), as an
incremental update of the finished file: the page and the original bytes stay as they were, and
a PDF reader shows that the document is unchanged since the office signed it. No Flask here: the
key material comes from `registrations.credentials.pdf_keys`.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import io
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

__all__ = ["FIELD_NAME", "OfficeSigner", "is_signed", "sign_pdf", "simple_signer"]

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


#: The signed attributes a signature repeats, the document's digest aside (`simple_signer`).
_REPEATED_ATTRIBUTES = frozenset({"content_type", "message_digest", "signing_certificate_v2",
                                  "cms_algorithm_protection"})


def simple_signer(**arguments):
    """pyHanko's `SimpleSigner` (with these arguments) that formats its signed attributes once.

    A PAdES signature signs the same attributes for every document but the document's digest
    (its content type, the signer's certificate, the algorithms), and pyHanko builds and encodes
    them afresh each time: about 45,000 of the 65,000 Python calls of a certificate's signature.
    This signer has pyHanko format them once per kind of signature, with a random digest, then
    writes each document's digest in their encoding. Attributes that may change from one
    signature to the next (a signing time, a timestamp: anything else) make pyHanko format them
    for each signature, as before. tests/certificates/test_pdf_signature.py checks that both
    give the same bytes."""
    return _repeating_signer_class()(**arguments)


@functools.cache
def _repeating_signer_class():
    from asn1crypto import cms
    from pyhanko.sign import signers

    class RepeatingSigner(signers.SimpleSigner):
        async def signed_attrs(self, data_digest, digest_algorithm, attr_settings=None, content_type="data",
                               use_pades=False, timestamper=None, dry_run=False, is_pdf_sig=True):
            def formatted(digest):
                return super(RepeatingSigner, self).signed_attrs(
                    digest, digest_algorithm, attr_settings=attr_settings, content_type=content_type,
                    use_pades=use_pades, timestamper=timestamper, dry_run=dry_run, is_pdf_sig=is_pdf_sig)

            if timestamper is not None:
                return await formatted(data_digest)
            settings = repr(dataclasses.replace(attr_settings, signing_time=None)) if attr_settings else None
            key = (digest_algorithm, len(data_digest), settings, content_type, use_pades, dry_run, is_pdf_sig)
            templates = self.__dict__.setdefault("_repeated_attributes", {})
            if key not in templates:
                mark = secrets.token_bytes(len(data_digest))
                probe = await formatted(mark)
                types = {attribute["type"].native for attribute in probe}
                encoded = probe.dump()
                templates[key] = (mark, encoded) if types <= _REPEATED_ATTRIBUTES and encoded.count(mark) == 1 \
                    else None
            template = templates[key]
            if template is None:
                return await formatted(data_digest)
            mark, encoded = template
            return cms.CMSAttributes.load(encoded.replace(mark, data_digest))

    return RepeatingSigner


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
