"""The demo step: certificates for every eligible participant of ended sessions, one revoked."""

from sqlalchemy import func, select

from registrations.demo import certificates as demo_certificates
from registrations.demo import people
from registrations.models import Agency, Certificate, CertificateStatus, Registration


def test_without_eligible_registrations_the_step_does_nothing(app, db, ended_session):
    ended_session()
    assert demo_certificates.seed() == {"certificates": 0, "revoked certificates": 0}
    assert db.session.scalar(select(func.count(Certificate.id))) == 0


def test_each_demo_partner_gets_certificates_and_the_step_is_idempotent(app, db, ended_session, attendee,
                                                                         make_session):
    people.seed()
    agencies = {a.code: a for a in db.session.scalars(select(Agency))}
    session = ended_session(title_fr="Gestion d'une scène de crime", city="Phnom Penh", country="KH")
    attendee(session, agencies["VN-MPS-HTQT"], name_latin="Tran Van Minh", name_native="Trần Văn Minh", locale="vi")
    attendee(session, agencies["KH-CNP"], name_latin="Chan Dara", name_native="ចាន់ ដារា", locale="km")
    attendee(session, agencies["KH-CNP"], name_latin="Sok Vanna", name_native="សុខ វណ្ណា", locale="km")
    attendee(session, agencies["LA-MPS"], name_latin="Bounmy Sisavath", name_native="ບຸນມີ ສີສະຫວາດ", locale="lo")
    attendee(session, agencies["LA-MPS"], present=1)  # not eligible
    running = make_session()  # not ended: nothing to issue
    attendee(running, agencies["VN-MPS-HTQT"])

    assert demo_certificates.seed() == {"certificates": 4, "revoked certificates": 1}
    rows = db.session.execute(
        select(Registration.agency_id, Certificate.status, Certificate.facts)
        .join(Certificate, Certificate.registration_id == Registration.id)
    ).all()
    valid_by_agency = {agency_id for agency_id, status, _ in rows if status == CertificateStatus.VALID}
    assert {agencies[c].id for c in ("VN-MPS-HTQT", "KH-CNP", "LA-MPS")} <= valid_by_agency
    revoked = [facts for _, status, facts in rows if status == CertificateStatus.REVOKED]
    assert len(revoked) == 1 and revoked[0]["locale"] == "km"
    assert {facts["participant_name_native"] for *_, facts in rows} >= {"ចាន់ ដារា", "ບຸນມີ ສີສະຫວາດ"}

    before = db.session.execute(select(Certificate.id, Certificate.status, Certificate.serial)
                                .order_by(Certificate.id)).all()
    assert demo_certificates.seed() == {"certificates": 0, "revoked certificates": 0}
    after = db.session.execute(select(Certificate.id, Certificate.status, Certificate.serial)
                               .order_by(Certificate.id)).all()
    assert before == after
