"""Names written right to left, or with direction controls from older data: shown isolated,
never drawn reversed in a PDF."""

import io

from pypdf import PdfReader

from registrations.documents.fonts import clean

RLO_NAME = "Nguyen \u202eVan An"


def test_clean_drops_direction_controls_and_keeps_joiners():
    assert clean("A\u202eB\u2067C\u200fD\x00") == "ABCD"
    khmer = "ស្រី\u200dពេជ្រ"
    assert clean(khmer) == khmer


def test_names_are_isolated_in_lists(clients, world, db, make_participant, make_registration):
    from registrations.models import Agency, TrainingSession

    session = db.session.get(TrainingSession, world.ids["session_id"])
    agency = db.session.get(Agency, world.ids["agency_id"])
    make_registration(session, make_participant(agency, name_latin=RLO_NAME, name_native="ລາວ \u202eຊື່"))
    for client, url in ((clients["organiser"], f"/manage/sessions/{session.id}/registrations"),
                        (clients["partner"], "/registrations")):
        page = client.get(url).get_data(as_text=True)
        assert f"<bdi>{RLO_NAME}</bdi>" in page, url
        assert "<bdi>ລາວ \u202eຊື່</bdi>" in page, url


def test_the_sign_in_sheet_never_draws_a_direction_control(clients, world, db, make_participant, make_registration):
    from registrations.models import Agency, TrainingSession

    session = db.session.get(TrainingSession, world.ids["ended_session_id"])
    agency = db.session.get(Agency, world.ids["agency_id"])
    make_registration(session, make_participant(agency, name_latin=RLO_NAME))
    response = clients["organiser"].get(
        f"/manage/sessions/{session.id}/attendance/{world.ids['day_id']}/sign-in.pdf")
    assert response.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.get_data())).pages)
    assert "Nguyen Van An" in text
    assert "\u202e" not in text
