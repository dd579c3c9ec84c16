"""Demo programme: a signatory with signature and stamp, trainers and interpreters, and
timetables with materials for three sessions (the running one, the completed one, an upcoming
one). Runs after the sessions and before the certificates, so the demo certificates carry the
signature. Idempotent: people are found by name, a session with items is left as it is.
"""

from datetime import time

from fpdf import FPDF
from sqlalchemy import select

from registrations.demo.images import signature_png, stamp_png
from registrations.extensions import db
from registrations.models import Signatory, TimetableItem, Trainer, TrainerRole, TrainingSession, User
from registrations.programme.services import ItemValues, add_item, add_material, timetable
from registrations.programme.trainers import TrainerValues, save_trainer
from registrations.signatories.services import SignatoryValues, save_signatory
from registrations.transaction import run

SIGNATORY = {
    "name": "Jean-Pierre Durand",
    "titles": {
        "fr": "Attaché de sécurité intérieure, Ambassade de France au Vietnam",
        "en": "Internal Security Attaché, Embassy of France in Vietnam",
        "vi": "Tùy viên An ninh nội địa, Đại sứ quán Pháp tại Việt Nam",
        "km": "អ្នកចាត់ការផ្នែកសន្តិសុខផ្ទៃក្នុង ស្ថានទូតបារាំងប្រចាំវៀតណាម",
        "lo": "ຜູ້ຊ່ຽວຊານດ້ານຄວາມສະຫງົບພາຍໃນ, ສະຖານທູດຝຣັ່ງປະຈຳຫວຽດນາມ",
    },
}

TRAINERS = [
    TrainerValues("Claire Martin", "", TrainerRole.TRAINER, ["fr"], {
        "fr": "Commandante de police, formatrice à la gestion de crise et aux secours à de nombreuses victimes.",
        "en": "Police major, trainer in crisis management and mass-casualty response.",
        "vi": "Thiếu tá cảnh sát, giảng viên về quản lý khủng hoảng và cứu hộ nhiều nạn nhân."}),
    TrainerValues("Nguyễn Văn Minh", "Nguyễn Văn Minh", TrainerRole.TRAINER, ["vi", "fr"], {
        "fr": "Lieutenant-colonel, Université de prévention et de lutte contre l'incendie de Hanoï.",
        "en": "Lieutenant colonel, University of Fire Prevention and Fighting, Hanoi.",
        "vi": "Trung tá, Trường Đại học Phòng cháy chữa cháy, Hà Nội."}),
    TrainerValues("Sok Dara", "សុខ ដារា", TrainerRole.TRAINER, ["km", "en"], {
        "fr": "Commissaire, spécialiste de l'audition des mineurs victimes, Police nationale cambodgienne.",
        "en": "Police commissioner, specialist in interviewing child victims, Cambodian National Police.",
        "km": "ស្នងការនគរបាល អ្នកជំនាញសាកសួរអនីតិជនរងគ្រោះ នគរបាលជាតិកម្ពុជា។"}),
    TrainerValues("Phạm Thị Lan", "Phạm Thị Lan", TrainerRole.INTERPRETER, ["fr-vi", "vi-fr"], {
        "fr": "Interprète de conférence français–vietnamien.",
        "en": "French–Vietnamese conference interpreter.",
        "vi": "Phiên dịch hội nghị Pháp – Việt."}),
    TrainerValues("Souksavanh Phommachanh", "ສຸກສະຫວັນ ພົມມະຈັນ", TrainerRole.INTERPRETER, ["fr-lo"], {
        "fr": "Interprète français–lao.", "en": "French–Lao interpreter.",
        "lo": "ນາຍແປພາສາ ຝຣັ່ງ–ລາວ."}),
]

#: Each day's items: (start, end, French title, English title, room, trainers by name, material name or "").
DAY_ITEMS = [
    [((8, 30), (10, 0), "Ouverture et présentation du programme", "Opening and programme overview",
      "Amphithéâtre A", ["Claire Martin", "Phạm Thị Lan"], "programme-detaille.pdf"),
     ((10, 15), (12, 0), "Cours : organisation des secours et triage", "Lecture: organising rescue and triage",
      "Amphithéâtre A", ["Claire Martin", "Phạm Thị Lan"], "triage-fiche-memo.pdf"),
     ((13, 30), (16, 30), "Atelier : gestes de premiers secours", "Workshop: first-aid techniques",
      "Salle 204", ["Nguyễn Văn Minh"], "")],
    [((8, 30), (12, 0), "Cellule de crise : rôles et communication", "Crisis unit: roles and communication",
      "Salle 204", ["Claire Martin", "Souksavanh Phommachanh"], "cellule-de-crise.pdf"),
     ((13, 30), (16, 30), "Exercice sur table", "Table-top exercise", "Salle 204", ["Nguyễn Văn Minh"], "")],
    [((8, 0), (12, 0), "Exercice sur le terrain avec les sapeurs-pompiers", "Field exercise with the fire brigade",
      "Terrain d'entraînement", ["Nguyễn Văn Minh", "Claire Martin"], ""),
     ((14, 0), (16, 0), "Retour d'expérience", "Debriefing", "Amphithéâtre A", ["Claire Martin"], "")],
    [((9, 0), (11, 30), "Plan d'action et évaluation", "Action plan and evaluation", "Amphithéâtre A",
      ["Claire Martin", "Phạm Thị Lan"], ""),
     ((11, 30), (12, 0), "Clôture", "Closing", "Amphithéâtre A", [], "")],
]

#: Sessions given a timetable (French titles of demo sessions) and their language of instruction.
SESSIONS = ["Premiers secours et prise en charge de nombreuses victimes", "Audition des mineurs victimes",
            "Détection de la fraude documentaire aux frontières"]


def material_pdf(title: str, session_title: str) -> bytes:
    """A one-page handout drawn for the demo."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(0, 7, session_title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for index in range(1, 6):
        pdf.multi_cell(0, 7, f"{index}. Point clé {index} : à retenir et à appliquer sur le terrain.",
                       new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def seed() -> dict:
    created = {"signatories": 0, "trainers": 0, "timetable items": 0, "materials": 0}
    actor = db.session.scalar(select(User).where(User.email == "admin@demo.test"))
    if db.session.scalar(select(Signatory.id).where(Signatory.name == SIGNATORY["name"])) is None:
        run(save_signatory, None, SignatoryValues(SIGNATORY["name"], SIGNATORY["titles"], signature=signature_png(),
                                                  stamp=stamp_png()), actor=actor)
        created["signatories"] += 1
    trainers = {}
    for values in TRAINERS:
        trainer = db.session.scalar(select(Trainer).where(Trainer.name_latin == values.name_latin))
        if trainer is None:
            trainer = run(save_trainer, None, values, actor=actor)
            created["trainers"] += 1
        trainers[trainer.name_latin] = trainer.id
    for title in SESSIONS:
        session = db.session.scalar(select(TrainingSession).where(TrainingSession.title_fr == title))
        if session is None or db.session.scalar(select(TimetableItem.id).where(
                TimetableItem.session_id == session.id).limit(1)) is not None:
            continue
        items, materials = run(_timetable, session.id, trainers, actor)
        created["timetable items"] += items
        created["materials"] += materials
    return created


def _timetable(session_id: int, trainers: dict, actor) -> tuple[int, int]:
    """One session's timetable and materials: one unit of work."""
    session = db.session.get(TrainingSession, session_id)
    items = materials = 0
    for index, entry in enumerate(timetable(session_id)):
        for start, end, title_fr, title_en, room, names, material in DAY_ITEMS[index % len(DAY_ITEMS)]:
            interpretation = [code for code in session.interpretation.split(",") if code]
            item = add_item(session_id, ItemValues(
                day_id=entry.day.id, starts_at=time(*start), ends_at=time(*end),
                titles={"fr": title_fr, "en": title_en}, room=room, language=session.working_language,
                descriptions={"fr": f"{title_fr} : apports, échanges et mise en pratique.",
                              "en": f"{title_en}: lecture, discussion and practice."},
                interpretation=interpretation, trainer_ids=[trainers[name] for name in names]), actor=actor)
            items += 1
            if material:
                add_material(item.id, material, material_pdf(title_fr, session.title_fr), actor=actor)
                materials += 1
    return items, materials
