"""Partner pages of batch nomination: template, upload and preview, confirmation."""

from flask import Response, current_app, flash, render_template
from flask_babel import gettext as _
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import FileStorage

from registrations.access import allow
from registrations.enrolment import answers, batch, bp, queries
from registrations.enrolment.errors import RegistrationError
from registrations.enrolment.forms import BatchConfirmForm, BatchUploadForm
from registrations.errors import abort_with
from registrations.extensions import db
from registrations.inputs import takes_files
from registrations.models import Agency, QuestionKind, RegistrationState, Role, utcnow
from registrations.transaction import run

#: A checked file stays confirmable this long (seconds).
BATCH_MAX_AGE = 2 * 3600
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The people of the demonstration file (fictional).
EXAMPLES = [
    {"name_latin": "Nguyễn Văn An", "name_native": "Nguyễn Văn An", "rank": "Thiếu tá", "unit": "Phòng PC02",
     "email": "nguyen.van.an@example.test", "phone": "+84 24 0000 0001", "languages": "vi, en", "locale": "vi"},
    {"name_latin": "Sok Dara", "name_native": "សុខ ដារា", "rank": "Captain", "unit": "Anti-trafficking",
     "email": "sok.dara@example.test", "languages": "km, en", "locale": "km", "needs_diet": "Vegetarian"},
    {"name_latin": "Phonsavanh Keomany", "name_native": "ພອນສະຫວັນ ແກ້ວມະນີ", "rank": "Lieutenant",
     "unit": "Immigration", "email": "phonsavanh.k@example.test", "locale": "lo"},
]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="batch-nomination")


def _download(body: bytes, name: str) -> Response:
    return Response(body, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _page(session, upload=None, results=None, confirm=None, outcome=None, status: int = 200):
    questions = answers.session_questions(session.id)
    return render_template(
        "registrations/batch.html", session=session, upload=upload or BatchUploadForm(), results=results,
        confirm=confirm, outcome=outcome, is_open=session.registration_is_open(),
        file_questions=[q for q in questions if q.kind == QuestionKind.FILE],
        valid_count=sum(1 for r in results or [] if r.valid)), status


@bp.get("/sessions/<int:session_id>/nominate/batch")
@allow(Role.PARTNER)
def batch_page(session_id: int):
    """Nominate several colleagues at once: the template to fill in and the upload form."""
    return _page(queries.get_session_for_registering(session_id))


@bp.get("/sessions/<int:session_id>/nominate/batch/<any(template, example):which>.xlsx")
@allow(Role.PARTNER)
def batch_template(session_id: int, which: str):
    """The session's nomination spreadsheet: empty, or filled with fictional people to show how."""
    session = queries.get_session_for_registering(session_id)
    body = batch.template_xlsx(session, answers.session_questions(session.id),
                               examples=EXAMPLES if which == "example" else None)
    return _download(body, f"nominations-{session.id}{'-example' if which == 'example' else ''}.xlsx")


@bp.post("/sessions/<int:session_id>/nominate/batch")
@allow(Role.PARTNER)
@takes_files(fields="file")
def batch_check(session_id: int):
    """Read the uploaded file and show, row by row, what is wrong and what will happen."""
    session = queries.get_session_for_registering(session_id)
    form = BatchUploadForm()
    sent = form.file.data
    if not form.validate_on_submit() or not isinstance(sent, FileStorage) or not sent.filename:
        if not form.errors:
            form.file.errors = [_("Choose the filled-in spreadsheet.")]
        return _page(session, upload=form, status=400)
    try:
        rows = batch.read_rows(sent.read())
    except batch.BatchFileError as error:
        form.file.errors = [str(error.args[0])]
        return _page(session, upload=form, status=400)
    agency = db.session.get(Agency, current_user.agency_id)
    results = batch.check_rows(session, agency, rows, answers.session_questions(session.id), utcnow())
    confirm = BatchConfirmForm(formdata=None, batch=_serializer().dumps(
        {"s": session.id, "a": agency.id, "u": current_user.id, "rows": rows}))
    return _page(session, results=results, confirm=confirm)


@bp.post("/sessions/<int:session_id>/nominate/batch/confirm")
@allow(Role.PARTNER)
def batch_confirm(session_id: int):
    """Register the valid rows of the checked file, in one unit of work."""
    session = queries.get_session_for_registering(session_id)
    form = BatchConfirmForm()
    if not form.validate_on_submit():
        abort_with(400, _("The form could not be read. Reload the page."))
    try:
        payload = _serializer().loads(form.batch.data, max_age=BATCH_MAX_AGE)
    except BadSignature:
        payload = None
    if (not isinstance(payload, dict) or payload.get("s") != session.id or payload.get("u") != current_user.id
            or payload.get("a") != current_user.agency_id or not isinstance(payload.get("rows"), list)):
        flash(_("The checked file has expired or was changed: send it again."), "danger")
        return _page(session, status=400)
    try:
        outcome = run(batch.confirm, session.id, current_user.agency_id, payload["rows"],
                      actor=current_user._get_current_object())
    except RegistrationError as error:
        if error.status == 404:
            abort_with(404, error.message)
        flash(str(error.message), "danger")
        return _page(session, status=error.status)
    made = outcome.registrations
    counts = {state: sum(1 for r in made if r.state == state) for state in RegistrationState}
    flash(_("Nominations registered: %(num)d (approved %(approved)d, pending %(pending)d, waiting list "
            "%(waitlisted)d).", num=len(made), approved=counts[RegistrationState.APPROVED],
            pending=counts[RegistrationState.PENDING], waitlisted=counts[RegistrationState.WAITLISTED]),
          "success" if made else "warning")
    return _page(session, results=outcome.results, outcome=outcome)
