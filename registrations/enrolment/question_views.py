"""Organiser pages: the questions a session's registration and nomination forms ask."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from registrations.access import STAFF, allow
from registrations.enrolment import answers, bp, questions
from registrations.enrolment.errors import RegistrationError
from registrations.enrolment.forms import RegistrationQuestionForm
from registrations.errors import abort_with, get_or_404, session_or_404
from registrations.extensions import db
from registrations.forms import FlaskForm
from registrations.models import RegistrationAnswer, RegistrationQuestion
from registrations.transaction import run


def _render_list(session, form, status: int = 200):
    asked = answers.session_questions(session.id)
    counts = dict(db.session.execute(
        select(RegistrationAnswer.question_id, func.count()).join(RegistrationQuestion)
        .where(RegistrationQuestion.session_id == session.id).group_by(RegistrationAnswer.question_id)).all())
    return render_template("registrations/questions.html", session=session, questions=asked, counts=counts,
                           form=form), status


def _save(session, form, question_id=None):
    """Run the service for a valid form; the refusal is flashed (None), else the question."""
    try:
        return run(questions.save_question, session.id, form.data_input(), question_id=question_id,
                   actor=current_user._get_current_object())
    except RegistrationError as error:
        if error.status == 404:
            abort_with(404, error.message)
        flash(str(error.message), "danger")
        return error


@bp.route("/manage/sessions/<int:session_id>/questions", methods=["GET", "POST"])
@allow(STAFF)
def questions_page(session_id: int):
    """The session's registration questions, and the form to add one."""
    session = session_or_404(session_id)
    form = RegistrationQuestionForm()
    if request.method == "GET":
        return _render_list(session, form)
    if not form.validate_on_submit():
        return _render_list(session, form, 400)
    saved = _save(session, form)
    if isinstance(saved, RegistrationError):
        return _render_list(session, form, saved.status)
    flash(_("The question is added to the registration form."), "success")
    return redirect(url_for(".questions_page", session_id=session.id))


@bp.route("/manage/sessions/<int:session_id>/questions/<int:question_id>", methods=["GET", "POST"])
@allow(STAFF)
def question_edit(session_id: int, question_id: int):
    """Correct one question (its kind is fixed once people answered it)."""
    session = session_or_404(session_id)
    question = get_or_404(RegistrationQuestion, question_id, _("This question does not exist."))
    if question.session_id != session.id:
        abort_with(404, _("This question does not exist."))
    form = RegistrationQuestionForm(obj=question) if request.method == "GET" else RegistrationQuestionForm()
    if request.method == "GET":
        form.kind.data, form.visibility.data = question.kind.value, question.visibility.value
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            saved = _save(session, form, question.id)
            if not isinstance(saved, RegistrationError):
                flash(_("The question is saved."), "success")
                return redirect(url_for(".questions_page", session_id=session.id))
            status = saved.status
        else:
            status = 400
    return render_template("registrations/question_edit.html", session=session, question=question,
                           form=form), status


@bp.post("/manage/sessions/<int:session_id>/questions/<int:question_id>/delete")
@allow(STAFF)
def question_delete(session_id: int, question_id: int):
    """Remove a question and its answers."""
    session = session_or_404(session_id)
    if not FlaskForm().validate_on_submit():
        abort_with(400, _("The form could not be read. Reload the page."))
    try:
        run(questions.delete_question, session.id, question_id, actor=current_user._get_current_object())
    except RegistrationError as error:
        abort_with(error.status, error.message)
    flash(_("The question and its answers are removed."), "success")
    return redirect(url_for(".questions_page", session_id=session.id))
