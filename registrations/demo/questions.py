"""Demo registration questions: the border-fraud course asks for passport, flight, diet and a scan.

The questions are added to one upcoming session (found by its French title) when it has none, and
its registrations that have no answer yet get some (passport numbers, flights, diets, and for the
Vietnamese partner's own registration a scan, a one-page PDF marked as a specimen). Idempotent.
"""

from fpdf import FPDF
from sqlalchemy import exists, select

from registrations.enrolment import answer_files, answers
from registrations.enrolment.questions import QuestionInput, save_question
from registrations.extensions import db
from registrations.models import (
    QuestionKind,
    QuestionVisibility,
    Registration,
    RegistrationAnswer,
    RegistrationQuestion,
    RegistrationState,
    Role,
    TrainingSession,
    User,
)
from registrations.transaction import run

#: The session that asks the questions (a course on document fraud: passports matter there).
SESSION_TITLE = "Détection de la fraude documentaire aux frontières"

QUESTIONS = [
    ("passport", QuestionKind.TEXT, True, QuestionVisibility.OFFICE, True, "", {
        "fr": "Numéro de passeport", "en": "Passport number", "vi": "Số hộ chiếu", "km": "លេខលិខិតឆ្លងដែន",
        "lo": "ເລກໜັງສືຜ່ານແດນ"}),
    ("expiry", QuestionKind.DATE, False, QuestionVisibility.OFFICE, True, "", {
        "fr": "Date d’expiration du passeport", "en": "Passport expiry date", "vi": "Ngày hết hạn hộ chiếu",
        "km": "កាលបរិច្ឆេទផុតកំណត់លិខិតឆ្លងដែន", "lo": "ວັນໝົດອາຍຸໜັງສືຜ່ານແດນ"}),
    ("flight", QuestionKind.TEXT, False, QuestionVisibility.AGENCY, False, "", {
        "fr": "Vol d’arrivée (numéro, date et heure)", "en": "Arrival flight (number, date and time)",
        "vi": "Chuyến bay đến (số hiệu, ngày và giờ)", "km": "ជើងហោះហើរមកដល់ (លេខ កាលបរិច្ឆេទ និងម៉ោង)",
        "lo": "ຖ້ຽວບິນມາຮອດ (ເລກ, ວັນທີ ແລະ ເວລາ)"}),
    ("diet", QuestionKind.CHOICE, True, QuestionVisibility.AGENCY, False,
     "Aucun / None\nVégétarien / Vegetarian\nHalal\nSans porc / No pork", {
         "fr": "Régime alimentaire", "en": "Diet", "vi": "Chế độ ăn", "km": "របបអាហារ", "lo": "ອາຫານການກິນ"}),
    ("hotel", QuestionKind.YES_NO, False, QuestionVisibility.AGENCY, False, "", {
        "fr": "Faut-il réserver un hôtel ?", "en": "Should a hotel be booked?", "vi": "Có cần đặt khách sạn không?",
        "km": "តើត្រូវកក់សណ្ឋាគារទេ?", "lo": "ຕ້ອງຈອງໂຮງແຮມບໍ?"}),
    ("nights", QuestionKind.NUMBER, False, QuestionVisibility.AGENCY, False, "", {
        "fr": "Nombre de nuits d’hôtel", "en": "Number of hotel nights", "vi": "Số đêm khách sạn",
        "km": "ចំនួនយប់នៅសណ្ឋាគារ", "lo": "ຈຳນວນຄືນພັກໂຮງແຮມ"}),
    ("scan", QuestionKind.FILE, False, QuestionVisibility.AGENCY, True, "", {
        "fr": "Copie du passeport (pour le visa)", "en": "Passport copy (for the visa)",
        "vi": "Bản sao hộ chiếu (để làm thị thực)", "km": "ច្បាប់ចម្លងលិខិតឆ្លងដែន (សម្រាប់ទិដ្ឋាការ)",
        "lo": "ສຳເນົາໜັງສືຜ່ານແດນ (ສຳລັບວີຊາ)"}),
]
FLIGHTS = ["VN 1823, 09:40", "QH 205, 14:15", "K6 820, 11:05", "QV 513, 16:30"]
DIETS = ["Aucun / None", "Végétarien / Vegetarian", "Halal", "Sans porc / No pork"]


def _specimen_pdf(name: str) -> bytes:
    """A one-page PDF standing for a passport scan (demo data: marked as a specimen)."""
    pdf = FPDF(format=(148, 210), orientation="landscape")
    pdf.add_page()
    pdf.set_font("helvetica", size=28)
    pdf.cell(0, 20, "SPECIMEN", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=14)
    pdf.cell(0, 12, "Demo passport copy", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 12, name.encode("ascii", "replace").decode(), align="C")
    return bytes(pdf.output())


def _add_questions(session_id: int, actor: User | None) -> int:
    for _code, kind, required, visibility, sensitive, choices, labels in QUESTIONS:
        save_question(session_id, QuestionInput(
            kind=kind.value, required=required, visibility=visibility.value, sensitive=sensitive, choices=choices,
            **{f"label_{code}": text for code, text in labels.items()}), actor=actor)
    return len(QUESTIONS)


def _answer(session_id: int, partner_participant_id: int | None) -> int:
    """Answers for the session's live registrations that have none (in registration order)."""
    questions = {q.label_fr: q for q in answers.session_questions(session_id)}
    by_code = {code: questions.get(labels["fr"]) for code, *_rest, labels in QUESTIONS}
    if any(q is None for q in by_code.values()):
        return 0
    registrations = list(db.session.scalars(
        select(Registration).where(
            Registration.session_id == session_id,
            Registration.state.in_((RegistrationState.APPROVED, RegistrationState.PENDING,
                                    RegistrationState.WAITLISTED)),
            ~exists().where(RegistrationAnswer.registration_id == Registration.id))
        .order_by(Registration.id)))
    written = 0
    for index, registration in enumerate(registrations):
        values = {
            "passport": f"{'BCN'[index % 3]}{7301456 + index * 7919}",
            "expiry": f"{2029 + index % 5}-0{1 + index % 9}-15",
            "flight": FLIGHTS[index % len(FLIGHTS)] if index % 3 != 2 else "",
            "diet": DIETS[index % len(DIETS)],
            "hotel": "yes" if index % 2 == 0 else "no",
            "nights": "5" if index % 2 == 0 else "",
        }
        for code, value in values.items():
            if value:
                db.session.add(RegistrationAnswer(registration_id=registration.id, question_id=by_code[code].id,
                                                  value=value))
                written += 1
        if registration.participant_id == partner_participant_id:
            checked = answer_files.check(_specimen_pdf(f"Registration {registration.id}"), "passeport-specimen.pdf")
            key = answer_files.save(db.session(), session_id, checked)
            db.session.add(RegistrationAnswer(
                registration_id=registration.id, question_id=by_code["scan"].id, file_key=key,
                file_name=checked.name, file_type=checked.content_type, file_size=len(checked.data)))
            written += 1
    db.session.flush()
    return written


def seed() -> dict:
    """Add the demo questions and some answers where they are missing (idempotent)."""
    created = {"registration questions": 0, "registration answers": 0}
    session = db.session.scalar(select(TrainingSession).where(TrainingSession.title_fr == SESSION_TITLE)
                                .order_by(TrainingSession.start_date.desc()).limit(1))
    if session is None:
        return created
    organiser = db.session.scalar(select(User).where(User.role == Role.ORGANISER).order_by(User.id).limit(1))
    partner = db.session.scalar(select(User).where(User.email == "partner.vn@demo.test"))
    if not db.session.scalar(select(exists().where(RegistrationQuestion.session_id == session.id))):
        created["registration questions"] = run(_add_questions, session.id, organiser)
    created["registration answers"] = run(_answer, session.id, partner.participant_id if partner else None)
    return created
