"""Certificate pages for the office (issue, revoke, re-issue) and public verification."""

from typing import NoReturn

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import bindparam, select

from registrations import layout
from registrations.access import ANYONE, STAFF, allow
from registrations.certificates import bp
from registrations.certificates.facts import snapshot_date
from registrations.certificates.forms import CertificateReissueForm, CertificateRevokeForm, VerifyCodeForm
from registrations.certificates.invitations import load_invitation, registration_id_for
from registrations.certificates.services import (
    CertificateError,
    issue,
    issue_all,
    reissue,
    revoke,
    session_certificates,
    session_has_ended,
    set_email_certificates,
)
from registrations.certificates.storage import pdf_progress, prepare_pdfs
from registrations.certificates.typed import find_by_serial, looks_like_serial
from registrations.errors import abort_with, session_or_404
from registrations.extensions import client_address, db, rate_limited
from registrations.forms import FlaskForm
from registrations.models import Certificate, Registration, RegistrationState
from registrations.transaction import run


def _link(endpoint: str, **values) -> str | None:
    """The address of an endpoint of another blueprint, when it exists in this installation."""
    return url_for(endpoint, **values) if endpoint in current_app.view_functions else None


def _fail(error: CertificateError) -> NoReturn:
    """Answer a refused action with its translated message and status (nothing was written)."""
    abort_with(error.status, error.message)


def _back_to_session(certificate_id: int):
    session_id = db.session.scalar(
        select(Registration.session_id).join(Certificate, Certificate.registration_id == Registration.id)
        .where(Certificate.id == certificate_id)
    )
    return redirect(url_for("certificates.session", session_id=session_id))


@bp.get("/manage/sessions/<int:session_id>/certificates")
@allow(STAFF)
def session(session_id: int):
    """A session's certificates: who is eligible, who is not and why, what was issued."""
    training = session_or_404(session_id)
    overview = session_certificates(training)
    pdf_total, pdf_done = pdf_progress(training.id)
    return render_template(
        "certificates/session.html",
        overview=overview,
        training=training,
        ended=session_has_ended(training),
        approved=RegistrationState.APPROVED,
        revoke_forms={c.id: CertificateRevokeForm(prefix=f"revoke-{c.id}") for c in overview.certificates},
        reissue_forms={c.id: CertificateReissueForm(prefix=f"reissue-{c.id}") for c in overview.certificates},
        session_url=_link("sessions.manage_detail", session_id=training.id),
        registration_url=lambda rid: _link("registrations.detail", registration_id=rid),
        pdf_total=pdf_total, pdf_done=pdf_done,
    )


@bp.post("/manage/registrations/<int:registration_id>/certificate", endpoint="issue")
@allow(STAFF)
def issue_one(registration_id: int):
    """Issue the certificate of one eligible registration."""
    try:
        certificate, created = run(issue, registration_id, actor=current_user)
    except CertificateError as error:
        _fail(error)
    if created:
        flash(_("Certificate %(serial)s issued.", serial=certificate.serial), "success")
    else:
        flash(_("Certificate %(serial)s was already issued.", serial=certificate.serial), "info")
    return _back_to_session(certificate.id)


@bp.post("/manage/sessions/<int:session_id>/certificates/issue-all", endpoint="issue_all")
@allow(STAFF)
def issue_all_view(session_id: int):
    """Issue the certificates of every eligible registration of a session at once."""
    session_or_404(session_id)
    try:
        created = run(issue_all, session_id, actor=current_user)
    except CertificateError as error:
        _fail(error)
    if created:
        flash(ngettext("%(num)d certificate issued.", "%(num)d certificates issued.", len(created)), "success")
    else:
        flash(_("Every eligible participant already has a certificate."), "info")
    return redirect(url_for("certificates.session", session_id=session_id))


def _with_reason(form, missing: str, action, certificate_id: int) -> Certificate:
    """Check a reason form, then run a certificate action with it (a refusal answers its status)."""
    if not form.validate_on_submit():
        abort_with(400, " ".join(str(e) for e in form.reason.errors) or missing)
    try:
        return run(action, certificate_id, actor=current_user, reason=form.reason.data or "")
    except CertificateError as error:
        _fail(error)


@bp.post("/manage/certificates/<int:certificate_id>/revoke", endpoint="revoke")
@allow(STAFF)
def revoke_view(certificate_id: int):
    """Revoke a certificate, with a reason shown on its verification page."""
    certificate = _with_reason(CertificateRevokeForm(prefix=f"revoke-{certificate_id}"),
                               _("Give the reason for the revocation."), revoke, certificate_id)
    flash(_("Certificate %(serial)s revoked.", serial=certificate.serial), "success")
    return _back_to_session(certificate_id)


@bp.post("/manage/certificates/<int:certificate_id>/reissue", endpoint="reissue")
@allow(STAFF)
def reissue_view(certificate_id: int):
    """Replace a certificate after a correction (new serial and code; the old one is superseded)."""
    certificate = _with_reason(CertificateReissueForm(prefix=f"reissue-{certificate_id}"),
                               _("The form is not valid."), reissue, certificate_id)
    flash(_("Certificate re-issued as %(serial)s.", serial=certificate.serial), "success")
    return _back_to_session(certificate.id)


# ---------------------------------------------------------------- public verification

def _verify_key() -> str:
    return "verify-address:" + client_address()


def _typed_lookup(form: VerifyCodeForm) -> tuple[str | None, str | None, int]:
    """(code of the page to show, error for the form, status) for what was typed on the form."""
    typed = form.code.data
    if looks_like_serial(typed):
        if not (form.family_name.data or form.short_code.data):
            return None, _("Type the holder’s family name or the short code printed on the certificate."), 400
        certificate = find_by_serial(typed, family_name=form.family_name.data, code=form.short_code.data)
        if certificate is None:
            return None, _("No certificate matches this serial number with this family name or short code. "
                           "Check what you typed."), 404
        return certificate.code, None, 200
    if "." in typed:
        registration_id = registration_id_for(typed)
        found = registration_id is not None and load_invitation(registration_id) is not None
    else:
        found = db.session.scalar(select(Certificate.id).where(Certificate.code == typed)) is not None
    if not found:
        return None, _("No certificate or letter has this code. Check what you typed, or type the serial "
                       "number with the holder’s family name."), 404
    return typed, None, 200


@bp.get("/verify")
@allow(ANYONE)
@rate_limited(lambda: current_app.config["VERIFY_LIMIT_PER_ADDRESS"], key_func=_verify_key,
               exempt_when=lambda: "code" not in request.args)
def verify_form():
    """Type what is printed on a document: its verification code, or its serial number with the
    holder's family name or the short code. A match is sent on to its verification page; anything
    else gets a message on the form (the same one whatever did not match)."""
    form = VerifyCodeForm(request.args)
    status = 200
    if "code" in request.args:
        if not form.validate():
            return render_template("certificates/verify_form.html", form=form), 400
        code, error, status = _typed_lookup(form)
        if code is not None:
            return redirect(url_for("certificates.verify", code=code))
        form.code.errors = [error]
    return render_template("certificates/verify_form.html", form=form), status


#: What a certificate's public page shows (columns, not the whole row: no PDF, no object to
#: track), built once.
_VERIFIED = (select(Certificate.status, Certificate.facts, Certificate.serial, Certificate.revoked_at,
                    Certificate.revoke_reason).where(Certificate.code == bindparam("code")))


@bp.get("/verify/<code>")
@allow(ANYONE)
@rate_limited(lambda: current_app.config["VERIFY_LIMIT_PER_ADDRESS"], key_func=_verify_key)
def verify(code: str):
    """Public page of a certificate or invitation letter: valid, revoked or superseded.

    An unknown code gets a plain "not found", whatever it looks like.
    """
    if len(code) <= 120 and "." not in code:
        certificate = db.session.connection().execute(_VERIFIED, {"code": code}).first()
        if certificate is not None:
            facts = certificate.facts
            return layout.framed(
                "certificates/verify.html", "certificates/_verify_body.html", certificate=certificate, facts=facts,
                start=snapshot_date(facts, "start_date"), end=snapshot_date(facts, "end_date"),
                issued=snapshot_date(facts, "issue_date"),
            )
    elif len(code) <= 120:
        registration_id = registration_id_for(code)
        invitation = load_invitation(registration_id) if registration_id else None
        if invitation is not None:
            return render_template("certificates/verify_invitation.html", invitation=invitation, code=code)
    abort_with(404, _("Not found."))


@bp.get("/manage/sessions/<int:session_id>/certificates/progress.json", endpoint="progress")
@allow(STAFF)
def progress(session_id: int):
    """How many of the session's valid certificates have their PDF stored (polled by the page)."""
    session_or_404(session_id)
    total, done = pdf_progress(session_id)
    return jsonify({"total": total, "done": done, "percent": 100 if total == 0 else round(100 * done / total),
                    "finished": done >= total,
                    "zip_url": url_for("certificates.session_zip", session_id=session_id) if total else None})


@bp.post("/manage/sessions/<int:session_id>/certificates/prepare", endpoint="prepare")
@allow(STAFF)
def prepare(session_id: int):
    """Have the job worker draw the PDFs never stored, so that the ZIP is ready at once."""
    if not FlaskForm().validate():
        abort_with(400, _("The form has expired or its security token is missing. Reload the page and try again."))
    session_or_404(session_id)
    run(prepare_pdfs, session_id)  # the job is enqueued once this request's read has ended
    flash(_("The certificates are being prepared; the download link appears when they are ready."), "info")
    return redirect(url_for("certificates.session", session_id=session_id))


@bp.post("/manage/sessions/<int:session_id>/certificates/email-choice", endpoint="email_choice")
@allow(STAFF)
def email_choice(session_id: int):
    """Choose whether certificates are e-mailed to their holders (PDF attached) when issued."""
    if not FlaskForm().validate():
        abort_with(400, _("The form has expired or its security token is missing. Reload the page and try again."))
    training = session_or_404(session_id)
    chosen = request.form.get("email_certificates") == "1"
    run(set_email_certificates, training, chosen, actor=current_user)
    flash(_("Certificates will be e-mailed to their holders when issued.") if chosen
          else _("Certificates will not be e-mailed when issued."), "success")
    return redirect(url_for("certificates.session", session_id=session_id))
