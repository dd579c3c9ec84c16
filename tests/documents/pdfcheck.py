"""Helpers for the PDF tests: text extraction, rendering to PNG, reading shaped glyphs."""

from __future__ import annotations

import io
import unicodedata
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
from fontTools.ttLib import TTFont
from pypdf import PdfReader


def squeeze(text: str) -> str:
    """Drop whitespace and control characters from extracted text.

    fpdf2 maps a shaped cluster's text to its first glyph only; the cluster's other
    glyphs (e.g. a Khmer subscript) have no Unicode and come out of pypdf as control
    characters, and pypdf inserts spaces by position. Neither changes the letters.
    """
    return "".join(ch for ch in unicodedata.normalize("NFC", text)
                   if not ch.isspace() and unicodedata.category(ch) != "Cc")


def pdf_text(data: bytes) -> str:
    """Return the text of every page of a PDF, extracted with pypdf."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def render_png(data: bytes, path: Path, dpi: int = 150, page: int = 0):
    """Render one page to a PNG file with pdfium and return it as a PIL image."""
    doc = pdfium.PdfDocument(data)
    try:
        image = doc[page].render(scale=dpi / 72).to_pil()
    finally:
        doc.close()
    image.save(path)
    return image


def page_count(data: bytes) -> int:
    """Return the number of pages of a PDF."""
    return len(PdfReader(io.BytesIO(data)).pages)


def decode_qr(image) -> list[str]:
    """Return the texts of the QR codes zxing-cpp finds in a PIL image."""
    import zxingcpp

    return [r.text for r in zxingcpp.read_barcodes(image)]


def is_blank(image) -> bool:
    """True if the image is one flat colour (nothing drawn)."""
    lo, hi = image.convert("L").getextrema()
    return lo == hi


def _outline_key(font: TTFont, name: str) -> tuple:
    """A hashable description of a glyph's outline, the same in a font and its subsets."""
    glyf = font["glyf"]
    glyph = glyf[name]
    coords, ends, flags = glyph.getCoordinates(glyf)
    return (tuple(coords), tuple(ends), tuple(f & 1 for f in flags),
            font["hmtx"][name][0])


def outline_index(font_path: Path) -> dict[tuple, set[str]]:
    """Map outline keys to glyph names for a source font."""
    font = TTFont(font_path)
    index: dict[tuple, set[str]] = {}
    for name in font.getGlyphOrder():
        index.setdefault(_outline_key(font, name), set()).add(name)
    return index


def drawn_glyphs(data: bytes, font_marker: str) -> list[tuple]:
    """Return, in drawing order, the outline keys of the glyphs page 1 draws with fonts
    whose BaseFont contains ``font_marker`` (text of the page itself, not of its Form
    XObjects, i.e. the per-participant overlay of a certificate)."""
    pdf = pikepdf.open(io.BytesIO(data))
    page = pdf.pages[0]
    fonts = page.obj.Resources.Font
    decoded: dict[str, tuple[TTFont, list[int]]] = {}
    for key, font in fonts.items():
        if font_marker not in str(font.BaseFont):
            continue
        cid_font = font.DescendantFonts[0]
        embedded = TTFont(io.BytesIO(cid_font.FontDescriptor.FontFile2.read_bytes()))
        raw = cid_font.CIDToGIDMap.read_bytes()
        cid_to_gid = [int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw), 2)]
        decoded[key] = (embedded, cid_to_gid)
    keys: list[tuple] = []
    current = None
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "Tf":
            current = decoded.get(str(operands[0]))
        elif op in ("Tj", "TJ") and current is not None:
            embedded, cid_to_gid = current
            order = embedded.getGlyphOrder()
            strings = operands[0] if op == "TJ" else [operands[0]]
            for item in strings:
                if not isinstance(item, pikepdf.String):
                    continue
                raw = bytes(item)
                for i in range(0, len(raw), 2):
                    cid = int.from_bytes(raw[i:i + 2], "big")
                    keys.append(_outline_key(embedded, order[cid_to_gid[cid]]))
    return keys
