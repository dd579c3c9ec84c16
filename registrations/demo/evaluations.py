"""Demo evaluations: questionnaires of the sessions that have ended, and some answers.

Works on whatever sessions and registrations the earlier steps created: for each ended
session without any answer yet, up to five approved participants answer, online when they
have a partner account, otherwise from a paper form typed in by an organiser.
"""

from sqlalchemy import select

from registrations.evaluations.questions import ensure_questions, has_ended, has_responses, questions_of
from registrations.evaluations.services import submit_response
from registrations.extensions import db
from registrations.models import (
    Participant,
    Registration,
    RegistrationState,
    ResponseSource,
    Role,
    SessionStatus,
    TrainingSession,
    User,
)
from registrations.transaction import run

COMMENTS = {
    "fr": "Très bonne session, les exercices pratiques étaient utiles.",
    "vi": "Nội dung thiết thực, đề nghị tăng thời lượng thực hành.",
    "km": "វគ្គនេះមានប្រយោជន៍ណាស់ សូមបន្ថែមពេលសម្រាប់ការអនុវត្តជាក់ស្ដែង។",
    "lo": "ເນື້ອໃນດີຫຼາຍ, ຢາກໃຫ້ມີເວລາຝຶກພາກປະຕິບັດຕື່ມ.",
}
PER_SESSION = 5


def seed() -> dict:
    """Add questionnaires and answers where an ended session has none yet (idempotent)."""
    created = {"questionnaires": 0, "evaluations": 0}
    organiser = db.session.scalar(select(User).where(User.role.in_((Role.ORGANISER, Role.ADMIN)),
                                                     User.active.is_(True)).order_by(User.role.desc(), User.id))
    accounts = {user.participant_id: user for user in db.session.scalars(
        select(User).where(User.participant_id.is_not(None), User.active.is_(True)))}
    sessions = db.session.scalars(select(TrainingSession).where(TrainingSession.status != SessionStatus.CANCELLED)
                                  .order_by(TrainingSession.start_date)).all()
    # Each partner account keeps the questionnaire of the last ended session it attended open,
    # so that every partner finds one to answer under "Evaluations".
    by_id = {session.id: session for session in sessions}
    left_open = {}
    for registration_session, participant_id in db.session.execute(
            select(Registration.session_id, Registration.participant_id)
            .join(TrainingSession, TrainingSession.id == Registration.session_id)
            .where(Registration.state == RegistrationState.APPROVED,
                   Registration.participant_id.in_(list(accounts)))
            .order_by(TrainingSession.start_date, TrainingSession.id)):
        ended = by_id.get(registration_session)
        if ended is not None and has_ended(ended):
            left_open[participant_id] = registration_session
    for session in sessions:
        if not has_ended(session) or has_responses(session):
            continue
        created["questionnaires"] += 0 if questions_of(session) else 1
        questions = run(ensure_questions, session)
        rows = db.session.execute(
            select(Registration, Participant).join(Participant, Participant.id == Registration.participant_id)
            .where(Registration.session_id == session.id, Registration.state == RegistrationState.APPROVED)
            .order_by(Registration.id).limit(PER_SESSION)).all()
        for index, (registration, participant) in enumerate(rows):
            account = accounts.get(participant.id)
            if (account is None and organiser is None) or left_open.get(participant.id) == session.id:
                continue
            scores = {question.id: 5 - (registration.id + position) % 3
                      for position, question in enumerate(questions)}
            if index % 3 == 2:  # someone skipped the last question
                scores[questions[-1].id] = None
            comment = COMMENTS.get(participant.locale, "") if index % 2 == 0 else ""
            run(submit_response, session, registration, scores, comment,
                source=ResponseSource.WEB if account else ResponseSource.PAPER,
                entered_by=account or organiser, locale=participant.locale)
            created["evaluations"] += 1
    return created
