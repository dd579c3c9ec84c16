"""Emails at each change of state, in the participant's language; the approval gives the code."""

from flask_babel import force_locale
from flask_babel import gettext as _

from registrations.enrolment import services
from registrations.models import RegistrationState as S
from registrations.transaction import run
from tests.registrations.conftest import register


def _translated(locale: str, text: str, **values) -> str:
    with force_locale(locale):
        return _(text, **values)


def test_each_change_of_state_is_emailed_in_the_participants_language(db, make_session, make_participant,
                                                                      kh_agency, partner_kh_user, organiser,
                                                                      outbox):
    session = make_session(title_fr="Gestion d'une scène de crime", title_km="ការគ្រប់គ្រងកន្លែងកើតហេតុ",
                           capacity=1)
    khmer = make_participant(kh_agency, name_latin="Keo Sophea", name_native="កែវ សុភា", locale="km",
                             email="keo.sophea@example.test")
    registration = register(session.id, agency_id=kh_agency.id, participant_id=khmer.id,
                                     actor=partner_kh_user)
    run(services.decide, session.id, [registration.id], "approve", actor=organiser)
    run(services.cancel, registration.id, agency_id=kh_agency.id, actor=partner_kh_user, reason="Mission")
    mails = [m for m in outbox if m.to == "keo.sophea@example.test"]
    title = "ការគ្រប់គ្រងកន្លែងកើតហេតុ"
    assert [m.subject for m in mails] == [
        _translated("km", "Registration received: %(title)s", title=title),
        _translated("km", "Registration approved: %(title)s", title=title),
        _translated("km", "Registration cancelled: %(title)s", title=title),
    ]
    assert all(m.locale == "km" for m in mails)
    assert mails[1].subject != f"Registration approved: {title}", "the subject is translated"
    code = db.session.get(type(registration), registration.id).personal_code
    assert code and code in mails[1].body
    assert _translated("km", "Personal check-in code: %(code)s", code=code) in mails[1].body
    assert f"/registrations/{registration.id}" in mails[1].body and "Mission" in mails[2].body


def test_the_colleague_who_nominated_is_told_too_in_their_language(db, make_session, colleagues, partner_user,
                                                                   outbox):
    partner_user.locale = "en"
    db.session.commit()
    session = make_session(capacity=1, auto_approve=True)
    register(session.id, agency_id=partner_user.agency_id, participant_id=colleagues[2].id,
                      nominated=True, actor=partner_user)
    to_participant, to_partner = outbox
    assert (to_participant.to, to_participant.locale) == (colleagues[2].email, "fr")
    assert to_participant.subject.startswith("Inscription acceptée")
    assert (to_partner.to, to_partner.locale) == ("partner.vn@example.test", "en")
    assert "You nominated Phạm Quốc Bảo" in to_partner.body


def test_waitlisting_and_offers_are_emailed(db, make_session, make_registration, colleagues, organiser, outbox):
    session = make_session(capacity=1, confirm_promotions=True)
    approved = make_registration(session, colleagues[0], state=S.APPROVED)
    pending = make_registration(session, colleagues[1], state=S.PENDING)
    run(services.decide, session.id, [pending.id], "waitlist", actor=organiser)
    run(services.decide, session.id, [approved.id], "cancel", actor=organiser, reason="Désistement")
    subjects = [(m.to, m.subject) for m in outbox]
    assert subjects[0][0] == colleagues[1].email
    assert subjects[0][1] == _translated("vi", "On the waiting list: %(title)s", title=session.title_fr)
    assert (colleagues[0].email, _translated("vi", "Registration cancelled: %(title)s",
                                             title=session.title_fr)) in subjects
    assert (colleagues[1].email, _translated("vi", "A seat is offered to you: %(title)s",
                                             title=session.title_fr)) in subjects
