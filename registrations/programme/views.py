"""The office's timetable editor, and the download of materials for approved participants."""

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from registrations.access import AUTHENTICATED, STAFF, allow
from registrations.errors import abort_with, get_or_404, session_or_404
from registrations.extensions import db
from registrations.forms import show_refusal
from registrations.inputs import takes_files
from registrations.models import Material, SessionStatus, TimetableItem, TrainingSession
from registrations.models.sessions import CONTENT_LOCALES
from registrations.programme import bp, services, storage
from registrations.programme.forms import MaterialForm, TimetableItemForm
from registrations.programme.services import ItemValues, ProgrammeError
from registrations.programme.trainers import active_trainers
from registrations.transaction import run


def _actor():
    return current_user._get_current_object()


def _fail(error: ProgrammeError) -> None:
    """Answer a refusal that has no form to show it on."""
    abort_with(error.status, error.message)


@bp.get("/manage/sessions/<int:session_id>/timetable")
@allow(STAFF)
def timetable(session_id: int):
    """The session's timetable, day by day, with the tools to add, edit, reorder and remove items."""
    session = session_or_404(session_id)
    return render_template("programme/timetable.html", session=session, days=services.timetable(session_id),
                           editable=session.status != SessionStatus.CANCELLED)


def _prepare(form: TimetableItemForm, session: TrainingSession, item: TimetableItem | None = None) -> None:
    days = [entry.day for entry in services.timetable(session.id)]
    from registrations.templating import day_label

    form.day_id.choices = [(str(day.id), day_label(day)) for day in days]
    trainers = active_trainers()
    if item is not None:  # an inactive person already named stays offered
        trainers += [trainer for trainer in item.trainers if trainer not in trainers]
    form.trainer_ids.choices = [(str(t.id), f"{t.name_latin} · {t.role.label}") for t in trainers]


def _values(form: TimetableItemForm) -> ItemValues:
    try:
        day_id = int(form.day_id.data)
        trainer_ids = [int(value) for value in form.trainer_ids.data or []]
    except (TypeError, ValueError):
        abort(400)
    return ItemValues(
        day_id=day_id, starts_at=form.starts_at.data, ends_at=form.ends_at.data,
        titles={code: form[f"title_{code}"].data or "" for code in CONTENT_LOCALES},
        descriptions={code: form[f"description_{code}"].data or "" for code in CONTENT_LOCALES},
        room=form.room.data or "", language=form.language.data or "fr",
        interpretation=list(form.interpretation.data or []), trainer_ids=trainer_ids)


def _item_page(form, session, item, status):
    material_form = MaterialForm(formdata=None) if item is not None else None
    return render_template("programme/item_form.html", form=form, session=session, item=item,
                           material_form=material_form), status


def _save_item(form: TimetableItemForm, session: TrainingSession, item: TimetableItem | None):
    if form.validate_on_submit():
        try:
            if item is None:
                run(services.add_item, session.id, _values(form), actor=_actor())
                flash(_("The item was added to the programme."), "success")
            else:
                run(services.update_item, item.id, _values(form), actor=_actor())
                flash(_("The item was saved."), "success")
        except ProgrammeError as error:
            if not show_refusal(form, error):
                flash(str(error.message), "danger")
            return _item_page(form, session, item, error.status)
        return redirect(url_for("programme.timetable", session_id=session.id))
    return _item_page(form, session, item, 400 if request.method == "POST" else 200)


@bp.route("/manage/sessions/<int:session_id>/timetable/new", methods=["GET", "POST"])
@allow(STAFF)
def item_new(session_id: int):
    """Add an item to a day of the session."""
    session = session_or_404(session_id)
    form = TimetableItemForm()
    _prepare(form, session)
    if request.method == "GET":
        form.language.data = session.working_language
        form.interpretation.data = [code for code in session.interpretation.split(",") if code]
        wanted = request.args.get("day", "")
        if any(value == wanted for value, _label in form.day_id.choices):
            form.day_id.data = wanted
    return _save_item(form, session, None)


def _load_item(item_id: int) -> TimetableItem:
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    item = db.session.scalar(select(TimetableItem).where(TimetableItem.id == item_id)
                             .options(selectinload(TimetableItem.trainers), selectinload(TimetableItem.materials)))
    if item is None:
        abort_with(404, _("This programme item does not exist."))
    return item


@bp.route("/manage/timetable/<int:item_id>/edit", methods=["GET", "POST"])
@allow(STAFF)
def item_edit(item_id: int):
    """Edit an item, and attach or remove its materials."""
    item = _load_item(item_id)
    session = session_or_404(item.session_id)
    form = TimetableItemForm(obj=item if request.method == "GET" else None)
    _prepare(form, session, item)
    if request.method == "GET":
        form.day_id.data = str(item.day_id)
        form.interpretation.data = [code for code in item.interpretation.split(",") if code]
        form.trainer_ids.data = [str(trainer.id) for trainer in item.trainers]
    return _save_item(form, session, item)


@bp.post("/manage/timetable/<int:item_id>/delete")
@allow(STAFF)
def item_delete(item_id: int):
    """Remove an item (and its materials) from the programme."""
    try:
        session_id = run(services.delete_item, item_id, actor=_actor())
    except ProgrammeError as error:
        _fail(error)
    flash(_("The item was removed from the programme."), "success")
    return redirect(url_for("programme.timetable", session_id=session_id))


@bp.post("/manage/timetable/<int:item_id>/move")
@allow(STAFF)
def item_move(item_id: int):
    """Move an item one place up or down within its day."""
    offset = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if offset is None:
        abort_with(400, _("An item moves one place up or down."))
    try:
        item = run(services.move_item, item_id, offset, actor=_actor())
    except ProgrammeError as error:
        _fail(error)
    return redirect(url_for("programme.timetable", session_id=item.session_id) + f"#item-{item.id}")


@bp.post("/manage/timetable/<int:item_id>/materials")
@allow(STAFF)
@takes_files("MATERIAL_MAX_BYTES")
def material_add(item_id: int):
    """Attach a file to an item: its type is read from its bytes, its size limited."""
    item = _load_item(item_id)
    session = session_or_404(item.session_id)
    material_form = MaterialForm()
    upload = request.files.get("file")
    if material_form.validate_on_submit() and upload is not None and upload.filename:
        try:
            run(services.add_material, item.id, upload.filename, upload.read(), actor=_actor())
        except ProgrammeError as error:
            if error.status == 404:
                abort_with(404, error.message)
            material_form.file.errors = [str(error.message)]
        else:
            flash(_("The file was attached."), "success")
            return redirect(url_for("programme.item_edit", item_id=item.id))
    elif not material_form.file.errors:
        material_form.file.errors = [_("Choose a file to attach.")]
    form = TimetableItemForm(obj=item)
    _prepare(form, session, item)
    form.day_id.data = str(item.day_id)
    form.interpretation.data = [code for code in item.interpretation.split(",") if code]
    form.trainer_ids.data = [str(trainer.id) for trainer in item.trainers]
    return render_template("programme/item_form.html", form=form, session=session, item=item,
                           material_form=material_form), 400


@bp.post("/manage/materials/<int:material_id>/delete")
@allow(STAFF)
def material_delete(material_id: int):
    """Remove a file from its item."""
    material = get_or_404(Material, material_id, _("This file does not exist."))
    item_id = material.item_id
    try:
        run(services.delete_material, material_id, actor=_actor())
    except ProgrammeError as error:
        _fail(error)
    flash(_("The file was removed."), "success")
    return redirect(url_for("programme.item_edit", item_id=item_id))


@bp.get("/materials/<int:material_id>")
@allow(AUTHENTICATED)
def material(material_id: int):
    """Download a material: the office, and participants approved for its session, only."""
    material = db.session.get(Material, material_id)
    item = db.session.get(TimetableItem, material.item_id) if material else None
    if item is None or not services.may_get_materials(current_user, item.session_id):
        # The same answer whether the file exists or not: nothing leaks by guessing ids.
        abort_with(404, _("This file does not exist or is for the session's approved participants only."))
    path = storage.path_of("materials", material.stored_name)
    if path is None:
        abort_with(404, _("This file is no longer stored."))
    return send_file(path, mimetype=material.content_type, as_attachment=True, download_name=material.name,
                     max_age=0, conditional=False, etag=False)
