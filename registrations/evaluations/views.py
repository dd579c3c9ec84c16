"""Evaluation pages: partners answer; organisers edit questionnaires, enter paper forms, read results."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from registrations.access import STAFF, allow
from registrations.admin.forms import as_choices
from registrations.errors import abort_with, session_or_404
from registrations.evaluations import bp
from registrations.evaluations.forms import SCORE_LABELS, CompareForm, QuestionnaireEditForm, answer_form
from registrations.evaluations.questions import (
    EvaluationError,
    QuestionInput,
    ensure_questions,
    field_key,
    has_ended,
    has_responses,
    posted_answers,
    questions_for_display,
    save_questions,
)
from registrations.evaluations.services import (
    compare_sessions,
    paper_candidates,
    registration_to_evaluate,
    response_of,
    session_results,
    sessions_to_evaluate,
    sessions_with_responses,
    submit_response,
)
from registrations.extensions import db
from registrations.inputs import parse_id
from registrations.models import Registration, ResponseSource, Role, SessionStatus, TrainingSession
from registrations.models.sessions import CONTENT_LOCALES
from registrations.navigation import session_tools
from registrations.transaction import run


def session_nav(session: TrainingSession) -> dict:
    """The session's management page (when that blueprint is installed) and its tools."""
    home = (url_for("sessions.manage_detail", session_id=session.id)
            if "sessions.manage_detail" in current_app.view_functions else None)
    return {"home": home, "tools": session_tools(session.id)}


def _question_id(raw: str | None, by_code: dict) -> int | None:
    """The id posted by the editor: a number, or `default:<code>` for a default question shown unsaved."""
    raw = raw or ""
    if raw.startswith("default:"):
        return by_code.get(raw.partition(":")[2])
    return parse_id(raw)


def _scores(form, questions) -> dict[int, int | None]:
    return {question.id: getattr(form, field_key(question)).data for question in questions}


@bp.get("/evaluations")
@allow(Role.PARTNER)
def mine():
    """The partner's sessions: those that have ended can be evaluated, once."""
    return render_template("evaluations/mine.html", entries=sessions_to_evaluate(current_user))


@bp.route("/evaluations/<int:session_id>", methods=["GET", "POST"])
@allow(Role.PARTNER)
def answer(session_id: int):
    """Answer a session's questionnaire in one's own language (approved participants, once)."""
    session = db.session.get(TrainingSession, session_id)
    registration = registration_to_evaluate(current_user, session) if session else None
    if registration is None:
        abort_with(404, _("This session does not exist."))
    if not has_ended(session):
        abort_with(409, _("The evaluation opens once the session has ended."))
    if response_of(registration) is not None:
        return render_template("evaluations/answered.html", session=session), 200 if request.method == "GET" else 409
    questions = run(ensure_questions, session) if request.method == "POST" else questions_for_display(session)
    form = answer_form(questions)(
        formdata=posted_answers(request.form, questions) if request.method == "POST" else None)
    status = 200
    if form.validate_on_submit():
        try:
            run(submit_response, session, registration, _scores(form, questions), form.comment.data,
                source=ResponseSource.WEB, entered_by=current_user, locale=str(get_locale()))
        except EvaluationError as error:
            flash(str(error.message), "danger")
            status = error.status
        else:
            flash(_("Thank you: your evaluation is recorded."), "success")
            return redirect(url_for("evaluations.mine"))
    elif request.method == "POST":
        status = 400
    return render_template("evaluations/answer.html", session=session, form=form, questions=questions), status


@bp.route("/manage/sessions/<int:session_id>/evaluation/questions", methods=["GET", "POST"])
@allow(STAFF)
def edit(session_id: int):
    """Edit the questionnaire (texts per language, order, additions, removals) until it locks."""
    session = session_or_404(session_id)
    questions = run(ensure_questions, session) if request.method == "POST" else questions_for_display(session)
    locked = has_ended(session) or has_responses(session)
    form = QuestionnaireEditForm()
    if request.method == "GET":
        for question in questions:
            form.questions.append_entry({"id": str(question.id or f"default:{question.code}"),
                                         "position": question.position,
                                         **{f"text_{c}": getattr(question, f"text_{c}") for c in CONTENT_LOCALES}})
        form.questions.append_entry({"id": "", "position": len(questions) + 1})
    status = 200
    if request.method == "POST":
        if locked:
            abort_with(409, _("The questionnaire is locked: the session has ended or answers have been received."))
        if form.validate_on_submit():
            try:
                by_code = {question.code: question.id for question in questions if question.code}
                rows = [QuestionInput(
                    id=_question_id(entry.form.id.data, by_code),
                    position=entry.form.position.data if entry.form.position.data is not None else 999,
                    texts={c: getattr(entry.form, f"text_{c}").data or "" for c in CONTENT_LOCALES},
                    remove=entry.form.remove.data) for entry in form.questions]
                run(save_questions, session, rows, actor=current_user)
            except EvaluationError as error:
                flash(str(error.message), "danger")
                status = error.status
            else:
                flash(_("The questionnaire is saved."), "success")
                return redirect(url_for("evaluations.edit", session_id=session.id))
        else:
            status = 400
    return render_template("evaluations/edit.html", session=session, form=form, locked=locked,
                           nav=session_nav(session)), status


@bp.get("/manage/sessions/<int:session_id>/evaluation")
@allow(STAFF)
def results(session_id: int):
    """A session's results: response rate, distribution and mean per question, comments."""
    session = session_or_404(session_id)
    return render_template("evaluations/results.html", session=session, results=session_results(session),
                           ended=has_ended(session), nav=session_nav(session),
                           cancelled=session.status == SessionStatus.CANCELLED, score_labels=SCORE_LABELS)


@bp.route("/manage/sessions/<int:session_id>/evaluation/paper", methods=["GET", "POST"])
@allow(STAFF)
def paper(session_id: int):
    """Type in a paper questionnaire for an approved participant who has not answered."""
    session = session_or_404(session_id)
    if not has_ended(session):
        abort_with(409, _("The evaluation opens once the session has ended."))
    questions = run(ensure_questions, session) if request.method == "POST" else questions_for_display(session)
    candidates = paper_candidates(session)
    choices = [(registration.id, participant.name_latin or f"#{participant.id}")
               for registration, participant in candidates]
    form = answer_form(questions, paper_choices=[(0, _("Choose a participant"))] + choices)(
        formdata=posted_answers(request.form, questions) if request.method == "POST" else None)
    status = 200
    if form.validate_on_submit():
        registration = db.session.get(Registration, form.registration.data) if form.registration.data else None
        if registration is None or registration.session_id != session.id:
            form.registration.errors.append(_("Choose a participant of this session."))
            status = 400
        else:
            locale = next((p.locale for r, p in candidates if r.id == registration.id), "fr")
            try:
                run(submit_response, session, registration, _scores(form, questions), form.comment.data,
                    source=ResponseSource.PAPER, entered_by=current_user, locale=locale)
            except EvaluationError as error:
                flash(str(error.message), "danger")
                status = error.status
            else:
                flash(_("The paper form is recorded."), "success")
                return redirect(url_for("evaluations.paper", session_id=session.id))
    elif request.method == "POST":
        status = 400
    return render_template("evaluations/paper.html", session=session, form=form, questions=questions,
                           remaining=len(candidates), nav=session_nav(session)), status


@bp.get("/manage/evaluations/compare")
@allow(STAFF)
def compare():
    """Mean score per question across the chosen sessions, side by side."""
    form = CompareForm(formdata=request.args)
    answered = sessions_with_responses()
    form.session.choices = as_choices((s.id, f"{s.start_date.isoformat()} · {s.title}") for s in answered)
    if not form.validate():
        abort_with(400, _("Choose sessions from the list."))
    chosen = form.session.data or [s.id for s in answered[:4]]
    form.session.data = chosen
    sessions, rows, responses = compare_sessions(chosen, str(get_locale()))
    return render_template("evaluations/compare.html", form=form, sessions=sessions, rows=rows,
                           responses=responses)
