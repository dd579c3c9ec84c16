"""Certificates of participation: one A4 landscape page, in French and the participant's language.

A certificate is drawn in two layers. The background holds everything shared by the
certificates of one session in one language (frame, wording, session, signatory); it is
drawn once and cached. The overlay holds what belongs to one participant (name, rank,
agency, attendance, serial, QR code). The two are merged with pikepdf.

fpdf2 spends most of a document's time loading and subsetting its fonts, once per document
whatever its number of pages. So the overlays of many certificates are drawn as the pages of
one document, which pikepdf then takes apart, one page per certificate: a batch of 24 costs
about a quarter of 24 separate overlays per certificate, the same page to the pixel, and each
certificate carries the glyphs of its batch (about 10 % more bytes).

Static wording goes through Flask-Babel, so rendering needs an application context.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from dataclasses import astuple, dataclass
from datetime import date

import pikepdf
from flask_babel import force_locale, format_date, ngettext
from flask_babel import gettext as _
from fpdf import FPDF

from . import DEFAULT_ISSUER
from .fonts import clean, new_pdf, scripts_in
from .layout import BLACK, GOLD, GREY, NAVY, block, line, picture
from .qr import draw_qr, qr_side

__all__ = ["CertificateFacts", "render_certificate", "render_certificate_single", "render_certificates"]

BADGE_FILE = "open-badge.jwt"
LOCALES = ("fr", "en", "vi", "km", "lo")

W, H = 297.0, 210.0  # A4 landscape, mm
TEXT_X, TEXT_W = 32.0, W - 64.0
#: Error correction of the certificate's QR code: L, as SMART Health Cards use for signed
#: payloads; with the token M would need version 21 instead of 18, modules 15 % smaller.
QR_ERROR = "l"
#: The QR code: size of a module, right and bottom edges of its square (quiet zone included), mm.
#: 0.5 mm modules are 2.2 pixels in a 110-dpi scan; with a token the code is version 18 or 19,
#: about 49 mm wide (measured, README "Credentials"); a bare address stays small.
QR_MODULE, QR_RIGHT, QR_BOTTOM = 0.5, W - 16.0, 194.0


@dataclass(frozen=True)
class CertificateFacts:
    """Everything printed on one certificate, as plain values (no database objects)."""

    locale: str
    participant_name_latin: str
    participant_name_native: str
    rank: str
    agency_name: str
    agency_name_local: str
    session_title_fr: str
    session_title_local: str
    session_kind_fr: str
    session_kind_local: str
    city: str
    country_name_fr: str
    country_name_local: str
    start_date: date
    end_date: date
    days_attended: int
    days_held: int
    serial: str
    issue_date: date
    signatory_name: str
    signatory_title: str
    verify_url: str
    issuer_name: str = DEFAULT_ISSUER
    #: The signatory's title in the participant's language, when it differs from the French one.
    signatory_title_local: str = ""
    #: Files of the signatory's signature and stamp images; empty: none drawn.
    signature_path: str = ""
    stamp_path: str = ""
    #: The short code people type with the serial on the verification form ("7KQ2-M9PX").
    short_code: str = ""
    #: The signed token (compact JWS) the QR code carries after `#`; empty: the address alone.
    credential: str = ""
    #: The Open Badges 3.0 credential (VC-JWT), attached to the PDF as `open-badge.jwt`; empty: none.
    open_badge: str = ""

    @property
    def qr_content(self) -> str:
        return f"{self.verify_url}#{self.credential}" if self.credential else self.verify_url


def _languages(facts: CertificateFacts) -> list[str]:
    """French first, then the participant's language unless it is French."""
    if facts.locale not in LOCALES:
        raise ValueError(f"unsupported certificate locale: {facts.locale!r}")
    return ["fr"] if facts.locale == "fr" else ["fr", facts.locale]


def _labels(code: str, facts: CertificateFacts) -> dict[str, str]:
    """Translate the certificate's wording into ``code`` with the application's catalogs."""
    with force_locale(code):
        if facts.start_date == facts.end_date:
            dates = _("on %(date)s", date=format_date(facts.start_date, "long"))
        else:
            dates = _("from %(start)s to %(end)s",
                      start=format_date(facts.start_date, "long"),
                      end=format_date(facts.end_date, "long"))
        return {
            "title": _("Certificate of participation"),
            "awarded": _("awarded to"),
            "attended": _("has attended"),
            "dates": dates,
            "attendance": ngettext("Attended %(attended)d of %(num)d day",
                                   "Attended %(attended)d of %(num)d days",
                                   facts.days_held, attended=facts.days_attended),
            "number": _("Number"),
            "issued": _("Issued on"),
            "issue_date": format_date(facts.issue_date, "long"),
            "verify": _("Verify"),
        }


def _pair(fr: str, local: str | None, sep: str = " / ") -> str:
    """Join a French and a local label, dropping the local one when it adds nothing."""
    if not local or local == fr:
        return fr
    return f"{fr}{sep}{local}"


def _frame(pdf: FPDF) -> None:
    """Draw the double border with small corner diamonds."""
    pdf.set_draw_color(*NAVY)
    pdf.set_line_width(1.4)
    pdf.rect(8, 8, W - 16, H - 16)
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(0.4)
    pdf.rect(11.5, 11.5, W - 23, H - 23)
    pdf.set_fill_color(*GOLD)
    for cx, cy in ((11.5, 11.5), (W - 11.5, 11.5), (11.5, H - 11.5), (W - 11.5, H - 11.5)):
        pdf.polygon([(cx - 2.2, cy), (cx, cy - 2.2), (cx + 2.2, cy), (cx, cy + 2.2)], style="F")
    pdf.set_line_width(0.3)
    pdf.line(W / 2 - 30, 26, W / 2 + 30, 26)


def _draw_background(pdf: FPDF, facts: CertificateFacts, labels: list[dict[str, str]]) -> None:
    """Draw what all certificates of a session share in one language."""
    fr = labels[0]
    lo = labels[1] if len(labels) > 1 else {}
    local = len(labels) > 1
    _frame(pdf)
    kw = {"x": TEXT_X, "width": TEXT_W}
    line(pdf, clean(facts.issuer_name), 16.5, style="B", size=10.5, color=NAVY, **kw)
    y = line(pdf, fr["title"], 29, style="B", size=30, color=NAVY, **kw)
    if local and lo["title"] != fr["title"]:
        line(pdf, lo["title"], y - 1, size=15, color=NAVY, **kw)
    line(pdf, _pair(fr["awarded"], lo.get("awarded")), 53, size=10.5, color=GREY, **kw)

    y = line(pdf, _pair(fr["attended"], lo.get("attended")), 103, size=10.5, color=GREY, **kw)
    title_fr = clean(facts.session_title_fr)
    title_local = clean(facts.session_title_local)
    y = block(pdf, title_fr, y + 0.5, style="B", size=16, color=BLACK, max_lines=2,
              min_size=9, **kw)
    if local and title_local and title_local != title_fr:
        y = block(pdf, title_local, y + 0.5, style="B", size=13, color=BLACK, max_lines=2,
                  min_size=8, **kw)
    place_fr = f"{clean(facts.city)}, {clean(facts.country_name_fr)}"
    y = line(pdf, f"{clean(facts.session_kind_fr)} · {place_fr} · {fr['dates']}", y + 1.5,
             size=11, color=GREY, **kw)
    if local:
        place = f"{clean(facts.city)}, {clean(facts.country_name_local or facts.country_name_fr)}"
        text = f"{clean(facts.session_kind_local or facts.session_kind_fr)} · {place} · {lo['dates']}"
        line(pdf, text, y, size=11, color=GREY, **kw)

    # Bottom band: number and issue date (left), signatory (centre), QR label (right).
    line(pdf, _pair(fr["number"], lo.get("number")), 168, size=8.5, color=GREY,
         x=22, width=80, align="L")
    line(pdf, _pair(fr["issued"], lo.get("issued")), 180, size=8.5, color=GREY,
         x=22, width=80, align="L")
    line(pdf, _pair(fr["issue_date"], lo.get("issue_date")), 184.5, size=10.5, color=BLACK,
         x=22, width=80, align="L")
    pdf.set_draw_color(*GREY)
    pdf.set_line_width(0.3)
    pdf.line(W / 2 - 40, 181, W / 2 + 40, 181)
    line(pdf, clean(facts.signatory_name), 182, style="B", size=11, color=BLACK,
         x=W / 2 - 55, width=110)
    line(pdf, clean(facts.signatory_title), 187.5, size=9, color=GREY, x=W / 2 - 55, width=110)
    title_local = clean(facts.signatory_title_local)
    if local and title_local and title_local != clean(facts.signatory_title):
        line(pdf, title_local, 191.5, size=8, color=GREY, x=W / 2 - 55, width=110, min_size=6)
    # The signature above its line, the stamp across its right end (as a hand stamp lands).
    picture(pdf, facts.signature_path, x=W / 2, bottom=180.5, max_w=70, max_h=17)
    picture(pdf, facts.stamp_path, x=W / 2 + 44, bottom=192, max_w=30, max_h=30)


def _draw_overlay(pdf: FPDF, facts: CertificateFacts, labels: list[dict[str, str]]) -> None:
    """Draw what belongs to one participant: names, rank, agency, attendance, serial, QR."""
    kw = {"x": TEXT_X, "width": TEXT_W}
    y = line(pdf, clean(facts.participant_name_latin), 58, style="B", size=28, color=BLACK,
             min_size=12, **kw)
    native = clean(facts.participant_name_native)
    if native and native != clean(facts.participant_name_latin):
        y = line(pdf, native, y - 1, size=18, color=BLACK, min_size=10, **kw)
    rank_agency = " · ".join(p for p in (clean(facts.rank), clean(facts.agency_name)) if p)
    y = line(pdf, rank_agency, y + 0.5, size=12, color=NAVY, **kw)
    agency_local = clean(facts.agency_name_local)
    if agency_local and agency_local != clean(facts.agency_name) and len(labels) > 1:
        line(pdf, agency_local, y, size=11, color=NAVY, **kw)

    fr = labels[0]["attendance"]
    local = labels[1]["attendance"] if len(labels) > 1 else None
    line(pdf, _pair(fr, local), 147, size=11, color=BLACK, **kw)
    line(pdf, clean(facts.serial), 172, style="B", size=11, color=BLACK, x=22, width=80,
         align="L")
    side = max(qr_side(facts.qr_content, QR_MODULE, QR_ERROR), 27.0)
    qr_x, qr_y = QR_RIGHT - side, QR_BOTTOM - side
    draw_qr(pdf, facts.qr_content, qr_x, qr_y, side, error=QR_ERROR)
    # Under the QR code, in type people can read: where to verify (the full address is in the
    # QR code); beside it, the short code that goes with the serial number on that form.
    page = facts.verify_url.rsplit("/", 1)[0] if facts.short_code else facts.verify_url
    line(pdf, page.split("://", 1)[-1], QR_BOTTOM + 0.3, size=8 if facts.short_code else 6, color=GREY,
         x=QR_RIGHT - 80, width=80, align="R", min_size=4)
    if facts.short_code:
        line(pdf, facts.short_code, QR_BOTTOM - 6.5, style="B", size=12, color=BLACK, x=qr_x - 34,
             width=32, align="R", min_size=9)
    line(pdf, _pair(labels[0]["verify"], labels[1]["verify"] if len(labels) > 1 else None), qr_y - 3.6,
         size=8, color=GREY, x=QR_RIGHT - 64, width=64, align="R")


def _session_key(facts: CertificateFacts, labels: list[dict[str, str]]) -> tuple:
    """Key of the background cache: every value the background draws, wording included."""
    shared = {k: v for k, v in zip(CertificateFacts.__dataclass_fields__, astuple(facts), strict=False)
              if k in _BACKGROUND_FIELDS}
    words = tuple(tuple(sorted((k, v) for k, v in lab.items() if k != "attendance"))
                  for lab in labels)
    return (tuple(sorted(shared.items())), words)


_BACKGROUND_FIELDS = frozenset({
    "locale", "session_title_fr", "session_title_local", "session_kind_fr",
    "session_kind_local", "city", "country_name_fr", "country_name_local", "start_date",
    "end_date", "issue_date", "signatory_name", "signatory_title", "issuer_name",
    "signatory_title_local", "signature_path", "stamp_path",
})
_BG_CACHE_SIZE = 64
_bg_cache: OrderedDict[tuple, bytes] = OrderedDict()
_bg_lock = threading.Lock()


def _background(facts: CertificateFacts, labels: list[dict[str, str]]) -> bytes:
    """Return the background PDF for this session and language, drawing it on a cache miss."""
    key = _session_key(facts, labels)
    with _bg_lock:
        cached = _bg_cache.get(key)
        if cached is not None:
            _bg_cache.move_to_end(key)
            return cached
    texts = [facts.session_title_local, facts.session_kind_local, facts.country_name_local,
             facts.signatory_name, facts.signatory_title, facts.issuer_name, facts.signatory_title_local]
    texts += [v for lab in labels for v in lab.values()]
    pdf = new_pdf(scripts_in(*texts), orientation="landscape")
    pdf.add_page()
    _draw_background(pdf, facts, labels)
    data = bytes(pdf.output())
    with _bg_lock:
        _bg_cache[key] = data
        while len(_bg_cache) > _BG_CACHE_SIZE:
            _bg_cache.popitem(last=False)
    return data


def _overlays(batch: list[tuple[CertificateFacts, list[dict[str, str]]]]) -> bytes:
    """One PDF whose pages are the participants' own values, one page per certificate, in order,
    with as few fonts as possible."""
    texts = []
    for facts, labels in batch:
        texts += [facts.participant_name_native, facts.agency_name_local, facts.rank,
                  facts.agency_name, facts.participant_name_latin]
        texts += [lab[key] for lab in labels for key in ("attendance", "verify")]
    pdf = new_pdf(scripts_in(*texts), orientation="landscape", styles="RB", script_styles="R")
    for facts, labels in batch:
        pdf.add_page()
        _draw_overlay(pdf, facts, labels)
    return bytes(pdf.output())


def _merge(top: pikepdf.Pdf, page: int, background: bytes, title: str, badge: str = "") -> bytes:
    """Page `page` of the overlays over the background page, as a PDF of its own with the
    overlays' document information and `title`, and the Open Badge attached when there is one."""
    with pikepdf.new() as one, pikepdf.open(io.BytesIO(background)) as bottom:
        one.pages.append(top.pages[page])
        one.pages[0].add_underlay(bottom.pages[0])
        for key, value in top.docinfo.items():
            one.docinfo[key] = value
        one.docinfo["/Title"] = title
        if badge:
            one.attachments[BADGE_FILE] = pikepdf.AttachedFileSpec(
                one, badge.encode("ascii"), description="Open Badges 3.0 credential (VC-JWT)",
                filename=BADGE_FILE, mime_type="application/vc+jwt")
        out = io.BytesIO()
        one.save(out, compress_streams=True, deterministic_id=True)
    return out.getvalue()


def render_certificates(many: list[CertificateFacts]) -> list[bytes]:
    """The certificate PDFs of `many`, in order: their overlays drawn as one document (see the
    module's note), each over its background (cached per session and language)."""
    if not many:
        return []
    batch = [(facts, [_labels(code, facts) for code in _languages(facts)]) for facts in many]
    with pikepdf.open(io.BytesIO(_overlays(batch))) as top:
        return [_merge(top, page, _background(facts, labels), f"Certificate {clean(facts.serial)}",
                       facts.open_badge)
                for page, (facts, labels) in enumerate(batch)]


def render_certificate(facts: CertificateFacts) -> bytes:
    """Return the certificate PDF for ``facts`` (background cached per session and language)."""
    return render_certificates([facts])[0]


def render_certificate_single(facts: CertificateFacts, original_fonts: bool = False) -> bytes:
    """Draw the whole certificate as one fpdf2 document, without the background cache.

    Same page as ``render_certificate``; kept to measure the layered approach against
    and as a fallback. ``original_fonts=True`` embeds the uncut fonts (the naive way).
    """
    labels = [_labels(code, facts) for code in _languages(facts)]
    texts = [str(v) for v in astuple(facts)] + [v for lab in labels for v in lab.values()]
    pdf = new_pdf(scripts_in(*texts), orientation="landscape", original=original_fonts)
    pdf.set_title(f"Certificate {clean(facts.serial)}")
    pdf.add_page()
    _draw_background(pdf, facts, labels)
    _draw_overlay(pdf, facts, labels)
    return bytes(pdf.output())
