"""Reading certificates back: their text (pypdf), page images (pdfium) and QR codes (zxing-cpp)."""

import io
import unicodedata

import pypdfium2 as pdfium
import zxingcpp
from pypdf import PdfReader


def pdf_text(data: bytes) -> str:
    """The text of every page, without whitespace or control characters (shaped clusters)."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return squeeze(text)


def squeeze(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFC", text)
                   if not ch.isspace() and unicodedata.category(ch) != "Cc")


def page_image(data: bytes, dpi: int = 150, page: int = 0):
    """Page `page` rendered as a PIL image."""
    document = pdfium.PdfDocument(data)
    try:
        return document[page].render(scale=dpi / 72).to_pil()
    finally:
        document.close()


def qr_texts(image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def signature_status(data: bytes, trusted=None):
    """pyHanko's verdict on the (only) signature of a PDF, trusting the office's certificate
    (or `trusted`, a `cryptography` certificate): (status, embedded signature)."""
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.serialization import Encoding
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from registrations.credentials.pdf_keys import office_certificate

    root = asn1_x509.Certificate.load((trusted or office_certificate()).public_bytes(Encoding.DER))
    [signature] = PdfFileReader(io.BytesIO(data)).embedded_signatures
    return validate_pdf_signature(signature, ValidationContext(trust_roots=[root])), signature
