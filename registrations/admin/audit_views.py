"""Administration pages: the audit log and participants' personal data (admins only)."""

import json

from flask import Response, render_template, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from registrations.access import allow
from registrations.admin import bp
from registrations.admin.audit_log import (
    ACTION_LABELS,
    AuditFilters,
    _value_labels,
    action_label,
    changes,
    count_query,
    csv_lines,
    events_query,
    filter_choices,
    kind_label,
    object_type_label,
)
from registrations.admin.forms import AuditFilterForm, ParticipantSearchForm, as_choices
from registrations.admin.personal_data import participant_data, record_export
from registrations.admin.views import agency_choices
from registrations.audit import record
from registrations.clock import local_today
from registrations.errors import abort_with
from registrations.extensions import db
from registrations.models import Participant, Role
from registrations.paging import paginate
from registrations.text import fold
from registrations.transaction import run


def _audit_filters() -> tuple[AuditFilterForm, AuditFilters | None]:
    """The filter form from the query string, and the filters when they are valid."""
    form = AuditFilterForm(formdata=request.args)
    actions, types = filter_choices()
    kinds = sorted({action.split(".")[0] + ".*" for action in actions if "." in action})
    form.action.choices = as_choices(
        [("", _("All"))] + [(k, _("%(kind)s: every action", kind=kind_label(k[:-2]))) for k in kinds]
        + [(a, action_label(a) if a in ACTION_LABELS else a) for a in actions])
    form.object_type.choices = as_choices([("", _("All"))] + [(t, object_type_label(t)) for t in types])
    # Unknown values of the lists simply match nothing: accept any short text.
    form.action.validate_choice = form.object_type.validate_choice = False
    if not form.validate():
        return form, None
    if form.date_from.data and form.date_to.data and form.date_from.data > form.date_to.data:
        form.date_to.errors = [_("The end date is before the start date.")]
        return form, None
    return form, AuditFilters(
        who=(form.who.data or "").strip(), action=(form.action.data or "")[:60],
        object_type=(form.object_type.data or "")[:40], object_id=form.object_id.data,
        date_from=form.date_from.data, date_to=form.date_to.data)


@bp.get("/audit")
@allow(Role.ADMIN)
def audit():
    """The audit log: who did what to which object, newest first, with filters."""
    form, filters = _audit_filters()
    if filters is None:
        return render_template("admin/audit.html", form=form, page=None, filters=None), 400
    page = paginate(events_query(filters), scalars=False, count=count_query(filters))
    values = _value_labels()
    return render_template("admin/audit.html", form=form, page=page, filters=filters, action_label=action_label,
                           object_type_label=object_type_label, changes=lambda event: changes(event, values))


@bp.get("/audit.csv")
@allow(Role.ADMIN)
def audit_csv():
    """The filtered audit log as a CSV file (UTF-8; cells never run as formulas)."""
    form, filters = _audit_filters()
    if filters is None:
        abort_with(400, _("These filters are not valid."))
    run(record, "audit.exported", actor=current_user, object_type="audit_event", after=filters.as_args() or None)
    filename = f"audit-{local_today().isoformat()}.csv"
    return Response(stream_with_context(csv_lines(filters)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Content-Type": "text/csv; charset=utf-8"})


@bp.get("/participants")
@allow(Role.ADMIN)
def participants():
    """Find a participant, to export the data held on them."""
    form = ParticipantSearchForm(formdata=request.args)
    form.agency.choices = agency_choices(_("All agencies"))
    if not form.validate():
        abort_with(400, _("These filters are not valid."))
    query = (select(Participant).options(joinedload(Participant.agency))
             .order_by(Participant.name_key, Participant.id))
    if form.q.data:
        text = form.q.data.strip()
        query = query.where(or_(Participant.name_key.contains(fold(text), autoescape=True),
                                Participant.name_native.contains(text, autoescape=True),
                                Participant.email.contains(text.lower(), autoescape=True)))
    if form.agency.data:
        query = query.where(Participant.agency_id == form.agency.data)
    page = paginate(query)
    return render_template("admin/participants.html", form=form, page=page)


@bp.get("/participants/<int:participant_id>.json")
@allow(Role.ADMIN)
def participant_export(participant_id: int):
    """Everything held on a participant, as a JSON file (the export is audited)."""
    participant = db.session.scalar(select(Participant).options(joinedload(Participant.agency))
                                    .where(Participant.id == participant_id))
    if participant is None:
        abort_with(404, _("This participant does not exist."))
    data = participant_data(participant)
    run(record_export, participant, current_user)
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="participant-{participant_id}.json"'})
