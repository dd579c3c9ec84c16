"""Invitation letters for approved participants of a session held abroad (visa, travel permit).

The letter is written in French, then in English, on one A4 portrait page. It states
facts only: who is invited, to what, where and when, and that the office organises it.
Costs are mentioned only when the organiser supplies the wording (``covered_costs_*``).
A verification code and a QR code let a consulate check the letter online.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from fpdf import FPDF

from . import DEFAULT_ISSUER
from .fonts import clean, new_pdf, scripts_in
from .layout import BLACK, GOLD, GREY, NAVY, block, line, picture
from .qr import draw_qr

__all__ = ["InvitationLetter", "render_invitation_letter"]

W, H = 210.0, 297.0
MARGIN = 20.0


@dataclass(frozen=True)
class InvitationLetter:
    """Everything printed on one invitation letter, as plain values."""

    participant_name_latin: str
    participant_name_native: str
    rank: str
    agency_name: str
    agency_country_fr: str
    agency_country_en: str
    session_title_fr: str
    session_title_en: str
    session_kind_fr: str
    session_kind_en: str
    city: str
    country_name_fr: str
    country_name_en: str
    start_date: date
    end_date: date
    letter_date: date
    verification_code: str
    signatory_name: str
    signatory_title: str
    verify_url: str
    issuer_name: str = DEFAULT_ISSUER
    issuer_address: str = ""
    place_of_issue: str = "Hanoï"
    covered_costs_text_fr: str = ""
    covered_costs_text_en: str = ""
    #: The participant's signed check-in code (QR) and short personal code, once approved.
    checkin_qr: str = ""
    checkin_code: str = ""
    #: The signatory's English title, when it differs from the French one.
    signatory_title_en: str = ""
    #: Files of the signatory's signature and stamp images; empty: none drawn.
    signature_path: str = ""
    stamp_path: str = ""


#: The office's name as it reads inside a sentence ("organisé par l’Ambassade…"), per language;
#: the letterhead keeps the name as written.
ISSUER_IN_SENTENCE = {
    "fr": "l’Ambassade de France au Vietnam (service de sécurité intérieure)",
    "en": "the Embassy of France in Vietnam (internal security service)",
}


def _issuer_in_sentence(letter: InvitationLetter, code: str) -> str:
    if clean(letter.issuer_name) == clean(DEFAULT_ISSUER) and code in ISSUER_IN_SENTENCE:
        return ISSUER_IN_SENTENCE[code]
    return clean(letter.issuer_name)


def _section(letter: InvitationLetter, code: str) -> dict[str, str]:
    """Return the letter's subject, paragraphs and closing translated into ``code``."""
    fr = code == "fr"
    title = clean(letter.session_title_fr if fr else letter.session_title_en)
    kind = clean(letter.session_kind_fr if fr else letter.session_kind_en)
    country = clean(letter.country_name_fr if fr else letter.country_name_en)
    agency_country = clean(letter.agency_country_fr if fr else letter.agency_country_en)
    costs = clean(letter.covered_costs_text_fr if fr else letter.covered_costs_text_en)
    with force_locale(code):
        if letter.start_date == letter.end_date:
            dates = _("on %(date)s", date=format_date(letter.start_date, "long"))
        else:
            dates = _("from %(start)s to %(end)s",
                      start=format_date(letter.start_date, "long"),
                      end=format_date(letter.end_date, "long"))
        who = ", ".join(p for p in (clean(letter.participant_name_latin), clean(letter.rank),
                                    clean(letter.agency_name)) if p)
        if agency_country:
            who = f"{who} ({agency_country})"
        return {
            "place_date": _("%(place)s, %(date)s", place=clean(letter.place_of_issue),
                            date=format_date(letter.letter_date, "long")),
            "subject": _("Subject: invitation to %(title)s", title=title),
            "invite": _("We are pleased to confirm that %(who)s is invited to attend "
                        "“%(title)s” (%(kind)s), organised by %(issuer)s in %(city)s, "
                        "%(country)s, %(dates)s.",
                        who=who, title=title, kind=kind, issuer=_issuer_in_sentence(letter, code),
                        city=clean(letter.city), country=country, dates=dates),
            "purpose": _("This letter is issued at the participant's request to support "
                         "their visa or travel authorisation application."),
            "costs": costs,
            "verify": _("Its authenticity can be checked online with the code %(code)s at "
                        "%(url)s or by scanning the QR code below.",
                        code=clean(letter.verification_code), url=letter.verify_url),
            "closing": _("Yours faithfully,"),
        }


def _letterhead(pdf: FPDF, letter: InvitationLetter) -> float:
    """Draw the issuer's name and address with a rule below; return the y under it."""
    kw = {"x": MARGIN, "width": W - 2 * MARGIN, "align": "L"}
    y = line(pdf, clean(letter.issuer_name), 16, style="B", size=12, color=NAVY, **kw)
    for part in clean(letter.issuer_address).splitlines():
        y = line(pdf, part.strip(), y, size=9, color=GREY, **kw)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.6)
    pdf.line(MARGIN, y + 2, W - MARGIN, y + 2)
    return y + 6


def _addressee(pdf: FPDF, letter: InvitationLetter, y: float) -> float:
    """Draw the participant's names (both scripts), rank, agency and country."""
    kw = {"x": W / 2, "width": W / 2 - MARGIN, "align": "L"}
    y = line(pdf, clean(letter.participant_name_latin), y, style="B", size=11.5, **kw)
    native = clean(letter.participant_name_native)
    if native and native != clean(letter.participant_name_latin):
        y = line(pdf, native, y, size=11.5, **kw)
    # A long agency name wraps onto a second or third line rather than shrinking to an unreadable size.
    for part in (letter.rank, letter.agency_name, letter.agency_country_fr):
        y = block(pdf, clean(part), y, size=10, color=BLACK, max_lines=3, min_size=9, leading=1.45, **kw)
    return y


def _body(pdf: FPDF, text: dict[str, str], y: float) -> float:
    """Draw one language's version of the letter; return the y below it."""
    width = W - 2 * MARGIN
    kw = {"x": MARGIN, "width": width, "align": "L"}
    y = line(pdf, text["place_date"], y, size=10, color=BLACK, x=MARGIN, width=width, align="R")
    y = block(pdf, text["subject"], y + 2, style="B", size=10.5, color=NAVY, max_lines=2,
              min_size=8, **kw)
    for key in ("invite", "purpose", "costs", "verify"):
        if text[key]:
            # the verification paragraph holds an unbreakable URL: justifying it would
            # stretch the words of the line before it
            y = block(pdf, text[key], y + 2, size=10, color=BLACK, max_lines=6, min_size=7.5,
                      x=MARGIN, width=width, align="L" if key == "verify" else "J")
    return line(pdf, text["closing"], y + 2, size=10, color=BLACK, **kw)


def render_invitation_letter(letter: InvitationLetter) -> bytes:
    """Return the invitation letter PDF (French, then English) for ``letter``."""
    sections = [_section(letter, code) for code in ("fr", "en")]
    texts = [str(v) for v in vars(letter).values()]
    pdf = new_pdf(scripts_in(*texts), orientation="portrait")
    pdf.set_title(f"Invitation {clean(letter.verification_code)}")
    pdf.add_page()
    y = _letterhead(pdf, letter)
    y = _addressee(pdf, letter, y + 2)
    y = _body(pdf, sections[0], y + 6)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.3)
    pdf.line(W / 2 - 20, y + 4, W / 2 + 20, y + 4)
    y = _body(pdf, sections[1], y + 8)

    sign_y = max(y + 8, H - 62)
    if sign_y > H - 62:  # unusually long texts: keep the signature block whole
        pdf.add_page()
        sign_y = 30.0
    kw = {"x": W / 2, "width": W / 2 - MARGIN, "align": "L"}
    picture(pdf, letter.signature_path, x=W / 2, bottom=sign_y + 15.5, max_w=60, max_h=15, align="L")
    line(pdf, clean(letter.signatory_name), sign_y + 16, style="B", size=11, **kw)
    title = clean(letter.signatory_title)
    title_en = clean(letter.signatory_title_en)
    if title_en and title_en != title:
        title = f"{title} / {title_en}"
    block(pdf, title, sign_y + 21.5, size=9.5, color=GREY, max_lines=2, min_size=7, **kw)
    picture(pdf, letter.stamp_path, x=W - MARGIN - 16, bottom=sign_y + 34, max_w=30, max_h=30)
    qr_size = 30.0
    draw_qr(pdf, letter.verify_url, MARGIN, sign_y, qr_size)
    code_kw = {"x": MARGIN, "width": 80, "align": "L"}
    line(pdf, clean(letter.verification_code), sign_y + qr_size + 0.5, style="B", size=9,
         **code_kw)
    line(pdf, letter.verify_url, sign_y + qr_size + 5, size=6.5, color=GREY, min_size=4.5,
         **code_kw)
    if letter.checkin_qr:
        # The personal check-in code, scanned on arrival (between the verification QR and the signature).
        checkin_size, checkin_x = 24.0, W / 2 - 30
        draw_qr(pdf, letter.checkin_qr, checkin_x, sign_y, checkin_size)
        checkin_kw = {"x": checkin_x - 3, "width": checkin_size + 6, "align": "C"}
        line(pdf, "Pointage / Check-in", sign_y + checkin_size + 0.5, size=6.5, color=GREY, **checkin_kw)
        line(pdf, clean(letter.checkin_code), sign_y + checkin_size + 3.5, style="B", size=8, **checkin_kw)
    return bytes(pdf.output())
