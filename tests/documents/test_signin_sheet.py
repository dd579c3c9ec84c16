"""Sign-in sheets: pagination, repeated headings, every name and agency readable."""

from __future__ import annotations

from datetime import date

from pdfcheck import is_blank, page_count, pdf_text, render_png, squeeze

from registrations.documents import SigninRow, SigninSheet, render_signin_sheet
from registrations.documents.examples import example_signin_sheet


def test_45_rows_make_two_pages_with_every_name():
    sheet = example_signin_sheet(45)
    data = render_signin_sheet(sheet)
    assert page_count(data) == 2
    text = squeeze(pdf_text(data))
    for row in sheet.rows:
        assert squeeze(row.name_latin) in text
        if row.name_native:
            assert squeeze(row.name_native) in text
    assert squeeze("Cambodian National Police") in text
    assert squeeze("Page 1 / 2") in text and squeeze("Page 2 / 2") in text


def test_headings_repeat_on_every_page():
    data = render_signin_sheet(example_signin_sheet(60))
    from io import BytesIO

    from pypdf import PdfReader

    pages = PdfReader(BytesIO(data)).pages
    assert len(pages) == 3
    for page in pages:
        text = page.extract_text()
        assert "Signature" in text and "Gestion d'une scène de crime" in text


def test_empty_sheet_has_one_page(tmp_path):
    sheet = SigninSheet(locale="en", session_title="Protection des mineurs", city="Hà Nội",
                        day_date=date(2026, 7, 1), day_part_label="", rows=[])
    data = render_signin_sheet(sheet)
    assert page_count(data) == 1
    assert not is_blank(render_png(data, tmp_path / "sheet.png", dpi=50))


def test_long_agency_names_do_not_break_the_table():
    rows = [SigninRow("SOMCHAI Vongsa", "ສົມໃຈ ວົງສາ", "Department of " * 12)] * 3
    sheet = SigninSheet(locale="fr", session_title="Titre " * 40, city="Vientiane",
                        day_date=date(2026, 7, 2), day_part_label="Après-midi", rows=rows)
    data = render_signin_sheet(sheet)
    assert page_count(data) == 1
    assert squeeze("ສົມໃຈ ວົງສາ") in squeeze(pdf_text(data))
