"""Small drawing helpers shared by the certificate, the sign-in sheet and the letter.

They keep text inside a box: a line shrinks until it fits its width, a block wraps and
shrinks until it fits a number of lines, so a long session title never pushes the page
onto a second sheet.
"""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, XPos, YPos

from .fonts import LATIN, clean

__all__ = ["NAVY", "GOLD", "GREY", "BLACK", "select_font", "fit_size", "line", "block",
           "wrap_lines"]

NAVY = (24, 45, 92)
GOLD = (176, 141, 62)
GREY = (90, 90, 90)
BLACK = (20, 20, 20)


def select_font(pdf: FPDF, style: str, size: float) -> None:
    """Select the Latin family at ``size`` and make fpdf2 write the font again before the
    next text.

    fpdf2 2.8 loses track of the page's current font when a text starts with a
    fallback-font character (a Khmer or Lao name in its own cell): the next cell in the
    same font and size is then drawn with the wrong font's glyph codes. Changing the
    size and back marks the font as not yet written, so each text object states its font.
    """
    pdf.set_font(LATIN, style, size + 1)
    pdf.set_font(LATIN, style, size)


def fit_size(pdf: FPDF, text: str, style: str, size: float, width: float,
             min_size: float = 6) -> float:
    """Return the largest font size <= ``size`` (and >= ``min_size``) at which ``text`` fits
    ``width`` on one line. The width is measured after shaping, so Khmer and Lao count right."""
    pdf.set_font(LATIN, style, size)
    measured = pdf.get_string_width(text)
    if measured <= width or measured == 0:
        return size
    return max(min_size, size * width / measured * 0.98)


def line(pdf: FPDF, text: str, y: float, *, style: str = "", size: float = 11,
         color: tuple[int, int, int] = BLACK, x: float | None = None,
         width: float | None = None, align: str = "C", min_size: float = 6,
         height: float | None = None) -> float:
    """Draw ``text`` on one line in the box starting at (x, y), shrinking it to fit.

    Returns the y just below the line, so callers can stack lines without tracking
    font metrics themselves.
    """
    x = pdf.l_margin if x is None else x
    width = pdf.epw if width is None else width
    text = clean(text)
    if not text:
        return y
    used = fit_size(pdf, text, style, size, width, min_size)
    select_font(pdf, style, used)
    pdf.set_text_color(*color)
    h = height if height is not None else used * 0.3528 * 1.45
    pdf.set_xy(x, y)
    pdf.cell(width, h, text, align=Align.coerce(align), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return y + h


def wrap_lines(pdf: FPDF, text: str, width: float) -> int:
    """Return how many lines ``text`` takes in the current font when wrapped to ``width``."""
    lines = pdf.multi_cell(width, 5, text, dry_run=True, output=MethodReturnValue.LINES)
    return len(lines)


def block(pdf: FPDF, text: str, y: float, *, style: str = "", size: float = 11,
          color: tuple[int, int, int] = BLACK, x: float | None = None,
          width: float | None = None, align: str = "C", max_lines: int = 2,
          min_size: float = 7, leading: float = 1.3) -> float:
    """Draw ``text`` wrapped over at most ``max_lines`` lines, shrinking it until it fits.

    Returns the y below the block.
    """
    x = pdf.l_margin if x is None else x
    width = pdf.epw if width is None else width
    text = clean(text)
    if not text:
        return y
    used = size
    while True:
        pdf.set_font(LATIN, style, used)
        if used <= min_size or wrap_lines(pdf, text, width) <= max_lines:
            break
        used = max(min_size, used * 0.92)
    h = used * 0.3528 * leading
    select_font(pdf, style, used)
    pdf.set_text_color(*color)
    pdf.set_xy(x, y)
    pdf.multi_cell(width, h, text, align=Align.coerce(align), new_x=XPos.LMARGIN,
                   new_y=YPos.NEXT)
    return pdf.get_y()


def picture(pdf: FPDF, path: str, *, x: float, bottom: float, max_w: float, max_h: float,
            align: str = "C") -> None:
    """Draw an image file (a signature, a stamp) as large as fits `max_w` × `max_h`, keeping its
    proportions, its bottom edge at `bottom`, centred on `x` (align "C") or starting at `x` ("L").
    A missing or unreadable file draws nothing: the document is still valid without it."""
    if not path:
        return
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            width_px, height_px = image.size
    except (OSError, UnidentifiedImageError):
        return
    if not width_px or not height_px:
        return
    scale = min(max_w / width_px, max_h / height_px)
    width, height = width_px * scale, height_px * scale
    left = x - width / 2 if align == "C" else x
    pdf.image(path, x=left, y=bottom - height, w=width, h=height)
