"""Signatories: admins manage them (name, titles, signature and stamp images); the office
chooses one per session."""

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from registrations.access import STAFF, allow
from registrations.errors import abort_with, get_or_404, session_or_404
from registrations.extensions import db
from registrations.forms import show_refusal
from registrations.inputs import parse_id, takes_files
from registrations.models import Role, Signatory
from registrations.models.sessions import CONTENT_LOCALES
from registrations.paging import paginate
from registrations.programme import storage
from registrations.signatories import bp, services
from registrations.signatories.forms import SessionSignatoryForm, SignatoryForm
from registrations.signatories.services import SignatoryError, SignatoryValues
from registrations.transaction import run


def _actor():
    return current_user._get_current_object()


@bp.get("/admin/signatories")
@allow(Role.ADMIN)
def signatories():
    """Every signatory, the default first."""
    page = paginate(select(Signatory).order_by(Signatory.is_default.desc(), Signatory.active.desc(), Signatory.name))
    return render_template("signatories/list.html", page=page)


def _upload(name: str) -> bytes | None:
    upload = request.files.get(name)
    return upload.read() if upload is not None and upload.filename else None


def _form_page(form: SignatoryForm, signatory: Signatory | None):
    if form.validate_on_submit():
        values = SignatoryValues(
            name=form.name.data, titles={code: form[f"title_{code}"].data or "" for code in CONTENT_LOCALES},
            signature=_upload("signature"), stamp=_upload("stamp"), remove_signature=form.remove_signature.data,
            remove_stamp=form.remove_stamp.data, active=form.active.data)
        try:
            saved = run(services.save_signatory, signatory.id if signatory else None, values, actor=_actor())
        except SignatoryError as error:
            show_refusal(form, error, fallback=form.name)
        else:
            flash(_("The signatory %(name)s is saved.", name=saved.name), "success")
            return redirect(url_for("signatories.signatories"))
    status = 400 if request.method == "POST" else 200
    return render_template("signatories/form.html", form=form, signatory=signatory), status


@bp.route("/admin/signatories/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
@takes_files("SIGNATORY_IMAGE_MAX_BYTES", files=2)
def signatory_new():
    """Add a signatory (the first one becomes the default)."""
    return _form_page(SignatoryForm(), None)


@bp.route("/admin/signatories/<int:signatory_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN)
@takes_files("SIGNATORY_IMAGE_MAX_BYTES", files=2)
def signatory_edit(signatory_id: int):
    """Change a signatory's name, titles or images (issued certificates keep theirs)."""
    signatory = get_or_404(Signatory, signatory_id, _("This signatory does not exist."))
    form = SignatoryForm(obj=signatory if request.method == "GET" else None)
    return _form_page(form, signatory)


@bp.post("/admin/signatories/<int:signatory_id>/default")
@allow(Role.ADMIN)
def signatory_default(signatory_id: int):
    """Make a signatory the default of sessions that choose none."""
    try:
        saved = run(services.make_default, signatory_id, actor=_actor())
    except SignatoryError as error:
        abort_with(error.status, error.message)
    flash(_("%(name)s now signs the documents of sessions that choose no signatory.", name=saved.name), "success")
    return redirect(url_for("signatories.signatories"))


@bp.get("/admin/signatories/<int:signatory_id>/<any(signature, stamp):kind>")
@allow(STAFF)
def signatory_image(signatory_id: int, kind: str):
    """A signatory's signature or stamp image (for the office's pages)."""
    signatory = get_or_404(Signatory, signatory_id, _("This signatory does not exist."))
    stored = signatory.signature_file if kind == "signature" else signatory.stamp_file
    path = storage.path_of("signatures", stored)
    if path is None:
        abort_with(404, _("There is no such image."))
    return send_file(path, mimetype=storage.TYPES[path.suffix.lstrip(".")], max_age=0, etag=False,
                     conditional=False)


@bp.route("/manage/sessions/<int:session_id>/signatory", methods=["GET", "POST"])
@allow(STAFF)
def session_signatory(session_id: int):
    """Choose who signs the session's certificates and invitation letters."""
    session = session_or_404(session_id)
    form = SessionSignatoryForm()
    active = list(db.session.scalars(select(Signatory).where(Signatory.active).order_by(Signatory.name)))
    default = next((signatory for signatory in active if signatory.is_default), None)
    form.signatory_id.choices = [("", _("The default signatory (%(name)s)", name=default.name) if default
                                  else _("The default signatory"))] + [(str(s.id), s.name) for s in active]
    status = 200
    if request.method == "GET":
        form.signatory_id.data = str(session.signatory_id or "")
    elif form.validate_on_submit():
        raw = form.signatory_id.data or ""
        chosen = parse_id(raw) if raw else None
        if raw and chosen is None:
            form.signatory_id.errors = [_("Choose a signatory from the list.")]
            status = 400
        else:
            try:
                run(services.choose_for_session, session.id, chosen, actor=_actor())
            except SignatoryError as error:
                form.signatory_id.errors = [str(error.message)]
                status = error.status
            else:
                flash(_("The signatory of the session is saved."), "success")
                return redirect(url_for("sessions.manage_detail", session_id=session.id))
    else:
        status = 400
    return render_template("signatories/session.html", form=form, session=session,
                           current=services.signatory_for(session)), status
