"""Trainers and interpreters: the office manages them; their page is public (see trainers.py)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from registrations.access import ANYONE, STAFF, allow
from registrations.errors import abort_with, get_or_404
from registrations.extensions import db
from registrations.forms import show_refusal
from registrations.models import Trainer, TrainerRole
from registrations.models.sessions import CONTENT_LOCALES
from registrations.paging import paginate
from registrations.programme import bp
from registrations.programme.forms import TrainerForm
from registrations.programme.services import ProgrammeError
from registrations.programme.trainers import TrainerValues, save_trainer, sessions_taught
from registrations.transaction import run


@bp.get("/manage/trainers")
@allow(STAFF)
def trainers():
    """Trainers and interpreters, active ones first."""
    page = paginate(select(Trainer).order_by(Trainer.active.desc(), Trainer.role, Trainer.name_latin))
    return render_template("programme/trainers.html", page=page)


def _trainer_form(form: TrainerForm, trainer: Trainer | None):
    if form.validate_on_submit():
        values = TrainerValues(
            name_latin=form.name_latin.data, name_native=form.name_native.data or "",
            role=TrainerRole(form.role.data), language_pairs=form.pairs(),
            bios={code: form[f"bio_{code}"].data or "" for code in CONTENT_LOCALES}, active=form.active.data)
        try:
            saved = run(save_trainer, trainer.id if trainer else None, values,
                        actor=current_user._get_current_object())
        except ProgrammeError as error:
            show_refusal(form, error, fallback=form.name_latin)
        else:
            flash(_("%(name)s is saved.", name=saved.name_latin), "success")
            return redirect(url_for("programme.trainers"))
    status = 400 if request.method == "POST" else 200
    return render_template("programme/trainer_form.html", form=form, trainer=trainer), status


@bp.route("/manage/trainers/new", methods=["GET", "POST"])
@allow(STAFF)
def trainer_new():
    """Add a trainer or interpreter."""
    return _trainer_form(TrainerForm(), None)


@bp.route("/manage/trainers/<int:trainer_id>/edit", methods=["GET", "POST"])
@allow(STAFF)
def trainer_edit(trainer_id: int):
    """Edit a trainer or interpreter."""
    trainer = get_or_404(Trainer, trainer_id, _("This person does not exist."))
    form = TrainerForm(obj=trainer if request.method == "GET" else None)
    return _trainer_form(form, trainer)


@bp.get("/trainers/<int:trainer_id>")
@allow(ANYONE)
def trainer(trainer_id: int):
    """A trainer's or interpreter's page: languages, biography, the sessions they teach in."""
    staff = current_user.is_authenticated and current_user.is_staff
    person = db.session.get(Trainer, trainer_id)
    if person is None or not (person.active or staff):
        abort_with(404, _("This person does not exist."))
    return render_template("programme/trainer.html", trainer=person,
                           sessions=sessions_taught(trainer_id, public_only=not staff))
