"""The fonts cut at start-up keep their script's characters and shaping tables."""

from __future__ import annotations

from fontTools.ttLib import TTFont

from registrations.documents import fonts


def test_cut_fonts_keep_script_and_layout_tables():
    paths = fonts.cut_font_paths()
    assert paths is fonts.cut_font_paths()  # cut once per process
    for (family, style), path in paths.items():
        font = TTFont(path)
        cmap = font.getBestCmap()
        for table in ("GSUB", "GPOS", "GDEF"):
            assert table in font, (family, table)
        if family == fonts.KHMER:
            assert 0x17D2 in cmap and 0x179A in cmap and 0x17C1 in cmap
        if family == fonts.LAO:
            assert 0x0EC0 in cmap and 0x0EDC in cmap
        if family == fonts.LATIN:
            assert 0x1EC5 in cmap and 0x01B0 in cmap  # ễ, ư
        assert path.stat().st_size < (fonts.FONT_DIR / fonts._SOURCES[(family, style)]).stat().st_size


def test_scripts_in():
    assert fonts.scripts_in("Nguyễn Thị Hương") == set()
    assert fonts.scripts_in("ស្រី", "x") == {fonts.KHMER}
    assert fonts.scripts_in("ເຂົ້າ", "ពេជ្រ") == {fonts.KHMER, fonts.LAO}


def test_web_fonts_css_points_at_shipped_woff2():
    import re

    static = fonts.FONT_DIR.parents[1] / "static"
    css = (static / "css" / "fonts.css").read_text()
    urls = re.findall(r'url\("\.\./fonts/([^"]+)"\)', css)
    assert len(urls) == 6  # Khmer and Lao, regular and bold, and the two language names of the bar
    for name in urls:
        font = TTFont(static / "fonts" / name)
        assert font.flavor == "woff2" and "GSUB" in font
    assert css.count("font-display: swap") == 6
    assert 'font-family: "Noto Sans Khmer"' in css and 'font-family: "Noto Sans Lao"' in css


def test_language_bar_fonts_draw_the_two_names_and_little_else():
    """The bar's Khmer and Lao names have small fonts of their own, so pages in other languages
    never fetch the full ones (checked in a browser by tests/browser/test_pages.py)."""
    from registrations.i18n import LANGUAGES

    static = fonts.FONT_DIR.parents[1] / "static" / "fonts"
    for name, language in (("KhmerLanguageName.woff2", "km"), ("LaoLanguageName.woff2", "lo")):
        path = static / name
        cmap = TTFont(path).getBestCmap()
        assert {ord(c) for c in LANGUAGES[language]} <= set(cmap)
        assert path.stat().st_size < 6000
