"""The office's pages: every session (drafts too), the session form, days, status changes."""

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from registrations.access import STAFF, allow
from registrations.extensions import db
from registrations.models import Agency, DayPart, Registration, SessionStatus, TrainingSession
from registrations.navigation import session_tools
from registrations.paging import paginate
from registrations.sessions import bp, lifecycle, services
from registrations.sessions.base import SessionError, SessionInvalid, local_today
from registrations.sessions.forms import (
    CancelSessionForm,
    DuplicateSessionForm,
    SessionDaysForm,
    SessionForm,
    quota_choices,
)
from registrations.sessions.queries import search_condition
from registrations.sessions.views import quota_rows
from registrations.transaction import run


def _actor():
    return current_user._get_current_object()


def _staff_session(session_id: int, **options) -> TrainingSession:
    statement = select(TrainingSession).where(TrainingSession.id == session_id)
    if options.get("with_days"):
        statement = statement.options(selectinload(TrainingSession.days))
    if options.get("with_quotas"):
        statement = statement.options(selectinload(TrainingSession.quotas))
    session = db.session.scalar(statement)
    if session is None:
        abort(404)
    return session


@bp.get("/manage/sessions")
@allow(STAFF)
def manage():
    """Every session, drafts included, filtered by status and text, latest first."""
    status = request.args.get("status", "")
    query = (request.args.get("q") or "").strip()
    statement = select(TrainingSession).order_by(TrainingSession.start_date.desc(), TrainingSession.id.desc())
    if status in {s.value for s in SessionStatus}:
        statement = statement.where(TrainingSession.status == status)
    if query:
        statement = statement.where(search_condition(query))
    page = paginate(statement)
    return render_template("sessions/manage/list.html", page=page, status=status, query=query,
                           statuses=list(SessionStatus))


def _prepare(form: SessionForm) -> None:
    choices = quota_choices(db.session.scalars(select(Agency).where(Agency.active)
                                               .order_by(Agency.country, Agency.name)))
    for row in form.quotas:
        row.target.choices = choices


def _attach(form: SessionForm, error: SessionInvalid) -> list[str]:
    """Put the service's messages on the form's fields; return those about quotas."""
    quota_errors = []
    for name, messages in error.errors.items():
        field = getattr(form, name, None)
        if name == "quotas" or field is None:
            quota_errors += [str(message) for message in messages]
        else:
            field.errors = [*field.errors, *(str(message) for message in messages)]
    return quota_errors


def _save(form: SessionForm, session: TrainingSession | None):
    """Validate and save the form; return a redirect, or the form page with its errors."""
    quota_errors: list[str] = []
    if form.validate_on_submit():
        quotas = form.quota_specs()
        if quotas is not None:
            try:
                if session is None:
                    saved = run(services.create_session, form.values(), quotas, actor=_actor())
                    flash(_("The session was saved as a draft. Check its days, then publish it."), "success")
                else:
                    saved = run(services.update_session, session.id, form.values(), quotas, actor=_actor())
                    flash(_("The session was saved."), "success")
                return redirect(url_for("sessions.manage_detail", session_id=saved.id))
            except SessionInvalid as error:
                quota_errors = _attach(form, error)
            except SessionError as error:
                if error.status == 404:
                    abort(404)
                flash(str(error.message), "danger")
                return _form_page(form, session, quota_errors, error.status)
    if request.method == "POST":
        return _form_page(form, session, quota_errors, 400)
    return _form_page(form, session, quota_errors, 200)


def _form_page(form, session, quota_errors, status):
    _prepare(form)
    return render_template("sessions/manage/form.html", form=form, session=session,
                           quota_errors=quota_errors), status


@bp.route("/manage/sessions/new", methods=["GET", "POST"])
@allow(STAFF)
def new():
    """Create a session (saved as a draft, its days generated from the dates)."""
    form = SessionForm()
    if request.method == "GET":
        form.eligible_countries.data = ["VN", "KH", "LA"]
        form.add_spare_quota_rows()
    return _save(form, None)


@bp.route("/manage/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@allow(STAFF)
def edit(session_id: int):
    """Edit a session; registrations stay consistent (see services.update_session)."""
    session = _staff_session(session_id)
    if session.status in (SessionStatus.COMPLETED, SessionStatus.CANCELLED):
        flash(_("A completed or cancelled session can no longer be edited."), "warning")
        return redirect(url_for("sessions.manage_detail", session_id=session.id))
    form = SessionForm()
    if request.method == "GET":
        form.fill_from(session, services.current_quotas(session.id))
    return _save(form, session)


def _hub(session_id: int, status: int = 200, cancel_form=None, duplicate_form=None):
    """The organiser's page for one session: facts, seats, status actions and tools."""
    session = _staff_session(session_id, with_days=True, with_quotas=True)
    counts = dict(db.session.execute(
        select(Registration.state, func.count()).where(Registration.session_id == session.id)
        .group_by(Registration.state)).all())
    length = session.end_date - session.start_date
    duplicate_form = duplicate_form or DuplicateSessionForm(
        formdata=None, start_date=max(local_today(), session.start_date) + timedelta(days=365),
        end_date=max(local_today(), session.start_date) + timedelta(days=365) + length)
    return render_template(
        "sessions/manage/detail.html", session=session, quotas=quota_rows(session), counts=counts,
        tools=session_tools(session.id), allowed=lifecycle.allowed_targets(session.status), today=local_today(),
        cancel_form=cancel_form or CancelSessionForm(formdata=None), duplicate_form=duplicate_form,
        SessionStatus=SessionStatus,
    ), status


@bp.get("/manage/sessions/<int:session_id>")
@allow(STAFF)
def manage_detail(session_id: int):
    """The organiser's hub for one session."""
    return _hub(session_id)


def _change(session_id: int, target: SessionStatus, done: str):
    try:
        run(lifecycle.change_status, session_id, target, actor=_actor())
    except SessionError as error:
        if error.status == 404:
            abort(404)
        flash(str(error.message), "danger")
        return _hub(session_id, error.status)
    flash(done, "success")
    return redirect(url_for("sessions.manage_detail", session_id=session_id))


@bp.post("/manage/sessions/<int:session_id>/publish")
@allow(STAFF)
def publish(session_id: int):
    """Publish a draft: partners and visitors see it in the catalogue."""
    return _change(session_id, SessionStatus.PUBLISHED, _("The session is published."))


@bp.post("/manage/sessions/<int:session_id>/reopen")
@allow(STAFF)
def reopen(session_id: int):
    """Reopen the registrations of a session whose registrations were closed."""
    return _change(session_id, SessionStatus.PUBLISHED, _("Registrations are open again."))


@bp.post("/manage/sessions/<int:session_id>/close")
@allow(STAFF)
def close(session_id: int):
    """Close registrations (the session stays in the catalogue)."""
    return _change(session_id, SessionStatus.CLOSED, _("Registrations are closed."))


@bp.post("/manage/sessions/<int:session_id>/complete")
@allow(STAFF)
def complete(session_id: int):
    """Mark a session completed, from its last day on."""
    return _change(session_id, SessionStatus.COMPLETED, _("The session is marked completed."))


@bp.post("/manage/sessions/<int:session_id>/cancel")
@allow(STAFF)
def cancel(session_id: int):
    """Cancel a session; every registered person is told the reason by email."""
    _staff_session(session_id)
    form = CancelSessionForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for the cancellation: it is sent to the registered people."), "danger")
        return _hub(session_id, 400, cancel_form=form)
    try:
        run(lifecycle.cancel, session_id, form.reason.data, actor=_actor())
    except SessionError as error:
        flash(str(error.message), "danger")
        return _hub(session_id, error.status, cancel_form=form)
    flash(_("The session is cancelled; registered people are being told by email."), "success")
    return redirect(url_for("sessions.manage_detail", session_id=session_id))


@bp.post("/manage/sessions/<int:session_id>/duplicate")
@allow(STAFF)
def duplicate(session_id: int):
    """Start a new draft from this session, on dates the organiser chooses."""
    _staff_session(session_id)
    form = DuplicateSessionForm()
    if form.validate_on_submit():
        try:
            copy = run(lifecycle.duplicate_session, session_id, form.start_date.data, form.end_date.data,
                                              actor=_actor())
        except SessionInvalid as error:
            for name, messages in error.errors.items():
                field = getattr(form, name, form.start_date)
                field.errors = [*field.errors, *(str(m) for m in messages)]
        else:
            flash(_("A new draft was created from the session. Check it, then publish it."), "success")
            return redirect(url_for("sessions.edit", session_id=copy.id))
    flash(_("The session could not be duplicated: check the dates."), "danger")
    return _hub(session_id, 400, duplicate_form=form)


@bp.post("/manage/sessions/<int:session_id>/delete")
@allow(STAFF)
def delete(session_id: int):
    """Delete a draft nobody registered for."""
    try:
        run(lifecycle.delete_session, session_id, actor=_actor())
    except SessionError as error:
        if error.status == 404:
            abort(404)
        flash(str(error.message), "danger")
        return _hub(session_id, error.status)
    flash(_("The draft was deleted."), "success")
    return redirect(url_for("sessions.manage"))


@bp.route("/manage/sessions/<int:session_id>/days", methods=["GET", "POST"])
@allow(STAFF)
def days(session_id: int):
    """Edit the days: remove a rest day, split into half-days, write each day's programme."""
    session = _staff_session(session_id, with_days=True)
    form = SessionDaysForm()
    status = 200
    if request.method == "GET":
        for day in session.days:
            form.days.append_entry({"day_id": str(day.id), "part": day.part.value, "programme": day.programme})
    elif form.validate_on_submit():
        try:
            changes = [services.DayChange(id=int(row.day_id.data), part=DayPart(row.part.data),
                                          programme=row.programme.data or "", remove=row.remove.data,
                                          split=row.split.data) for row in form.days]
        except (TypeError, ValueError):
            abort(400)
        additions = ([services.DayAddition(date=form.add_date.data, part=DayPart(form.add_part.data))]
                     if form.add_date.data else [])
        try:
            run(services.save_days, session.id, changes, additions, actor=_actor())
        except SessionError as error:
            flash(str(error.message), "danger")
            status = error.status
        else:
            flash(_("The days were saved."), "success")
            return redirect(url_for("sessions.days", session_id=session.id))
    else:
        status = 400
    dates = {day.id: day for day in session.days}
    return render_template("sessions/manage/days.html", session=session, form=form, dates=dates), status
