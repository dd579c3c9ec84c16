"""The public verification page: valid, revoked, superseded, unknown codes, rate limit, the form."""

import io
import re

import pytest

from registrations.certificates.services import issue, reissue, revoke
from registrations.certificates.typed import short_code
from registrations.transaction import run


@pytest.fixture
def certificate(ended_session, attendee):
    session = ended_session(title_fr="Lutte contre les stupéfiants")
    registration = attendee(session, name_latin="Keo Sophea", name_native="កែវ សុភា", locale="km")
    return run(issue, registration.id)[0]


def _page(client, code, lang="en"):
    return client.get(f"/verify/{code}", headers={"Accept-Language": lang})


def test_valid_certificate_page(client, certificate):
    response = _page(client, certificate.code)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-status="valid"' in html
    for expected in ("Keo Sophea", "កែវ សុភា", "Lutte contre les stupéfiants", certificate.serial):
        assert expected in html
    assert 'name="robots" content="noindex, nofollow"' in html


def test_the_french_facts_are_marked_french_for_every_reader(client, certificate):
    """The certificate's facts are written in French (the session's title, kind and country):
    a screen reader reads them as French on a page in another language."""
    html = _page(client, certificate.code, lang="km").get_data(as_text=True)
    assert '<span lang="fr">Lutte contre les stupéfiants</span>' in html
    assert '<span class="text-body-secondary" lang="fr">Formation · Hà Nội, Viêt Nam</span>' in html


def test_page_answers_in_the_reader_language(client, certificate):
    html = _page(client, certificate.code, lang="fr").get_data(as_text=True)
    assert 'lang="fr"' in html and "Valide" in html


def test_revoked_certificate_page_shows_date_and_reason(client, certificate):
    run(revoke, certificate.id, "Présence falsifiée")
    html = _page(client, certificate.code).get_data(as_text=True)
    assert 'data-status="revoked"' in html
    assert "Présence falsifiée" in html
    assert re.search(r"revoked on \w+ \d+, \d{4}", html)


def test_superseded_certificate_points_to_nothing(client, certificate):
    new = run(reissue, certificate.id)
    html = _page(client, certificate.code).get_data(as_text=True)
    assert 'data-status="superseded"' in html
    assert "replaced by a corrected certificate" in html
    assert new.code not in html and new.serial not in html
    assert 'data-status="valid"' in _page(client, new.code).get_data(as_text=True)


@pytest.mark.parametrize("code", ["A" * 32, "zqzq", "not-a-code-at-all", "a" * 500, "MQ.forgedsignature",
                                  "%3Cscript%3E"])
def test_wrong_code_is_a_plain_not_found(client, certificate, code):
    response = _page(client, code)
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    main = html[html.index('<main'):html.index('</main>')]
    assert "Not found." in main
    assert code not in main and "<script>" not in main
    for word in ("revoked", "valid", "certificate", "superseded", certificate.serial):
        assert word not in main.lower()


def test_every_wrong_code_gets_the_same_answer(client, certificate):
    def body(code):
        html = _page(client, code).get_data(as_text=True)
        # The language switcher returns to the same address; nothing else may differ.
        return re.sub(r'name="(csrf_token|next)" value="[^"]*"', "", html)

    assert body("B" * 32) == body("C" * 40) == body("MQ.x") == body(certificate.code[:-1] + "?")


def test_verification_is_rate_limited_per_address(client, certificate, app):
    limit = int(app.config["VERIFY_LIMIT_PER_ADDRESS"].split()[0])
    for _ in range(limit):
        assert _page(client, certificate.code, lang="fr").status_code == 200
    refused = _page(client, "A" * 32, lang="fr")
    assert refused.status_code == 429
    assert "Trop de tentatives" in refused.get_data(as_text=True)
    other = app.test_client()
    assert other.get(f"/verify/{certificate.code}", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200


def test_verify_form_sends_a_code_to_its_page(client, certificate):
    form = client.get("/verify", headers={"Accept-Language": "en"})
    assert form.status_code == 200
    assert 'name="code"' in form.get_data(as_text=True)
    response = client.get(f"/verify?code=++{certificate.code}++")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/verify/{certificate.code}")


@pytest.mark.parametrize("code", ["", "<b>x</b>", "short"])
def test_verify_form_refuses_what_is_not_a_code(client, code):
    response = client.get("/verify", query_string={"code": code}, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "is-invalid" in html
    assert "<b>x</b>" not in html


# ---------------------------------------------------------------- typed verification

def _typed(client, lang="en", **fields):
    return client.get("/verify", query_string=fields, headers={"Accept-Language": lang})


@pytest.mark.parametrize("family_name", ["Keo", "keo", "KEO", "Sophea", "  keo  ", "កែវ"])
def test_a_serial_and_a_family_name_find_the_certificate(client, certificate, family_name):
    response = _typed(client, code=certificate.serial.lower().replace("-", " "), family_name=family_name)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/verify/{certificate.code}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-status="valid"' in page and "Keo Sophea" in page


def test_accents_are_optional_in_the_family_name(client, db, ended_session, attendee):
    session = ended_session()
    registration = attendee(session, name_latin="Nguyễn Thị Hương", locale="vi")
    certificate = run(issue, registration.id)[0]
    for typed in ("nguyen", "NGUYỄN", "Hương", "huong"):
        assert _typed(client, code=certificate.serial, family_name=typed).status_code == 302
    assert _typed(client, code=certificate.serial, family_name="Thi").status_code == 404


def test_a_serial_and_the_short_code_find_the_certificate(client, certificate):
    printed = short_code(certificate.code)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", printed)
    assert printed == certificate.facts["short_code"]
    typed = printed.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    response = _typed(client, code=certificate.serial, short_code=typed)
    assert response.status_code == 302 and response.headers["Location"].endswith(certificate.code)


@pytest.mark.parametrize("lang,message", [
    ("en", "No certificate matches this serial number"), ("fr", "Aucune attestation ne correspond"),
    ("vi", "Không có chứng chỉ"), ("km", "គ្មានវិញ្ញាបនបត្រ"), ("lo", "ບໍ່ມີໃບຢັ້ງຢືນ")])
def test_wrong_input_is_a_message_on_the_form(client, certificate, lang, message):
    for fields in ({"family_name": "Dupont"}, {"short_code": "0000-0000"}):
        response = _typed(client, lang=lang, code=certificate.serial, **fields)
        assert response.status_code == 404
        html = response.get_data(as_text=True)
        assert message in html and 'name="family_name"' in html and "is-invalid" in html
        assert "Keo" not in html
    unknown = _typed(client, lang=lang, code="HAN-2026-9999", family_name="Keo")
    assert unknown.status_code == 404 and message in unknown.get_data(as_text=True)


def test_a_serial_alone_asks_for_the_family_name(client, certificate):
    response = _typed(client, code=certificate.serial)
    assert response.status_code == 400
    assert "family name or the short code" in response.get_data(as_text=True)


def test_an_unknown_long_code_is_a_message_on_the_form(client, certificate):
    response = _typed(client, code="B" * 32)
    assert response.status_code == 404
    assert "No certificate or letter has this code" in response.get_data(as_text=True)


def test_typed_verification_is_rate_limited_per_address(client, certificate, app):
    limit = int(app.config["VERIFY_LIMIT_PER_ADDRESS"].split()[0])
    for _ in range(limit):
        assert _typed(client, code=certificate.serial, family_name="Dupont").status_code == 404
    assert _typed(client, code=certificate.serial, family_name="Keo").status_code == 429
    assert client.get("/verify").status_code == 200  # the empty form is not counted


def test_the_short_code_is_printed_in_readable_type(certificate, app):
    from pypdf import PdfReader

    from registrations.certificates.facts import render
    text = PdfReader(io.BytesIO(render(certificate.facts))).pages[0].extract_text()
    assert short_code(certificate.code) in text
    assert certificate.code not in text  # the long code is in the QR code only


def _where_printed(data: bytes, texts: list[str]) -> tuple[tuple, dict[str, tuple]]:
    """The QR code's box and each text's box on the certificate's page, in points from the top
    left: (left, top, right, bottom)."""
    import pypdfium2 as pdfium
    import zxingcpp

    document = pdfium.PdfDocument(data)
    try:
        page = document[0]
        height, scale = page.get_height(), 150 / 72
        [found] = zxingcpp.read_barcodes(page.render(scale=scale).to_pil())
        corners = [found.position.top_left, found.position.bottom_right]
        qr = (corners[0].x / scale, corners[0].y / scale, corners[1].x / scale, corners[1].y / scale)
        textpage, boxes = page.get_textpage(), {}
        for text in texts:
            index, count = textpage.search(text).get_next()
            chars = [textpage.get_charbox(i) for i in range(index, index + count)]
            boxes[text] = (min(c[0] for c in chars), height - max(c[3] for c in chars),
                           max(c[2] for c in chars), height - min(c[1] for c in chars))
        return qr, boxes
    finally:
        document.close()


# The words of the form's help text that say where the short code is, in each language.
_BESIDE = {"en": "to the left of its QR code", "fr": "à gauche de son code QR", "vi": "bên trái mã QR",
           "km": "នៅខាងឆ្វេងកូដ QR", "lo": "ເບື້ອງຊ້າຍຂອງລະຫັດ QR"}
_UNDER = {"en": "under the QR code", "fr": "sous le code QR", "vi": "dưới mã QR",
          "km": "នៅក្រោមកូដ QR", "lo": "ກ້ອງລະຫັດ QR"}


@pytest.mark.parametrize("lang", sorted(_BESIDE))
def test_the_form_says_where_the_certificate_prints_the_short_code(client, certificate, lang):
    """The certificate prints the short code to the left of its QR code and the verification page's
    address under it; the form's help text sends the reader there, in every language."""
    from registrations.certificates.facts import render

    printed = short_code(certificate.code)
    address = certificate.facts["verify_url"].rsplit("/", 1)[0].split("://", 1)[-1]
    qr, boxes = _where_printed(render(certificate.facts), [printed, address])
    left, top, right, bottom = boxes[printed]
    assert right < qr[0] and qr[1] < (top + bottom) / 2 < qr[3]  # beside the QR code, at its height
    assert boxes[address][1] >= qr[3] - 1  # the page's address under it

    html = client.get("/verify", headers={"Accept-Language": lang}).get_data(as_text=True)
    assert _BESIDE[lang] in html
    assert _UNDER[lang] not in html


def test_verification_pages_draw_their_facts_into_a_kept_frame(app, client, partner_client, ended_session, attendee):
    """The page around a certificate's facts (menu, language bar, footer) is kept per reader,
    language and highlighted menu entry (layout.frame): the next certificate draws its facts
    alone, with its own address in the language form, and a signed-in reader's own token."""
    from flask import g, template_rendered

    session = ended_session(title_fr="Lutte contre les stupéfiants")
    first, second = (run(issue, attendee(session, name_latin=name).id)[0] for name in ("Keo Sophea", "Vong Dara"))
    _page(client, first.code)
    rendered = []
    with template_rendered.connected_to(lambda *a, template, **k: rendered.append(template.name), app):
        html = _page(client, second.code).get_data(as_text=True)
    assert rendered == ["certificates/_verify_body.html"]
    assert "Vong Dara" in html and "Keo Sophea" not in html and html.count("<html") == 1
    assert f'name="next" value="/verify/{second.code}"' in html
    assert 'aria-current="page"' in html  # "Verify a certificate" highlighted in the menu
    assert "csrf_token" not in html  # a visitor without an account gets no token, and no cookie
    # A signed-in reader's frame carries their own token, which works.
    for certificate in (first, second):
        g.pop("csrf_token", None)
        page = _page(partner_client, certificate.code).get_data(as_text=True)
        tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', page))
        assert len(tokens) == 1 and 'data-testid="whoami"' in page
    assert partner_client.post("/logout", data={"csrf_token": tokens.pop()}, csrf=False).status_code == 302
    # A message waiting is shown once, in a frame drawn for it and not kept.
    with client.session_transaction() as visit:
        visit["_flashes"] = [("info", "Message pour ce visiteur")]
    assert "Message pour ce visiteur" in _page(client, first.code).get_data(as_text=True)
    assert "Message pour ce visiteur" not in _page(client, second.code).get_data(as_text=True)
