"""Materials: type read from the bytes, size limited, stored outside the database, for approved
participants and the office only."""

import pytest
from sqlalchemy import func, select

from registrations.models import Material, RegistrationState
from registrations.programme import storage

from .conftest import jpeg_bytes, pdf_bytes, png_bytes, pptx_bytes


def _upload(client, item, data: bytes, name: str, **headers):
    import io

    return client.post(f"/manage/timetable/{item.id}/materials", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", headers=headers)


@pytest.mark.parametrize("data, name, content_type", [
    (pdf_bytes(), "programme.pdf", "application/pdf"),
    (png_bytes(), "plan.png", "image/png"),
    (jpeg_bytes(), "photo.jpg", "image/jpeg"),
    (pptx_bytes(), "slides.pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
])
def test_office_attaches_files_of_each_accepted_type(app, organiser_client, db, make_session, make_item,
                                                     data, name, content_type):
    item = make_item(make_session(days=1))
    assert _upload(organiser_client, item, data, name).status_code == 302
    material = db.session.scalar(select(Material))
    assert material.name == name and material.content_type == content_type and material.size == len(data)
    path = storage.path_of("materials", material.stored_name)
    assert path.read_bytes() == data
    assert str(path).startswith(app.config["UPLOADS_PATH"])
    download = organiser_client.get(f"/materials/{material.id}")
    assert download.status_code == 200 and download.data == data
    assert download.headers["Content-Type"].startswith(content_type)
    assert "no-store" in download.headers["Cache-Control"]


@pytest.mark.parametrize("data, name", [
    (b"MZ\x90\x00 this is a program", "programme.pdf"),  # the name lies
    (b"<html><script>alert(1)</script></html>", "page.html"),
    (b"PK\x03\x04 not really a zip", "slides.pptx"),
    (b"", "empty.pdf"),
])
def test_files_that_are_not_what_they_claim_are_refused(organiser_client, db, make_session, make_item, data, name):
    item = make_item(make_session(days=1))
    response = _upload(organiser_client, item, data, name, **{"Accept-Language": "en"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "not accepted" in html or "empty" in html
    assert db.session.scalar(select(func.count()).select_from(Material)) == 0


def test_files_above_the_limit_are_refused(app, organiser_client, db, make_session, make_item):
    app.config["MATERIAL_MAX_BYTES"] = 1000
    item = make_item(make_session(days=1))
    response = _upload(organiser_client, item, pdf_bytes() + b"0" * 2000, "big.pdf", **{"Accept-Language": "en"})
    assert response.status_code in (400, 413)
    assert db.session.scalar(select(func.count()).select_from(Material)) == 0
    huge = _upload(organiser_client, item, pdf_bytes() + b"0" * 200_000, "huge.pdf")
    assert huge.status_code == 413


def test_files_are_refused_on_every_other_form(organiser_client, make_session, make_item):
    import io

    item = make_item(make_session(days=1))
    response = organiser_client.post(f"/manage/timetable/{item.id}/edit",
                                     data={"title_fr": (io.BytesIO(b"%PDF-1.4"), "x.pdf")},
                                     content_type="multipart/form-data")
    assert response.status_code == 400


@pytest.fixture
def with_material(db, make_session, make_item):
    from registrations.programme.services import add_material

    session = make_session(days=1)
    item = make_item(session, title="Ouverture")
    material = add_material(item.id, "fiche.pdf", pdf_bytes())
    db.session.commit()
    return session, material


def test_only_approved_participants_and_the_office_get_materials(client, partner_client, partner_user,
                                                                 make_registration, db, with_material,
                                                                 make_user, make_agency, app):
    session, material = with_material
    url = f"/materials/{material.id}"
    assert client.get(url).status_code == 302  # to the login page
    assert partner_client.get(url).status_code == 404
    page = partner_client.get(f"/sessions/{session.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "fiche.pdf" not in page and "1 document for approved participants" in page

    from registrations.models import Participant

    participant = db.session.get(Participant, partner_user.participant_id)
    registration = make_registration(session, participant, state=RegistrationState.PENDING)
    assert partner_client.get(url).status_code == 404
    registration.state = RegistrationState.APPROVED
    db.session.commit()
    assert partner_client.get(url).data == pdf_bytes()
    page = partner_client.get(f"/sessions/{session.id}").get_data(as_text=True)
    assert "fiche.pdf" in page and url in page


def test_removing_a_material_or_its_item(organiser_client, db, with_material):
    session, material = with_material
    material_id = material.id
    assert organiser_client.post(f"/manage/materials/{material_id}/delete").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Material)) == 0
    assert organiser_client.get(f"/materials/{material_id}").status_code == 404


def test_stored_names_never_leave_the_uploads_folder(app):
    with app.app_context():
        assert storage.path_of("materials", "../../etc/passwd") is None
        assert storage.path_of("materials", "a" * 64 + ".exe") is None
        assert storage.path_of("elsewhere", "a" * 64 + ".pdf") is None
