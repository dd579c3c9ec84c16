"""Organiser pages: a session's registrations, decisions, internal notes and exports."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from registrations.access import STAFF, allow
from registrations.enrolment import answers, bp, decisions, exports, queries, services, waitlist
from registrations.enrolment.forms import RegistrationDecisionForm, RegistrationNoteForm
from registrations.enrolment.services import RegistrationError
from registrations.errors import abort_with, session_or_404
from registrations.extensions import db
from registrations.formats import PageDates
from registrations.forms import FlaskForm
from registrations.inputs import parse_id
from registrations.kept_pages import kept_for_reader
from registrations.models import RegistrationState, utcnow
from registrations.paging import paginate
from registrations.transaction import run


def _filter_args() -> dict:
    """The list's filters and page from the query string, to come back to the same view."""
    return {k: v for k, v in request.args.items() if k in ("state", "agency", "country", "page")}


def _agency_options(agencies: list, selected: int | None) -> Markup:
    """The <option>s of the agency filter. A busy session has two hundred agencies: written here
    they cost a fifth of what the same loop cost in the template."""
    # Every text is escaped here (ids are integers); Markup's own % or format() would cost more
    # than the template loop this replaces.
    return Markup("".join(  # noqa: S704  # nosec B704 # escaped below
        f'<option value="{int(a.id)}" {"selected" if a.id == selected else ""}>'
        f"{escape(a.code)} · {escape(a.name_local or a.name)}</option>" for a in agencies))


#: The bulk decisions that accept what fits, and what they do with the rest.
FITTING = {"approve": decisions.REST_PENDING, "approve_waitlist": decisions.REST_WAITLIST}


def _render_session_list(session, status: int = 200, form=None):
    filters = queries.Filters.from_args(request.args)
    page = paginate(queries.session_registrations(session.id, filters),
                    count=queries.count_session_registrations(session.id, filters))
    agencies = queries.session_agencies(session.id)
    asked = answers.session_questions(session.id)
    waiting = [r.id for r in page.items if r.state == RegistrationState.WAITLISTED]
    return render_template(
        "registrations/session_list.html", session=session, page=page, filters=filters,
        positions=waitlist.positions([session.id]) if waiting else {},
        agency_options=_agency_options(agencies, filters.agency_id),
        countries=sorted({a.country for a in agencies}), dates=PageDates(),
        state_labels={state: state.label for state in RegistrationState},
        form=form or RegistrationDecisionForm(), args=_filter_args(),
        questions=asked, given=answers.answers_of([r.id for r in page.items]) if asked else {},
        shown_value=answers.shown_value,
    ), status


@bp.get("/manage/sessions/<int:session_id>/registrations")
@allow(STAFF)
@kept_for_reader
def session_list(session_id: int):
    """A session's registrations with filters (state, agency, country), to decide on."""
    return _render_session_list(session_or_404(session_id))


@bp.post("/manage/sessions/<int:session_id>/registrations/decide")
@allow(STAFF)
def decide(session_id: int):
    """Accept in order what fits (a summary says what happened to whom and why), reject (with a
    reason), waitlist or cancel the ticked registrations."""
    session = session_or_404(session_id)
    form = RegistrationDecisionForm()
    raw_ids = request.form.getlist("ids")
    if any(parse_id(value) is None for value in raw_ids):
        abort_with(400, _("The selection could not be read. Reload the page."))
    if not form.validate_on_submit():
        flash(_("The decision could not be read. Check the form and try again."), "danger")
        return _render_session_list(session, 400, form)
    if form.action.data in FITTING:
        try:
            outcomes = run(decisions.accept_fitting, session.id, [parse_id(v) for v in raw_ids],
                           FITTING[form.action.data], actor=current_user._get_current_object())
        except RegistrationError as error:
            flash(str(error.message), "danger")
            return _render_session_list(session, error.status, form)
        return render_template("registrations/decision_summary.html", session=session, outcomes=outcomes,
                               accepted=sum(o.outcome == decisions.ACCEPTED for o in outcomes),
                               args=_filter_args())
    try:
        decided = run(services.decide, session.id, [parse_id(v) for v in raw_ids], form.action.data,
                                  actor=current_user._get_current_object(), reason=form.reason.data)
    except RegistrationError as error:
        flash(str(error.message), "danger")
        return _render_session_list(session, error.status, form)
    flash(_("Registrations updated: %(num)d.", num=len(decided)), "success")
    return redirect(url_for(".session_list", session_id=session.id, **_filter_args()))


@bp.post("/manage/registrations/<int:registration_id>/note")
@allow(STAFF)
def note(registration_id: int):
    """Save the organisers' internal note of a registration."""
    form = RegistrationNoteForm()
    if not form.validate_on_submit():
        abort_with(400, " ".join(form.internal_note.errors) or _("The form could not be read. Reload the page."))
    try:
        run(services.set_note, registration_id, form.internal_note.data, actor=current_user._get_current_object())
    except RegistrationError as error:
        abort_with(error.status, error.message)
    flash(_("The note is saved."), "success")
    return redirect(url_for(".detail", registration_id=registration_id))


@bp.get("/manage/sessions/<int:session_id>/registrations.<any(csv, xlsx):fmt>")
@allow(STAFF)
def export(session_id: int, fmt: str):
    """The session's participant list (filters apply) as CSV or XLSX."""
    session = session_or_404(session_id)
    filters = queries.Filters.from_args(request.args)
    registrations = list(db.session.scalars(queries.session_registrations(session.id, filters)))
    asked = answers.session_questions(session.id)
    given = answers.answers_of([r.id for r in registrations]) if asked else {}
    name = f"registrations-{session.id}"
    if fmt == "csv":
        body, mimetype = exports.to_csv(registrations, asked, given), "text/csv; charset=utf-8"
    else:
        body = exports.to_xlsx(registrations, session.title, asked, given)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})



@bp.get("/manage/sessions/<int:session_id>/waiting-list")
@allow(STAFF)
def waiting_list(session_id: int):
    """The session's waiting list in the order it is served, to reorder."""
    session = session_or_404(session_id)
    waiting = waitlist.waiting(session.id)
    agencies = {a.id: a for a in queries.session_agencies(session.id)}
    return render_template("registrations/waiting_list.html", session=session, waiting=waiting, agencies=agencies,
                           now=utcnow())


def _reorder(session_id: int, work, *args) -> Response:
    session = session_or_404(session_id)
    if not FlaskForm().validate_on_submit():
        abort_with(400, _("The form has expired or its security token is missing. Reload the page and try again."))
    try:
        run(work, session.id, *args, actor=current_user._get_current_object())
    except RegistrationError as error:
        abort_with(error.status, error.message)
    flash(_("The waiting list has a new order."), "success")
    return redirect(url_for(".waiting_list", session_id=session.id))


@bp.post("/manage/sessions/<int:session_id>/waiting-list/<int:registration_id>/<any(up, down):direction>")
@allow(STAFF)
def waiting_list_move(session_id: int, registration_id: int, direction: str):
    """Move one registration up or down the waiting list (audited)."""
    return _reorder(session_id, waitlist.move, registration_id, direction)


@bp.post("/manage/sessions/<int:session_id>/waiting-list/one-per-agency")
@allow(STAFF)
def waiting_list_one_per_agency(session_id: int):
    """Put each agency's first person before anyone's second (audited)."""
    return _reorder(session_id, waitlist.one_per_agency_first)
