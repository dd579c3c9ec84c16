"""QR codes for verification links, drawn with segno.

A fixed mask skips segno's evaluation of the eight masks, which is most of the cost of
making a code; error correction level M survives a crease or a smudge on paper.
"""

from __future__ import annotations

import io

import segno
from fpdf import FPDF

__all__ = ["make_qr", "qr_png", "draw_qr"]

_MASK = 0
_QUIET_ZONE = 4


def make_qr(url: str) -> segno.QRCode:
    """Return the segno QR code (level M, fixed mask, never a Micro QR) for ``url``."""
    return segno.make_qr(url, error="m", mask=_MASK, boost_error=False)


def qr_png(url: str, scale: int = 4) -> io.BytesIO:
    """Return a PNG of the QR code for ``url`` in a ``BytesIO`` that ``FPDF.image`` accepts.

    Useful where a raster image is wanted (e-mail, web page); PDFs use ``draw_qr``.
    """
    out = io.BytesIO()
    make_qr(url).save(out, kind="png", scale=scale, border=_QUIET_ZONE)
    out.seek(0)
    return out


def draw_qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """Draw the QR code for ``url`` as vector rectangles in a ``size`` square at (x, y).

    The square includes the quiet zone. Vector modules stay sharp at any zoom and
    avoid encoding and decoding an image for every document; horizontal runs of dark
    modules are merged into one rectangle to keep the content stream short.
    """
    qr = make_qr(url)
    rows = [list(row) for row in qr.matrix_iter(scale=1, border=_QUIET_ZONE)]
    module = size / len(rows)
    pdf.set_fill_color(255, 255, 255)
    pdf.rect(x, y, size, size, style="F")
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                # a hair of overlap hides the seams some viewers show between runs
                pdf.rect(x + start * module, y + r * module, (c - start) * module,
                         module + 0.02, style="F")
            else:
                c += 1
