"""Fonts for generated PDFs: Noto Sans (Latin and Vietnamese), Noto Sans Khmer, Noto Sans Lao.

fpdf2 subsets every embedded font when a document is written, and that subsetting is
what a certificate costs, not drawing it. The shipped fonts are therefore cut once per
process to the characters of their script, keeping the OpenType layout tables (GSUB,
GPOS, GDEF) and their default features so that HarfBuzz still shapes Khmer and Lao
correctly. Each document then only has to subset a small font.

fpdf2's public ``add_font`` takes a file path, so the cut fonts are written to a private
temporary directory that is removed when the process exits.
"""

from __future__ import annotations

import atexit
import re
import shutil
import tempfile
import threading
import unicodedata
from pathlib import Path

from fontTools import subset as ftsubset
from fontTools.ttLib import TTFont
from fpdf import FPDF

__all__ = [
    "FONT_DIR",
    "LATIN",
    "KHMER",
    "LAO",
    "cut_font_paths",
    "scripts_in",
    "add_fonts",
    "new_pdf",
    "clean",
]

FONT_DIR = Path(__file__).resolve().parent / "fonts"

#: fpdf2 family names (lower case, without "b" or "i" confusion: fpdf2 strips the
#: style letters B and I from upper-cased font keys when it resolves fallbacks).
LATIN = "notosans"
KHMER = "khmer"
LAO = "lao"

_SOURCES: dict[tuple[str, str], str] = {
    (LATIN, ""): "NotoSans-Regular.ttf",
    (LATIN, "B"): "NotoSans-Bold.ttf",
    (KHMER, ""): "NotoSansKhmer-Regular.ttf",
    (KHMER, "B"): "NotoSansKhmer-Bold.ttf",
    (LAO, ""): "NotoSansLao-Regular.ttf",
    (LAO, "B"): "NotoSansLao-Bold.ttf",
}

_COMMON = [(0x20, 0x7E), (0xA0, 0xBF), (0x2002, 0x200D), (0x2010, 0x2027), (0x2030, 0x203A),
           (0x25CC, 0x25CC)]

#: Characters kept for each family, as inclusive ranges.
_RANGES: dict[str, list[tuple[int, int]]] = {
    LATIN: _COMMON
    + [
        (0xC0, 0x017F),  # Latin-1 letters, Latin Extended-A
        (0x01A0, 0x01B0),  # O and U with horn (Vietnamese)
        (0x0300, 0x036F),  # combining diacritics (Vietnamese tone marks in NFD text)
        (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese precomposed letters)
        (0x20AB, 0x20AC),  # dong and euro signs
        (0x2116, 0x2116),  # numero sign
    ],
    KHMER: _COMMON + [(0x1780, 0x17FF), (0x19E0, 0x19FF)],
    LAO: _COMMON + [(0x0E80, 0x0EFF)],
}

_lock = threading.Lock()
_cut_paths: dict[tuple[str, str], Path] | None = None


def _cut(source: Path, target: Path, ranges: list[tuple[int, int]]) -> None:
    """Write to ``target`` a copy of ``source`` reduced to the characters in ``ranges``.

    Layout tables and the default feature list are kept so shaping still works, and
    hinting is dropped because PDF viewers do not need it and it makes subsetting slower.
    """
    font = TTFont(source)
    available = set(font.getBestCmap())
    wanted = {cp for lo, hi in ranges for cp in range(lo, hi + 1)} & available
    options = ftsubset.Options()
    options.layout_features = list(options.layout_features)  # default features
    options.notdef_outline = True
    options.glyph_names = True
    options.hinting = False
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    subsetter = ftsubset.Subsetter(options)
    subsetter.populate(unicodes=sorted(wanted))
    subsetter.subset(font)
    font.save(target)
    font.close()


def cut_font_paths() -> dict[tuple[str, str], Path]:
    """Return the cut font files by ``(family, style)``, cutting them on the first call.

    The result is cached for the life of the process; the lock keeps two threads of a
    threaded server from cutting the same fonts at once.
    """
    global _cut_paths
    if _cut_paths is not None:
        return _cut_paths
    with _lock:
        if _cut_paths is None:
            workdir = Path(tempfile.mkdtemp(prefix="pdf-fonts-"))
            atexit.register(shutil.rmtree, workdir, True)
            paths = {}
            for (family, style), name in _SOURCES.items():
                target = workdir / f"{family}{style or 'R'}.ttf"
                _cut(FONT_DIR / name, target, _RANGES[family])
                paths[(family, style)] = target
            _cut_paths = paths
    return _cut_paths


def scripts_in(*texts: str) -> set[str]:
    """Return the non-Latin families (``KHMER``, ``LAO``) needed to draw ``texts``.

    Only the fonts a document uses are added to it, because fpdf2 embeds (and
    subsets) every font that was added, used or not.
    """
    found: set[str] = set()
    for text in texts:
        for ch in text or "":
            cp = ord(ch)
            if 0x1780 <= cp <= 0x17FF or 0x19E0 <= cp <= 0x19FF:
                found.add(KHMER)
            elif 0x0E80 <= cp <= 0x0EFF:
                found.add(LAO)
    return found


def add_fonts(pdf: FPDF, scripts: set[str], styles: str = "RB",
              script_styles: str | None = None, original: bool = False) -> None:
    """Add the Latin family and the given script families to ``pdf`` and turn on shaping.

    The Latin family is the one to select with ``set_font``: Khmer and Lao are
    fallbacks, so a string that mixes scripts picks the right font per character, and
    HarfBuzz (through ``set_text_shaping``) reorders and substitutes the glyphs.
    ``styles`` ("R", "B" or "RB") are the Latin weights, ``script_styles`` those of the
    script fonts (default: the same); fewer fonts make a document cheaper to write.
    ``original=True`` embeds the full shipped fonts instead of the cut ones (only for
    measuring what the cutting saves).
    """
    paths = cut_font_paths()
    wanted = [LATIN] + [s for s in (KHMER, LAO) if s in scripts]
    for family in wanted:
        weights = styles if family == LATIN or script_styles is None else script_styles
        for style in weights:
            fpdf_style = "" if style == "R" else style
            path = FONT_DIR / _SOURCES[(family, fpdf_style)] if original else paths[(family, fpdf_style)]
            pdf.add_font(family, fpdf_style, path)
    if len(wanted) > 1:
        pdf.set_fallback_fonts(wanted[1:], exact_match=False)
    pdf.set_text_shaping(True)


def new_pdf(scripts: set[str], orientation: str = "portrait", styles: str = "RB",
            script_styles: str | None = None, original: bool = False) -> FPDF:
    """Create an A4 ``FPDF`` with the fonts for ``scripts`` added and no automatic page break."""
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_creator("registrations")
    pdf.set_producer("registrations")
    add_fonts(pdf, scripts, styles, script_styles, original)
    pdf.set_font(LATIN, "", 11)
    return pdf


def clean(text: str | None) -> str:
    """Normalise ``text`` to NFC and trim it, so Vietnamese typed in decomposed form
    uses the precomposed glyphs and empty values become ``""``; bidirectional controls and
    other invisible controls (from data older than the input checks) are dropped, since the
    PDF writer would reverse or garble the line after them."""
    return unicodedata.normalize("NFC", _UNDRAWABLE.sub("", text or "")).strip()


#: Characters never drawn: bidi controls and C0/C1 controls other than tab and line breaks.
_UNDRAWABLE = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
                         "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
