"""The attendance sheet without a network: the service worker, the web app manifest, the day's
data a device keeps (IndexedDB), and the endpoint that receives the marks it queued.

The rules (idempotency, conflicts) are in `services.sync_marks`; these views only translate
between HTTP and the services.
"""

from flask import current_app, jsonify, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from registrations import transaction
from registrations.access import ANYONE, STAFF, allow
from registrations.attendance import bp, queries, services, signing
from registrations.attendance.services import AttendanceError
from registrations.attendance.views import OFFLINE_SCOPE as SCOPE
from registrations.attendance.views import _clock, _counts_json, _day_or_404, _marks_json
from registrations.errors import session_or_404
from registrations.models import AttendanceStatus
from registrations.security import CONTENT_SECURITY_POLICY


def conflicts_json(day_id: int) -> list[dict]:
    """The day's resolved conflicts as the sheet's script lists them."""
    clock = _clock()
    return [{"registration_id": c.registration_id, "name": c.name_latin, "name_native": c.name_native,
             "kept": c.kept.label, "lost": c.lost.label, "time": clock(c.marked_at)}
            for c in services.day_conflicts(day_id)]


@bp.get("/sw.js")
@allow(ANYONE)
def service_worker():
    """The service worker of the office's pages (scope: SCOPE; it keeps the attendance pages)."""
    response = send_from_directory(current_app.static_folder, "js/attendance-sw.js", max_age=0)
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Service-Worker-Allowed"] = SCOPE
    return response


@bp.get("/app.webmanifest")
@allow(ANYONE)
def manifest():
    """The web app manifest: the attendance tools can be installed on an organiser's phone."""
    icon = url_for("static", filename="img/app-icon.svg")
    return jsonify(
        name=_("Cooperation training: attendance"), short_name=_("Attendance"),
        start_url=url_for("sessions.manage") if "sessions.manage" in current_app.view_functions else "/",
        scope=SCOPE, display="standalone",
        background_color="#ffffff", theme_color="#12355b", lang=str(request.accept_languages.best or "fr"),
        icons=[{"src": icon, "sizes": "any", "type": "image/svg+xml", "purpose": "any"}],
    ), 200, {"Content-Type": "application/manifest+json"}


@bp.get("/<int:session_id>/attendance/<int:day_id>/offline.json")
@allow(STAFF)
def offline_data(session_id: int, day_id: int):
    """What a device keeps to work without a network: the day's participants, their marks, the
    resolved conflicts and a fresh CSRF token for sending later."""
    session = session_or_404(session_id)
    day = _day_or_404(queries.session_days(session.id), day_id)
    clock = _clock()
    rows = queries.sheet_rows(session.id, day.id)
    return jsonify(
        session_id=session.id, day_id=day.id, date=day.date.isoformat(), csrf_token=generate_csrf(),
        key=signing.key_text(session.id),
        started=services.day_has_started(day),
        participants=[{
            "id": row.registration.id, "name": row.participant.name_latin, "name_native": row.participant.name_native,
            "agency": row.agency.name_local or row.agency.name, "code": row.registration.personal_code or "",
            "locale": row.participant.locale if row.participant.locale in ("vi", "km", "lo") else "",
        } for row in rows],
        marks={str(row.registration.id): {"status": row.status.value, "time": clock(row.mark.marked_at)}
               for row in rows if row.mark is not None},
        labels={status.value: status.label for status in AttendanceStatus},
        conflicts=conflicts_json(day.id),
    )


@bp.post("/<int:session_id>/attendance/<int:day_id>/sync")
@allow(STAFF)
def sync(session_id: int, day_id: int):
    """Receive marks a device queued (JSON, in order); each id counts once."""
    session = session_or_404(session_id)
    try:
        marks = services.parse_device_marks(request.get_json(silent=True))
        results = transaction.run(services.sync_marks, session.id, day_id, marks, current_user)
    except AttendanceError as error:
        return jsonify(error="refused", message=str(error.message)), error.status
    times = {str(rid): value for rid, value in _mark_times(day_id).items()}
    return jsonify(
        ok=True,
        results=[{"id": r.client_id, "registration_id": r.registration_id, "outcome": r.outcome,
                  "conflict": r.conflict, "duplicate": r.duplicate, "message": r.message,
                  "status": r.status.value if r.status else None,
                  "label": r.status.label if r.status else "", "time": times.get(str(r.registration_id), "")}
                 for r in results],
        marks=_marks_json(day_id), counts=_counts_json(session.id, day_id), conflicts=conflicts_json(day_id),
        message=_("Saved"),
    )


def _mark_times(day_id: int) -> dict[int, str]:
    clock = _clock()
    return {rid: clock(at) for rid, at in services.day_mark_times(day_id).items()}
