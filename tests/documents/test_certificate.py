"""Certificates: text, QR code, shaping of Khmer and Lao, one page, rendering."""

from __future__ import annotations

import dataclasses
import io

import pytest
import uharfbuzz as hb
from fontTools.ttLib import TTFont
from pdfcheck import (
    _outline_key,
    decode_qr,
    drawn_glyphs,
    is_blank,
    page_count,
    pdf_text,
    render_png,
    squeeze,
)
from pypdf import PdfReader

from registrations.documents import CertificateFacts, render_certificate, render_certificates
from registrations.documents.certificate import render_certificate_single
from registrations.documents.examples import example_certificate
from registrations.documents.fonts import FONT_DIR

KHMER_TITLE = "ព្រះរាជាណាចក្រកម្ពុជា"


@pytest.mark.parametrize("locale, name, title", [
    ("vi", "Nguyễn Thị Hương", "Quản lý hiện trường vụ án"),
    ("km", "ស្រី ពេជ្រ", KHMER_TITLE),
    ("lo", "ເຂົ້າໜຽວ", "ການຄຸ້ມຄອງສະຖານທີ່ເກີດເຫດ"),
])
def test_text_holds_names_serial_and_titles(locale, name, title):
    facts = example_certificate(locale, n=7, participant_name_native=name,
                                session_title_local=title)
    data = render_certificate(facts)
    assert data.startswith(b"%PDF-")
    assert page_count(data) == 1
    text = squeeze(pdf_text(data))
    for expected in (facts.participant_name_latin, name, facts.serial,
                     facts.session_title_fr, title):
        assert squeeze(expected) in text


def test_french_participant_gets_french_only():
    facts = example_certificate("fr")
    text = pdf_text(render_certificate(facts))
    assert facts.participant_name_latin in text
    assert facts.serial in text


def test_unknown_locale_is_refused():
    with pytest.raises(ValueError):
        render_certificate(dataclasses.replace(example_certificate("km"), locale="de"))


@pytest.mark.parametrize("locale", ["km", "lo", "vi"])
def test_qr_code_decodes_to_verify_url(locale, tmp_path):
    facts = example_certificate(locale, n=123)
    image = render_png(render_certificate(facts), tmp_path / "cert.png", dpi=170)
    assert facts.verify_url in decode_qr(image)


def test_long_texts_stay_on_one_page():
    facts = example_certificate(
        "km",
        participant_name_latin="NGUYEN-PHAM Thi Thanh Huong Extremely Long Family Name",
        agency_name="Department of Immigration Control, Ministry of Public Security, " * 3,
        session_title_fr="Séminaire régional sur la lutte contre la contrefaçon de "
                         "médicaments dangereux pour la santé publique " * 3,
        session_title_local=KHMER_TITLE * 6,
    )
    data = render_certificate(facts)
    assert page_count(data) == 1
    assert facts.serial in pdf_text(data)


def test_layered_and_single_documents_have_the_same_text():
    facts = example_certificate("lo")
    layered = squeeze(pdf_text(render_certificate(facts)))
    single = squeeze(pdf_text(render_certificate_single(facts)))
    assert sorted(layered) == sorted(single)


def test_a_batch_draws_each_certificate_as_alone(tmp_path):
    """Certificates drawn as one batch: each PDF is one page, its own certificate's, the same
    picture as when it is drawn alone, with its own title and Open Badge."""
    many = [example_certificate(locale, n=n, open_badge=f"badge.of.{n}" if n % 2 else "")
            for n, locale in enumerate(("km", "fr", "lo", "vi", "en"), start=1)]
    batch = render_certificates(many)
    assert len(batch) == len(many) and render_certificates([]) == []
    for n, (facts, data) in enumerate(zip(many, batch, strict=True), start=1):
        assert page_count(data) == 1
        reader = PdfReader(io.BytesIO(data))
        assert reader.metadata.title == f"Certificate {facts.serial}"
        assert reader.metadata.producer == "registrations"
        assert [f.serial for f in many if f.serial in pdf_text(data)] == [facts.serial]
        assert list(reader.attachments) == (["open-badge.jwt"] if n % 2 else [])
        alone = render_png(render_certificate(facts), tmp_path / f"alone-{n}.png", dpi=40)
        drawn = render_png(data, tmp_path / f"batch-{n}.png", dpi=40)
        assert alone.tobytes() == drawn.tobytes()


def _expected_keys(font_file: str, text: str) -> list[tuple]:
    """Outline keys of the glyphs HarfBuzz chooses for ``text``, word by word."""
    path = FONT_DIR / font_file
    font = TTFont(path)
    order = font.getGlyphOrder()
    hb_font = hb.Font(hb.Face(hb.Blob.from_file_path(str(path))))
    keys = []
    for word in text.split():
        buf = hb.Buffer()
        buf.add_str(word)
        buf.guess_segment_properties()
        hb.shape(hb_font, buf, {})
        keys += [_outline_key(font, order[info.codepoint]) for info in buf.glyph_infos]
    return keys


def _contains(haystack: list, needle: list) -> bool:
    n = len(needle)
    return any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


@pytest.mark.parametrize("locale, font_file, marker, name", [
    ("km", "NotoSansKhmer-Regular.ttf", "Khmer", "ស្រី ពេជ្រ"),
    ("lo", "NotoSansLao-Regular.ttf", "Lao", "ເຂົ້າໜຽວ"),
])
def test_names_are_drawn_with_shaped_glyphs(locale, font_file, marker, name):
    facts = example_certificate(locale, participant_name_native=name)
    drawn = drawn_glyphs(render_certificate(facts), marker)
    expected = _expected_keys(font_file, name)
    assert _contains(drawn, expected)

    # The same characters drawn one glyph per character (no shaping) must differ,
    # otherwise this test could not tell shaped from unshaped output.
    source = TTFont(FONT_DIR / font_file)
    cmap = source.getBestCmap()
    naive = [_outline_key(source, cmap[ord(ch)]) for ch in name if not ch.isspace()]
    assert naive != expected
    assert not _contains(drawn, naive)


def test_khmer_subscript_and_prebase_vowel():
    """ស្រី: coeng + ro becomes one subscript glyph; ពេជ្រ: the vowel e is drawn first."""
    source = TTFont(FONT_DIR / "NotoSansKhmer-Regular.ttf")
    cmap = source.getBestCmap()
    key = lambda cp: _outline_key(source, cmap[cp])  # noqa: E731
    facts = example_certificate("km", participant_name_native="ស្រី ពេជ្រ")
    drawn = drawn_glyphs(render_certificate(facts), "Khmer")
    coeng, ro, sa, pa, vowel_e = key(0x17D2), key(0x179A), key(0x179F), key(0x1796), key(0x17C1)
    assert coeng not in drawn  # plain coeng never appears: always merged with its consonant
    assert not _contains(drawn, [sa, coeng, ro])
    assert _contains(drawn, [vowel_e, pa]) or any(
        drawn[i] == vowel_e and pa in drawn[i + 1:i + 3] for i in range(len(drawn)))


@pytest.mark.parametrize("locale", ["km", "lo"])
def test_golden_rendering_is_not_blank(locale, tmp_path):
    path = tmp_path / f"certificate-{locale}.png"
    image = render_png(render_certificate(example_certificate(locale)), path, dpi=100)
    assert path.exists() and path.stat().st_size > 10_000
    assert image.width > image.height  # landscape
    assert not is_blank(image)
    # the name band (upper middle of the page) has ink in it
    w, h = image.size
    assert not is_blank(image.crop((w // 4, int(h * 0.27), 3 * w // 4, int(h * 0.40))))


def test_certificate_metadata_and_size():
    facts = example_certificate("km")
    data = render_certificate(facts)
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.title == f"Certificate {facts.serial}"
    assert len(data) < 120_000


def test_facts_are_frozen():
    facts = example_certificate("vi")
    with pytest.raises(dataclasses.FrozenInstanceError):
        facts.serial = "X"  # type: ignore[misc]
    assert isinstance(facts, CertificateFacts)


def test_a_certificate_encodes_its_qr_code_once(tmp_path):
    """The code is measured (qr.qr_side) and then drawn (qr.draw_qr): one encoding for both, and
    the drawn code still decodes to its address."""
    from registrations.documents import qr

    facts = example_certificate("km", n=7)
    qr.make_qr.cache_clear()
    pdf = render_certificates([facts])[0]
    info = qr.make_qr.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    assert facts.verify_url in decode_qr(render_png(pdf, tmp_path / "cert.png", dpi=170))
