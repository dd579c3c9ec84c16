"""Attendance pages for the office: grid, day sheet, marks, check-in, sign-in sheet, exports."""

from datetime import timezone

from flask import current_app, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import format_time, get_locale, get_timezone, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from registrations.access import STAFF, allow
from registrations.attendance import bp, exports, queries, services
from registrations.attendance.forms import CheckInForm
from registrations.attendance.services import AttendanceError
from registrations.errors import abort_with, session_or_404, wants_json
from registrations.inputs import parse_id
from registrations.kept_pages import kept_for_reader
from registrations.models import AttendanceStatus, DayPart
from registrations.navigation import session_tools
from registrations.paging import page_count, requested_page
from registrations.transaction import run


def abbreviations() -> dict[AttendanceStatus, str]:
    """One-letter marks of the grid, in the reader's language (explained by a legend).

    The source strings say which mark the letter stands for; what follows "|" is shown.
    """
    letters = {
        AttendanceStatus.PRESENT: _("present, one letter|P"),
        AttendanceStatus.LATE: _("late, one letter|L"),
        AttendanceStatus.EXCUSED: _("excused, one letter|E"),
        AttendanceStatus.ABSENT: _("absent, one letter|A"),
    }
    return {status: text.rsplit("|", 1)[-1] for status, text in letters.items()}


def _page_context(session) -> dict:
    """What every attendance page shows around its content: the way back and the session's tools."""
    back = None
    if "sessions.manage_detail" in current_app.view_functions:
        back = url_for("sessions.manage_detail", session_id=session.id)
    return {"session": session, "back_url": back, "tools": session_tools(session.id)}


def _day_or_404(days, day_id):
    for day in days:
        if day.id == day_id:
            return day
    abort_with(404, _("This day is not part of this session."))


def _day_label(day) -> str:
    return day.part.label if day.part != DayPart.FULL else ""


def _wants_json() -> bool:
    return request.is_json or wants_json()


def _refuse(error: AttendanceError):
    """A refused action: JSON for scripts, the translated error page for forms."""
    if _wants_json():
        return jsonify(error="refused", message=str(error.message)), error.status
    abort_with(error.status, error.message)


def _payload() -> dict:
    """The posted fields, from a JSON body or a form."""
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise AttendanceError(_("The request could not be understood. Check what you entered and try again."))
        return data
    return request.form


def _marks_json(day_id: int) -> dict:
    """The day's current marks, so that the page shows what other organisers saved too."""
    return {str(rid): status.value for rid, status in services.day_marks(day_id).items()}


@bp.get("/<int:session_id>/attendance")
@allow(STAFF)
def grid(session_id: int):
    """The session grid: participants × days, each one's rate and the session's average."""
    session = session_or_404(session_id)
    data = queries.grid(session, services.local_today())
    return render_template("attendance/grid.html", grid=data, abbr=abbreviations(),
                           statuses=list(AttendanceStatus), **_page_context(session))


#: What the service worker controls: the office's pages (the sheets and check-in among them).
OFFLINE_SCOPE = "/manage/"

#: The check-in pages may use the camera (every other page may not: see security.py).
CAMERA_ALLOWED = "camera=(self), microphone=(), geolocation=()"

#: Participants per page of a day's sheet (a name search finds anyone on any page).
SHEET_PER_PAGE = 50


def _sheet_place() -> dict:
    """Where on the sheet a form was posted from (page, search), to come back to it."""
    place = {}
    page = requested_page()
    if page > 1:
        place["page"] = page
    search = (request.args.get("q") or "").strip()[:100]
    if search:
        place["q"] = search
    return place


def _clock():
    """A function writing a stored time as HH:mm in the reader's time zone (Babel's "HH:mm",
    without looking the locale and time zone up again for each row)."""
    zone = get_timezone()

    def clock(moment) -> str:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(zone).strftime("%H:%M")

    return clock


@bp.get("/<int:session_id>/attendance/<int:day_id>")
@allow(STAFF)
@kept_for_reader
def sheet(session_id: int, day_id: int):
    """A day's attendance sheet: one tap per participant, works on a phone and without JavaScript.

    Long lists come in pages of SHEET_PER_PAGE, with a name search; the counts and "mark everyone
    present" are about the whole day.
    """
    session = session_or_404(session_id)
    days = queries.session_days(session.id)
    day = _day_or_404(days, day_id)
    index = days.index(day)
    place = _sheet_place()
    search = place.get("q", "")
    found = queries.sheet_counts(session.id, day.id)
    total = sum(found.values())
    matching = queries.sheet_matches(session.id, search) if search else total
    per_page = current_app.config.get("ATTENDANCE_SHEET_PER_PAGE", SHEET_PER_PAGE)
    pages = page_count(matching, per_page)
    page = min(place.get("page", 1), pages)
    rows = queries.sheet_page(session.id, day.id, search=search, offset=(page - 1) * per_page, limit=per_page)
    searched = {"q": search} if search else {}

    def page_url(number: int) -> str:
        return url_for("attendance.sheet", session_id=session.id, day_id=day.id, **searched,
                       **({"page": number} if number > 1 else {}))

    here = dict(searched, page=page) if page > 1 else searched
    pager = {"previous": page_url(page - 1) if page > 1 else None,
             "next": page_url(page + 1) if page < pages else None}
    clock = _clock()
    labels = {status: status.label for status in AttendanceStatus}
    return render_template(
        "attendance/sheet.html", day=day, day_label=_day_label(day), rows=rows, total=total, search=search,
        counts={status: found.get(status, 0) for status in AttendanceStatus}, unmarked=found.get(None, 0),
        matching=matching, page=page, pages=pages, here=here, pager=pager,
        times={row.registration_id: clock(row.marked_at) for row in rows if row.marked_at is not None},
        statuses=list(AttendanceStatus), labels=labels,
        status_labels={status.value: label for status, label in labels.items()},
        started=services.day_has_started(day), previous=days[index - 1] if index else None,
        next_day=days[index + 1] if index + 1 < len(days) else None, saved=parse_id(request.args.get("saved")),
        conflicts=services.day_conflicts(day.id), clock=clock, sw_scope=OFFLINE_SCOPE,
        **_page_context(session),
    )


def _counts_json(session_id: int, day_id: int) -> dict:
    """The day's counts per mark ("none": not marked), as the sheet shows them."""
    found = queries.sheet_counts(session_id, day_id)
    counts = {status.value: found.get(status, 0) for status in AttendanceStatus}
    return dict(counts, none=found.get(None, 0), total=sum(found.values()))


@bp.post("/<int:session_id>/attendance/<int:day_id>/mark")
@allow(STAFF)
def mark(session_id: int, day_id: int):
    """Save one mark (form post, or JSON from the sheet's script)."""
    session = session_or_404(session_id)
    try:
        data = _payload()
        registration_id = services.parse_id(data.get("registration_id"))
        result = run(services.mark, session.id, day_id, registration_id, data.get("status"), current_user)
    except AttendanceError as error:
        return _refuse(error)
    status = result.attendance.status
    if _wants_json():
        return jsonify(
            ok=True, registration_id=registration_id, status=status.value, label=status.label,
            changed=result.changed, marked_at=format_time(result.attendance.marked_at, "HH:mm"),
            message=_("Saved"), marks=_marks_json(day_id), counts=_counts_json(session.id, day_id),
        )
    return redirect(url_for("attendance.sheet", session_id=session_id, day_id=day_id, **_sheet_place(),
                            saved=registration_id, _anchor=f"r-{registration_id}"))


@bp.post("/<int:session_id>/attendance/<int:day_id>/mark-all")
@allow(STAFF)
def mark_all(session_id: int, day_id: int):
    """Mark everyone present: those without a mark, or everyone (scope=all)."""
    session = session_or_404(session_id)
    try:
        data = _payload()
        scope = str(data.get("scope") or "unmarked")
        if scope not in ("unmarked", "all"):
            raise AttendanceError(_("Choose whom to mark: those without a mark, or everyone."))
        changed = run(services.mark_all, session.id, day_id, current_user, replace=scope == "all")
    except AttendanceError as error:
        return _refuse(error)
    message = ngettext("%(num)d participant marked present.", "%(num)d participants marked present.", len(changed))
    if _wants_json():
        return jsonify(ok=True, changed=len(changed), message=message, marks=_marks_json(day_id),
                       counts=_counts_json(session.id, day_id))
    flash(message, "success")
    return redirect(url_for("attendance.sheet", session_id=session_id, day_id=day_id, **_sheet_place()))


@bp.route("/<int:session_id>/checkin", methods=["GET", "POST"])
@allow(STAFF)
def checkin(session_id: int):
    """Check participants in by personal code (typed, or from a scanner that ends with Enter)."""
    session = session_or_404(session_id)
    now = services.local_now()
    days = services.todays_days(session.id, now.date())
    form = CheckInForm()
    form.day_id.choices = [(day.id, day.part.label) for day in days]
    result, error, status = None, None, 200
    if request.method == "GET" and days:
        form.day_id.data = services.checkin_day(days, now=now).id
    if form.validate_on_submit():
        try:
            result = run(services.check_in, session.id, form.code.data, current_user, form.day_id.data, now=now)
        except AttendanceError as error_:
            error, status = str(error_.message), error_.status
        else:
            form.code.data = ""
            form.day_id.data = result.day.id
    elif request.method == "POST":
        status = 400
    day = next((d for d in days if d.id == form.day_id.data), days[0] if days else None)
    checked = services.checked_in_count(day.id) if day else 0
    return render_template(
        "attendance/checkin.html", form=form, days=days, day=day, result=result, error=error,
        checked=checked, countries=get_locale().territories, sw_scope=OFFLINE_SCOPE, **_page_context(session),
    ), status, {"Permissions-Policy": CAMERA_ALLOWED}


@bp.get("/<int:session_id>/attendance/<int:day_id>/sign-in.pdf")
@allow(STAFF)
def signin_pdf(session_id: int, day_id: int):
    """The day's sign-in sheet to print: names in both scripts, agency, a signature column."""
    from registrations.documents import SigninRow, SigninSheet, render_signin_sheet

    session = session_or_404(session_id)
    day = _day_or_404(queries.session_days(session.id), day_id)
    rows = [SigninRow(row.participant.name_latin, row.participant.name_native,
                      row.agency.name_local or row.agency.name)
            for row in queries.sheet_rows(session.id, day.id)]
    sheet = SigninSheet(locale=str(get_locale() or "fr"), session_title=session.title, city=session.city,
                        day_date=day.date, day_part_label=_day_label(day), rows=rows)
    response = make_response(render_signin_sheet(sheet))
    response.headers["Content-Type"] = "application/pdf"
    suffix = f"-{day.part.value}" if day.part != DayPart.FULL else ""
    response.headers["Content-Disposition"] = (
        f'inline; filename="sign-in-{session.id}-{day.date.isoformat()}{suffix}.pdf"')
    return response


@bp.get("/<int:session_id>/attendance.<any(csv, xlsx):fmt>")
@allow(STAFF)
def export(session_id: int, fmt: str):
    """Attendance as CSV (UTF-8 with BOM) or XLSX: a row per participant, a column per day, the rate."""
    session = session_or_404(session_id)
    data = queries.grid(session, services.local_today())
    if fmt == "csv":
        body, mimetype = exports.to_csv(data), "text/csv; charset=utf-8"
    else:
        body = exports.to_xlsx(data)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = make_response(body)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="attendance-{session.id}.{fmt}"'
    return response
