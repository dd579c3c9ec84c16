"""Sign-in sheets: one A4 portrait table per session day (or half-day) for participants to sign.

Rows have a fixed height, so the number of pages is known before drawing and every page
can say "page X / Y" without fpdf2's page-count alias (which does not mix well with
shaped text). The header block and the column headings repeat on every page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from fpdf import FPDF

from .fonts import clean, new_pdf, scripts_in
from .layout import BLACK, GOLD, GREY, NAVY, fit_size, line, select_font, wrap_lines

__all__ = ["SigninRow", "SigninSheet", "render_signin_sheet"]

W, H = 210.0, 297.0
MARGIN = 12.0
TABLE_TOP = 44.0
HEAD_H = 7.5
ROW_H = 9.0
BOTTOM = H - 14.0
#: (key, width in mm, alignment)
COLUMNS = (("number", 10.0, "C"), ("name_latin", 50.0, "L"), ("name_native", 42.0, "L"),
           ("agency", 50.0, "L"), ("signature", 34.0, "C"))
ROWS_PER_PAGE = int((BOTTOM - TABLE_TOP - HEAD_H) // ROW_H)


@dataclass(frozen=True)
class SigninRow:
    """One participant line: names in Latin and in their own script, and agency."""

    name_latin: str
    name_native: str = ""
    agency: str = ""


@dataclass(frozen=True)
class SigninSheet:
    """A day's sign-in sheet; ``locale`` is the organiser's UI language for the labels."""

    locale: str
    session_title: str
    city: str
    day_date: date
    day_part_label: str = ""
    rows: list[SigninRow] = field(default_factory=list)


def _labels(sheet: SigninSheet) -> dict[str, str]:
    """Translate the sheet's wording into the organiser's language."""
    with force_locale(sheet.locale):
        return {
            "title": _("Sign-in sheet"),
            "number": _("No."),
            "name_latin": _("Name"),
            "name_native": _("Name in own script"),
            "agency": _("Agency"),
            "signature": _("Signature"),
            "date": format_date(sheet.day_date, "full"),
            "page": _("Page %(page)d / %(pages)d"),
        }


def _cell(pdf: FPDF, text: str, x: float, y: float, w: float, h: float, align: str,
          style: str = "", size: float = 9.5) -> None:
    """Draw ``text`` inside one table cell: on one line if it fits at a readable size,
    else wrapped on two lines, shrinking it so it never spills over."""
    text = clean(text)
    if not text:
        return
    pad = 1.5
    inner = w - 2 * pad
    used = fit_size(pdf, text, style, size, inner, min_size=5.5)
    if used >= 7.5 or pdf.get_string_width(text) <= inner:
        select_font(pdf, style, used)
        pdf.set_xy(x + pad, y)
        pdf.cell(inner, h, text, align=align)
        return
    used = size
    while True:
        select_font(pdf, style, used)
        if used <= 5.5 or wrap_lines(pdf, text, inner) <= 2:
            break
        used = max(5.5, used * 0.92)
    leading = used * 0.3528 * 1.15
    pdf.set_xy(x + pad, y + h / 2 - leading)
    pdf.multi_cell(inner, leading, text, align=align, max_line_height=leading)


def _page(pdf: FPDF, sheet: SigninSheet, labels: dict[str, str], page: int, pages: int,
          rows: list[tuple[int, SigninRow]]) -> None:
    """Draw one page: header block, column headings, its rows and the page number."""
    pdf.add_page()
    width = W - 2 * MARGIN
    kw = {"x": MARGIN, "width": width, "align": "L"}
    line(pdf, labels["title"], 11, style="B", size=10, color=GREY, **kw)
    y = line(pdf, clean(sheet.session_title), 16, style="B", size=15, color=NAVY,
             min_size=8, **kw)
    when = " · ".join(p for p in (clean(sheet.city), labels["date"],
                                  clean(sheet.day_part_label)) if p)
    line(pdf, when, y + 1, size=11, color=BLACK, **kw)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.5)
    pdf.line(MARGIN, TABLE_TOP - 4, W - MARGIN, TABLE_TOP - 4)

    pdf.set_draw_color(*GREY)
    pdf.set_line_width(0.25)
    pdf.set_fill_color(232, 236, 245)
    x = MARGIN
    pdf.set_text_color(*NAVY)
    for key, w, align in COLUMNS:
        pdf.rect(x, TABLE_TOP, w, HEAD_H, style="DF")
        _cell(pdf, labels[key], x, TABLE_TOP, w, HEAD_H, align, style="B", size=9)
        x += w
    pdf.set_text_color(*BLACK)
    y = TABLE_TOP + HEAD_H
    for number, row in rows:
        x = MARGIN
        values = {"number": str(number), "name_latin": clean(row.name_latin),
                  "name_native": clean(row.name_native), "agency": clean(row.agency),
                  "signature": ""}
        for key, w, align in COLUMNS:
            pdf.rect(x, y, w, ROW_H)
            _cell(pdf, values[key], x, y, w, ROW_H, align,
                  style="B" if key == "name_latin" else "")
            x += w
        y += ROW_H
    footer = labels["page"] % {"page": page, "pages": pages}
    line(pdf, footer, H - 11, size=8.5, color=GREY, x=MARGIN, width=width, align="R")


def render_signin_sheet(sheet: SigninSheet) -> bytes:
    """Return the sign-in sheet PDF: header and headings on every page, numbered rows."""
    labels = _labels(sheet)
    texts = [sheet.session_title, sheet.city, sheet.day_part_label, *labels.values()]
    for row in sheet.rows:
        texts += [row.name_latin, row.name_native, row.agency]
    pdf = new_pdf(scripts_in(*texts), orientation="portrait")
    pdf.set_title(f"{labels['title']} - {clean(sheet.session_title)}")
    numbered = list(enumerate(sheet.rows, start=1))
    pages = max(1, math.ceil(len(numbered) / ROWS_PER_PAGE))
    for page in range(pages):
        chunk = numbered[page * ROWS_PER_PAGE:(page + 1) * ROWS_PER_PAGE]
        _page(pdf, sheet, labels, page + 1, pages, chunk)
    return bytes(pdf.output())
