"""QR codes for verification links, drawn with segno.

A fixed mask skips segno's evaluation of the eight masks, which is most of the cost of
making a code; error correction level M survives a crease or a smudge on paper.
"""

from __future__ import annotations

import io
from functools import lru_cache

import segno
from fpdf import FPDF

__all__ = ["make_qr", "qr_png", "draw_qr", "qr_side"]

_MASK = 0
_QUIET_ZONE = 4


@lru_cache(maxsize=32)
def make_qr(url: str, error: str = "m") -> segno.QRCode:
    """Return the segno QR code (level M unless told, fixed mask, never a Micro QR) for ``url``:
    made once for a document that measures it (``qr_side``) and then draws it (``draw_qr``).
    A code is only ever read."""
    return segno.make_qr(url, error=error, mask=_MASK, boost_error=False)


def qr_png(url: str, scale: int = 4) -> io.BytesIO:
    """Return a PNG of the QR code for ``url`` in a ``BytesIO`` that ``FPDF.image`` accepts.

    Useful where a raster image is wanted (e-mail, web page); PDFs use ``draw_qr``.
    """
    out = io.BytesIO()
    make_qr(url).save(out, kind="png", scale=scale, border=_QUIET_ZONE)
    out.seek(0)
    return out


def qr_side(url: str, module: float, error: str = "m") -> float:
    """The side (quiet zone included) of the code of ``url`` drawn with modules of ``module``."""
    return make_qr(url, error).symbol_size(scale=1, border=_QUIET_ZONE)[0] * module


def draw_qr(pdf: FPDF, url: str, x: float, y: float, size: float, error: str = "m") -> None:
    """Draw the QR code for ``url`` as vector rectangles in a ``size`` square at (x, y).

    The square includes the quiet zone. Vector modules stay sharp at any zoom and
    avoid encoding and decoding an image for every document; horizontal runs of dark
    modules are merged into one rectangle to keep the content stream short.
    """
    qr = make_qr(url, error)
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
