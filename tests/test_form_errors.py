"""A form sent back with errors announces them: a summary at the top, linked to each field, the
page title starting with "Error:", and WTForms' own messages in the reader's language."""

import re

import flask_wtf
import pytest
import wtforms

import registrations.forms
from app import create_app

REQUIRED = {
    "fr": "Ce champ est requis.",
    "en": "This field is required.",
    "vi": "Trường này là bắt buộc.",
    "km": "ត្រូវបំពេញប្រអប់នេះ។",
    "lo": "ຕ້ອງປ້ອນຂໍ້ມູນໃສ່ຊ່ອງນີ້.",
}
ERROR = {"fr": "Erreur\u202f:", "en": "Error:", "vi": "Lỗi:", "km": "កំហុស៖", "lo": "ຂໍ້ຜິດພາດ:"}


@pytest.mark.parametrize("locale", sorted(REQUIRED))
def test_failed_form_has_a_summary_in_the_readers_language(client, locale):
    client.set_cookie("lang", locale)
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.startswith(ERROR[locale] + " ")
    summary = re.search(r'<div class="alert alert-danger error-summary" role="alert" id="error-summary"'
                        r' tabindex="-1"[^>]*>(.*?)</div>', html, re.S)
    assert summary is not None
    links = re.findall(r'<a href="#(\w+)" class="alert-link">(.*?)</a>', summary.group(1))
    assert [target for target, _text in links] == ["email", "password"]
    assert all(REQUIRED[locale] in text for _target, text in links)
    assert 'id="email"' in html and 'id="password"' in html
    assert html.index('id="error-summary"') < html.index('id="email"')


def test_a_page_without_errors_has_no_summary(client):
    html = client.get("/login").get_data(as_text=True)
    assert "error-summary" not in html
    assert not re.search(r"<title>\s*Err", html)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_form_of_the_application_uses_our_catalogs():
    """A form built on Flask-WTF's or WTForms' base directly would speak English in Khmer and Lao."""
    create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})  # imports every blueprint
    ours = (registrations.forms.FlaskForm, registrations.forms.Form)
    assert len([cls for base in ours for cls in _subclasses(base)]) > 20
    strays = sorted(f"{cls.__module__}.{cls.__qualname__}"
                    for base in (flask_wtf.FlaskForm, wtforms.Form) for cls in _subclasses(base)
                    if cls.__module__.startswith("registrations.") and not issubclass(cls, ours))
    assert strays == []


def test_a_page_with_several_forms_summarises_the_one_sent_back(organiser_client, make_session):
    """The session hub carries the cancel and duplicate forms: a refused cancellation is summarised."""
    session = make_session()
    response = organiser_client.post(f"/manage/sessions/{session.id}/cancel", data={"reason": ""})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search("<title>Erreur\u202f: ", html)
    summary = re.search(r'id="error-summary".*?</div>', html, re.S).group(0)
    assert re.findall(r'<a href="#(\w+)"', summary) == ["reason"]
