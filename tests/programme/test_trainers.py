"""Trainers and interpreters: managed by the office, with a public page listing their sessions."""

from sqlalchemy import select

from registrations.models import AuditEvent, SessionStatus, Trainer, TrainerRole


def test_organiser_creates_and_edits_a_trainer(organiser_client, db):
    form = {"name_latin": "Sok Dara", "name_native": "សុខ ដារា", "role": "trainer", "language_pairs": "km, en",
            "bio_fr": "Commissaire de police.", "bio_km": "ស្នងការនគរបាល។", "active": "y"}
    assert organiser_client.post("/manage/trainers/new", data=form).status_code == 302
    trainer = db.session.scalar(select(Trainer))
    assert (trainer.name_native, trainer.language_pairs, trainer.role) == ("សុខ ដារា", "km,en", TrainerRole.TRAINER)
    assert organiser_client.post(f"/manage/trainers/{trainer.id}/edit",
                                 data=dict(form, role="interpreter", language_pairs="fr-km")).status_code == 302
    db.session.refresh(trainer)
    assert trainer.role == TrainerRole.INTERPRETER and trainer.pairs == [["fr", "km"]]
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.action == "trainer.edit"))
    listing = organiser_client.get("/manage/trainers").get_data(as_text=True)
    assert "Sok Dara" in listing


def test_bad_trainer_input_is_answered_on_the_form(organiser_client, db):
    answer = organiser_client.post("/manage/trainers/new", headers={"Accept-Language": "en"},
                                   data={"name_latin": "Phạm Thị Lan", "role": "interpreter", "language_pairs": "fr"})
    assert answer.status_code == 400
    assert "at least one language pair" in answer.get_data(as_text=True)
    wrong = organiser_client.post("/manage/trainers/new", data={"name_latin": "Lan", "role": "trainer",
                                                               "language_pairs": "french"})
    assert wrong.status_code == 400
    assert db.session.scalar(select(Trainer)) is None


def test_public_page_lists_visible_sessions_only(client, organiser_client, db, make_session, make_item,
                                                 make_trainer):
    trainer = make_trainer("Claire Martin", bio_fr="Formatrice.", bio_en="Trainer in crisis management.")
    public = make_session(days=1, title_fr="Gestion de crise")
    draft = make_session(days=1, title_fr="Brouillon secret", status=SessionStatus.DRAFT)
    make_item(public, trainers=[trainer])
    make_item(draft, trainers=[trainer])
    page = client.get(f"/trainers/{trainer.id}", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Gestion de crise" in html and "Brouillon secret" not in html
    assert "Trainer in crisis management." in html
    assert "Brouillon secret" in organiser_client.get(f"/trainers/{trainer.id}").get_data(as_text=True)
    trainer.active = False
    db.session.commit()
    assert client.get(f"/trainers/{trainer.id}").status_code == 404
    assert organiser_client.get(f"/trainers/{trainer.id}").status_code == 200


def test_partners_cannot_manage_trainers(partner_client):
    assert partner_client.get("/manage/trainers").status_code == 403
    assert partner_client.post("/manage/trainers/new", data={"name_latin": "X", "role": "trainer"}).status_code == 403
