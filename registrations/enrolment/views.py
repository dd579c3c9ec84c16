"""Partner pages: register, nominate, follow the agency's registrations, cancel, answer offers.

The registration page, cancelling and offers are also open to staff (they see every agency).
"""

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from registrations.access import STAFF, agency_scope, allow
from registrations.attendance import signing
from registrations.enrolment import answer_files, answers, bp, cancel_requests, codes, queries, services, waitlist
from registrations.enrolment.answers import AnswersInvalid
from registrations.enrolment.forms import (
    CancelRequestRefuseForm,
    RegistrationCancelForm,
    RegistrationEditForm,
    RegistrationNominateForm,
    RegistrationNoteForm,
    RegistrationSelfForm,
    raw_answers,
    show_answer_errors,
    with_questions,
)
from registrations.enrolment.seats import offer_is_active
from registrations.enrolment.services import DuplicatePerson, RegistrationError, RegistrationRequest
from registrations.errors import abort_with
from registrations.extensions import db
from registrations.formats import PageDates
from registrations.forms import FlaskForm
from registrations.inputs import takes_files
from registrations.kept_pages import kept_for_reader, valid_until
from registrations.models import (
    LIVE_STATES,
    Participant,
    Registration,
    RegistrationAnswer,
    RegistrationQuestion,
    RegistrationState,
    Role,
    utcnow,
)
from registrations.paging import paginate
from registrations.transaction import run


def _actor():
    return current_user._get_current_object()


def _submit(session_id: int, wanted: RegistrationRequest, form=None):
    """Register as `wanted` asks (the self-registration and nomination forms share this).

    Returns (the redirect to the new registration or None, status, DuplicatePerson or None); a
    refusal is flashed, answers that do not fit are shown next to their questions, a missing
    session or person is a 404 page.
    """
    try:
        registration_id, state, code = run(_register, session_id, wanted, actor=_actor())
    except AnswersInvalid as error:
        show_answer_errors(form, error.errors)
        return None, error.status, None
    except DuplicatePerson as error:
        flash(str(error.message), "warning")
        return None, error.status, error
    except RegistrationError as error:
        if error.status == 404:
            abort_with(404, error.message)
        flash(str(error.message), "danger")
        return None, error.status, None
    _announce(state, code)
    return redirect(url_for(".detail", registration_id=registration_id)), 200, None


def _register(session_id: int, wanted: RegistrationRequest, *, actor) -> tuple[int, RegistrationState, str | None]:
    """`services.register`, and what the answer says of the new registration, read before the
    commit (which expires every loaded object: reading them after it is one more query)."""
    registration = services.register(session_id, wanted, actor=actor)
    return registration.id, registration.state, registration.personal_code


def _announce(state: RegistrationState, code: str | None) -> None:
    """Tell the partner what became of the registration they just made."""
    if state == RegistrationState.APPROVED:
        flash(_("Registration approved. Personal check-in code: %(code)s.", code=code), "success")
    elif state == RegistrationState.WAITLISTED:
        flash(_("No seat is left for now: the registration is on the waiting list. You will be told by "
                "email if a seat frees."), "warning")
    else:
        flash(_("Registration received. The cooperation office will decide and you will be told by email."),
              "success")


def _live_registration(session_id: int, participant_id: int) -> Registration | None:
    return db.session.scalars(select(Registration).where(
        Registration.session_id == session_id, Registration.participant_id == participant_id,
        Registration.state.in_(LIVE_STATES))).first()


@bp.route("/sessions/<int:session_id>/register", methods=["GET", "POST"])
@allow(Role.PARTNER)
@takes_files(fields=r"q[0-9]+")
def register(session_id: int):
    """A partner registers themselves, answering the session's questions; their participant
    record is prefilled and updated."""
    session = queries.get_session_for_registering(session_id)
    participant = db.session.get(Participant, current_user.participant_id) if current_user.participant_id else None
    if participant is None:
        abort_with(409, _("Your account has no participant record. Contact the cooperation office."))
    questions = answers.session_questions(session.id)
    form = with_questions(RegistrationSelfForm, questions)(obj=participant)
    status = 200
    if form.validate_on_submit():
        done, status, _duplicate = _submit(session.id, RegistrationRequest(
            agency_id=current_user.agency_id, participant_id=participant.id, person=form.person(),
            update_person=True, details=form.details(), answers=raw_answers(form, questions),
            questions=questions), form)
        if done is not None:
            return done
    elif request.method == "POST":
        status = 400
    existing = _live_registration(session.id, participant.id)
    return render_template("registrations/register.html", form=form, session=session, existing=existing,
                           is_open=session.registration_is_open(), questions=questions), status


def _colleague_label(participant: Participant, state: RegistrationState | None = None) -> str:
    parts = [participant.name_latin]
    if participant.name_native and participant.name_native != participant.name_latin:
        parts.append(participant.name_native)
    if participant.rank:
        parts.append(participant.rank)
    label = " · ".join(parts)
    if state is not None:
        label = _("%(name)s (already registered: %(state)s)", name=label, state=state.label)
    return label


@bp.route("/sessions/<int:session_id>/nominate", methods=["GET", "POST"])
@allow(Role.PARTNER)
@takes_files(fields=r"q[0-9]+")
def nominate(session_id: int):
    """A partner nominates a colleague of their agency: an existing participant or a new one.
    Colleagues already registered for the session are marked in the list."""
    session = queries.get_session_for_registering(session_id)
    colleagues = queries.agency_participants(current_user.agency_id)
    registered = queries.live_states_in_session(session.id, current_user.agency_id)
    questions = answers.session_questions(session.id)
    form = with_questions(RegistrationNominateForm, questions)()
    form.participant_id.choices = [SelectChoice("", _("A new person (enter the details below)"))] + [
        SelectChoice(str(p.id), _colleague_label(p, registered.get(p.id))) for p in colleagues]
    if request.method == "GET" and request.args.get("participant_id"):
        wanted = request.args["participant_id"]
        if wanted not in {str(p.id) for p in colleagues}:
            abort_with(404, _("This person is not among your agency's participants."))
        form.participant_id.data = wanted
    status, duplicate = 200, None
    if form.validate_on_submit():
        try:
            chosen = form.chosen_participant
        except ValueError:
            abort_with(400, _("Choose a colleague from the list."))
        done, status, duplicate = _submit(session.id, RegistrationRequest(
            agency_id=current_user.agency_id, participant_id=chosen, person=None if chosen else form.person(),
            confirm_new=form.confirm_new.data, details=form.details(), nominated=True,
            answers=raw_answers(form, questions), questions=questions), form)
        if done is not None:
            return done
    elif request.method == "POST":
        status = 400
    return render_template("registrations/nominate.html", form=form, session=session, duplicate=duplicate,
                           is_open=session.registration_is_open(), questions=questions,
                           registered=[(p, registered[p.id]) for p in colleagues if p.id in registered]), status


@bp.get("/registrations")
@allow(Role.PARTNER)
@kept_for_reader
def agency_list():
    """The agency's registrations across sessions, with their states (filter by state)."""
    filters = queries.Filters.from_args(request.args)
    filters.agency_id = filters.country = None
    page = paginate(queries.agency_registrations(current_user.agency_id, filters),
                    count=queries.count_agency_registrations(current_user.agency_id, filters))
    positions = waitlist.positions([r.session_id for r in page.items if r.state == RegistrationState.WAITLISTED])
    now = utcnow()
    # A seat offered to a waitlisted registration shows until the offer runs out.
    valid_until(min((r.offer_expires_at for r in page.items if offer_is_active(r, now)), default=None))
    return render_template("registrations/agency_list.html", page=page, filters=filters, now=now,
                           positions=positions,
                           state_labels={state: state.label for state in RegistrationState}, dates=PageDates())


def visible_answers(registration: Registration) -> list[tuple]:
    """(question, answer or None) of a registration that the reader may see: staff all of them, the
    registrant's agency those shared with it."""
    questions = answers.session_questions(registration.session_id)
    given = answers.answers_of([registration.id]).get(registration.id, {})
    return [(q, given.get(q.id)) for q in questions if current_user.is_staff or q.shared_with_agency]


def _render_detail(registration: Registration, status: int = 200):
    history = queries.history(registration, include_internal=current_user.is_staff)
    approved = registration.state == RegistrationState.APPROVED and registration.personal_code
    return render_template(
        "registrations/detail.html", registration=registration, session=registration.session,
        participant=registration.participant, agency=registration.agency, history=history,
        qr=codes.qr_data_uri(signing.sign(registration.session_id, registration.personal_code)) if approved else None,
        offer_open=offer_is_active(registration, utcnow()), cancel_form=RegistrationCancelForm(),
        note_form=RegistrationNoteForm(internal_note=registration.internal_note) if current_user.is_staff else None,
        system_reasons=_system_reasons(), refuse_form=CancelRequestRefuseForm(),
        needs_request=(not current_user.is_staff
                       and cancel_requests.needs_confirmation(registration, registration.session)),
        position=(waitlist.positions([registration.session_id]).get(registration.id)
                  if registration.state == RegistrationState.WAITLISTED else None),
        state_labels={state.value: state.label for state in RegistrationState},
        answers=visible_answers(registration), shown_value=answers.shown_value,
        editable=registration.state == RegistrationState.PENDING,
    ), status


def _system_reasons() -> dict:
    return {services.OFFER_EXPIRED: _("The offered seat was not accepted in time."),
            services.OFFER_DECLINED: _("The offered seat was declined.")}


@bp.get("/registrations/<int:registration_id>")
@allow(Role.PARTNER, STAFF)
def detail(registration_id: int):
    """One registration: state, history, and once approved the personal check-in code and QR code."""
    registration = queries.get_registration_for(current_user, registration_id)
    return _render_detail(registration)


def _after_error(registration_id: int, error: RegistrationError):
    if error.status == 404:
        abort_with(404, error.message)
    flash(str(error.message), "danger")
    return _render_detail(queries.get_registration_for(current_user, registration_id), error.status)


def _act_on(registration_id: int, form: FlaskForm, work, done, **kwargs):
    """An action on one registration the caller may see (404 otherwise): the form must be valid
    (400), the service runs as one unit of work, then the registration's page, with the refusal
    or after `done(registration)` (the message)."""
    queries.get_registration_for(current_user, registration_id)
    if not form.validate_on_submit():
        reasons = form.reason.errors if "reason" in form else []
        abort_with(400, " ".join(reasons) or _("The form could not be read. Reload the page."))
    try:
        registration = run(work, registration_id, agency_id=agency_scope(current_user), actor=_actor(),
                           **kwargs)
    except RegistrationError as error:
        return _after_error(registration_id, error)
    done(registration)
    return redirect(url_for(".detail", registration_id=registration_id))


@bp.post("/registrations/<int:registration_id>/cancel")
@allow(Role.PARTNER, STAFF)
def cancel(registration_id: int):
    """Cancel a registration (optional reason); a freed seat goes to the waiting list."""
    form = RegistrationCancelForm()
    registration = queries.get_registration_for(current_user, registration_id)
    if not current_user.is_staff and cancel_requests.needs_confirmation(registration, registration.session):
        return _act_on(registration_id, form, cancel_requests.request_cancellation,
                       lambda _registration: flash(_("The cancellation request is sent to the cooperation office."),
                                                   "success"),
                       reason=form.reason.data)
    return _act_on(registration_id, form, services.cancel,
                   lambda _registration: flash(_("The registration is cancelled."), "success"),
                   reason=form.reason.data)


@bp.post("/manage/registrations/<int:registration_id>/cancel-request/confirm")
@allow(STAFF)
def confirm_cancel_request(registration_id: int):
    """Confirm a partner's request to cancel after attendance started: the registration is cancelled."""
    return _act_on(registration_id, FlaskForm(), _staff(cancel_requests.confirm_cancellation),
                   lambda _registration: flash(_("The registration is cancelled."), "success"))


@bp.post("/manage/registrations/<int:registration_id>/cancel-request/refuse")
@allow(STAFF)
def refuse_cancel_request(registration_id: int):
    """Refuse a partner's request to cancel (with a reason): the registration stays approved."""
    form = CancelRequestRefuseForm()
    if form.is_submitted() and not form.refusal.data:
        queries.get_registration_for(current_user, registration_id)
        abort_with(400, _("Give a reason for refusing the request."))
    return _act_on(registration_id, form, _staff(cancel_requests.refuse_cancellation),
                   lambda _registration: flash(_("The request is refused; the registration stays approved."),
                                               "success"),
                   reason=form.refusal.data)


def _staff(work):
    """A staff-only service called through `_act_on` (which passes the caller's agency scope, None
    for staff)."""
    return lambda registration_id, agency_id=None, **kwargs: work(registration_id, **kwargs)


@bp.post("/registrations/<int:registration_id>/accept-offer")
@allow(Role.PARTNER, STAFF)
def accept_offer(registration_id: int):
    """Take the seat offered from the waiting list, before the offer expires."""
    return _act_on(registration_id, FlaskForm(), services.accept_offer,
                   lambda registration: _announce(registration.state, registration.personal_code))


@bp.post("/registrations/<int:registration_id>/decline-offer")
@allow(Role.PARTNER, STAFF)
def decline_offer(registration_id: int):
    """Decline the offered seat: the registration is cancelled and the seat passes on."""
    return _act_on(registration_id, FlaskForm(), services.decline_offer, lambda _registration: flash(
        _("The offered seat is declined and passes to the next person waiting."), "info"))


@bp.route("/registrations/<int:registration_id>/edit", methods=["GET", "POST"])
@allow(Role.PARTNER, STAFF)
@takes_files(fields=r"q[0-9]+")
def edit(registration_id: int):
    """Correct a pending registration of the agency: the person, needs, motivation and answers."""
    registration = queries.get_registration_for(current_user, registration_id)
    if registration.state != RegistrationState.PENDING:
        abort_with(409, _("Only a pending registration can be changed."))
    questions = answers.session_questions(registration.session_id)
    stored = answers.answers_of([registration.id]).get(registration.id, {})
    form_class = with_questions(RegistrationEditForm, questions)
    if request.method == "GET":
        form = form_class(obj=registration.participant, needs_diet=registration.needs_diet,
                          needs_interpretation=registration.needs_interpretation,
                          needs_accessibility=registration.needs_accessibility, motivation=registration.motivation,
                          **{f"q{q.id}": stored[q.id].value for q in questions
                             if q.id in stored and not stored[q.id].has_file})
    else:
        form = form_class()
    status = 200
    if form.validate_on_submit():
        try:
            run(services.update_pending, registration.id, agency_id=agency_scope(current_user),
                person=form.person(), details=form.details(), raw_answers=raw_answers(form, questions),
                actor=_actor())
        except AnswersInvalid as error:
            show_answer_errors(form, error.errors)
            status = error.status
        except RegistrationError as error:
            if error.status == 404:
                abort_with(404, error.message)
            flash(str(error.message), "danger")
            status = error.status
        else:
            flash(_("The registration is updated."), "success")
            return redirect(url_for(".detail", registration_id=registration.id))
    elif request.method == "POST":
        status = 400
    if status != 200:  # the refused unit of work was rolled back: read the registration again
        registration = queries.get_registration_for(current_user, registration_id)
        stored = answers.answers_of([registration.id]).get(registration.id, {})
    return render_template("registrations/edit.html", form=form, registration=registration,
                           session=registration.session, questions=questions, stored=stored), status


@bp.get("/registrations/<int:registration_id>/answers/<int:question_id>/file")
@allow(Role.PARTNER, STAFF)
def answer_file(registration_id: int, question_id: int):
    """A file answered to a question: the office, and the registrant's agency when the question
    is shared with it; anyone else gets 404."""
    registration = queries.get_registration_for(current_user, registration_id)
    answer = db.session.scalar(select(RegistrationAnswer).where(
        RegistrationAnswer.registration_id == registration.id, RegistrationAnswer.question_id == question_id))
    question = db.session.get(RegistrationQuestion, question_id) if answer is not None else None
    if answer is None or question is None or not answer.has_file or not (
            current_user.is_staff or question.shared_with_agency):
        abort_with(404, _("This file does not exist."))
    path = answer_files.path_of(answer.file_key)
    if not path.is_file():
        abort_with(404, _("This file does not exist."))
    return send_file(path, mimetype=answer.file_type, as_attachment=True, download_name=answer.file_name)
