"""The public verification page: valid, revoked, superseded, unknown codes, rate limit, the form."""

import re

import pytest

from registrations.certificates.services import issue, reissue, revoke
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
