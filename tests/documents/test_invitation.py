"""Invitation letters: both languages, names in both scripts, verifiable QR code."""

from __future__ import annotations

from pdfcheck import decode_qr, page_count, pdf_text, render_png, squeeze

from registrations.documents import render_invitation_letter
from registrations.documents.examples import example_invitation


def test_letter_holds_names_titles_and_code(tmp_path):
    letter = example_invitation("km")
    data = render_invitation_letter(letter)
    assert page_count(data) == 1
    text = squeeze(pdf_text(data))
    for expected in (letter.participant_name_latin, letter.participant_name_native,
                     letter.session_title_fr, letter.session_title_en,
                     letter.verification_code, letter.signatory_name):
        assert squeeze(expected) in text
    image = render_png(data, tmp_path / "letter.png", dpi=170)
    assert letter.verify_url in decode_qr(image)


def test_costs_only_when_given():
    plain = squeeze(pdf_text(render_invitation_letter(example_invitation("lo"))))
    assert "accommodation" not in plain
    letter = example_invitation(
        "lo", covered_costs_text_en="The office covers accommodation during the seminar.",
        covered_costs_text_fr="Le service prend en charge l'hébergement.")
    text = squeeze(pdf_text(render_invitation_letter(letter)))
    assert squeeze(letter.covered_costs_text_en) in text
    assert squeeze(letter.covered_costs_text_fr) in text


def test_an_approved_participants_letter_carries_the_signed_checkin_code(tmp_path):
    letter = example_invitation("vi", checkin_qr="CT1.7.K7M2QX.AbCdEfGhIjKlMnOp", checkin_code="K7M2QX")
    data = render_invitation_letter(letter)
    assert page_count(data) == 1
    assert "K7M2QX" in squeeze(pdf_text(data))
    found = decode_qr(render_png(data, tmp_path / "letter-checkin.png", dpi=170))
    assert letter.verify_url in found and "CT1.7.K7M2QX.AbCdEfGhIjKlMnOp" in found
