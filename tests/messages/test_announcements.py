"""An organiser's announcement to a session's participants, each in their language (French fallback)."""

from sqlalchemy import select

from registrations.models import Message, RegistrationState


def test_an_announcement_reaches_each_approved_person_in_their_language(
        db, organiser_client, make_session, make_participant, make_registration, outbox):
    session = make_session()
    khmer = make_participant(locale="km")
    lao = make_participant(locale="lo")
    waiting = make_participant(locale="vi")
    make_registration(session, khmer)
    make_registration(session, lao)
    make_registration(session, waiting, state=RegistrationState.WAITLISTED)
    page = organiser_client.get(f"/manage/sessions/{session.id}/announcement")
    assert page.status_code == 200
    response = organiser_client.post(f"/manage/sessions/{session.id}/announcement", data={
        "audience": "approved", "subject_fr": "Changement de salle", "body_fr": "Salle B, 2e étage.",
        "subject_km": "ការផ្លាស់ប្ដូរបន្ទប់", "body_km": "បន្ទប់ B ជាន់ទី ២។"})
    assert response.status_code == 302
    by_address = {m.to: m for m in outbox}
    assert set(by_address) == {khmer.email, lao.email}
    assert by_address[khmer.email].subject == "ការផ្លាស់ប្ដូរបន្ទប់" and by_address[khmer.email].locale == "km"
    assert by_address[lao.email].subject == "Changement de salle" and "Salle B" in by_address[lao.email].body
    db.session.expire_all()
    assert {m.object_type for m in db.session.scalars(select(Message))} == {"session"}


def test_an_announcement_needs_the_french_text_and_staff(organiser_client, partner_client, make_session, outbox):
    session = make_session()
    response = organiser_client.post(f"/manage/sessions/{session.id}/announcement",
                                     data={"audience": "approved", "subject_en": "Room", "body_en": "B"})
    assert response.status_code == 400 and outbox == []
    assert partner_client.get(f"/manage/sessions/{session.id}/announcement").status_code == 403
    assert organiser_client.get("/manage/sessions/999999/announcement").status_code == 404
