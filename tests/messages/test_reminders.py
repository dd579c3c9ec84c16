"""Reminders 7 days and 1 day before a session: approved people only, their language, the .ics
attached, once per person and reminder."""

from datetime import timedelta

from registrations.clock import local_today
from registrations.messages.reminders import queue_reminders
from registrations.models import RegistrationState
from registrations.tasks import send_reminders


def test_reminders_go_once_to_approved_people_in_their_language_with_the_calendar(
        db, make_session, make_participant, make_registration, outbox):
    today = local_today()
    in_a_week = make_session(start=today + timedelta(days=7), title_fr="Gestion de crise", title_km="ការគ្រប់គ្រងវិបត្តិ")
    tomorrow = make_session(start=today + timedelta(days=1), title_fr="Protection des mineurs")
    later = make_session(start=today + timedelta(days=10))
    sophea = make_participant(name_latin="Keo Sophea", locale="km")
    huong = make_participant(name_latin="Nguyen Thi Huong", locale="vi")
    waiting = make_participant()
    make_registration(in_a_week, sophea)
    make_registration(tomorrow, huong)
    make_registration(later, huong)
    make_registration(in_a_week, waiting, state=RegistrationState.WAITLISTED)

    assert send_reminders.call_local() == 2
    by_address = {m.to: m for m in outbox}
    assert set(by_address) == {sophea.email, huong.email}
    khmer = by_address[sophea.email]
    assert khmer.locale == "km" and "ការគ្រប់គ្រងវិបត្តិ" in khmer.subject
    assert [(name, kind) for name, kind, _ in khmer.attachments] == [(f"session-{in_a_week.id}.ics", "text/calendar")]
    assert "BEGIN:VCALENDAR" in khmer.attachments[0][2]
    assert by_address[huong.email].locale == "vi"

    assert queue_reminders() == 0  # the same day again: nobody is reminded twice
    db.session.commit()
    assert len(outbox) == 2
