"""Administration pages: overview, agencies and accounts (admins only)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, or_, select

from registrations.access import allow
from registrations.admin import bp, services
from registrations.admin.audit_log import AuditFilters, action_label, events_query
from registrations.admin.forms import (
    AccountEditForm,
    AccountFilterForm,
    AccountNewForm,
    AccountRoleForm,
    AgencyEditForm,
    AgencyFilterForm,
    as_choices,
)
from registrations.admin.services import AdminError
from registrations.auth import logins
from registrations.errors import abort_with, get_or_404
from registrations.extensions import db
from registrations.models import Agency, AgencyKind, Participant, Role, User
from registrations.paging import Page, paginate
from registrations.transaction import run


def get_agency(agency_id: int) -> Agency:
    return get_or_404(Agency, agency_id, _("This agency does not exist."))


def get_account(user_id: int) -> User:
    return get_or_404(User, user_id, _("This account does not exist."))


def agency_choices(blank_label: str) -> list:
    """(id, "CODE · name") of every agency, active ones first, with a blank first choice."""
    agencies = db.session.scalars(select(Agency).order_by(Agency.active.desc(), Agency.country, Agency.code))
    return as_choices([(0, blank_label)] + [
        (a.id, f"{a.code} · {a.name}" + ("" if a.active else f" ({_('deactivated')})")) for a in agencies])


@bp.get("")
@allow(Role.ADMIN)
def index():
    """Overview of the administration: counts and the latest audit events."""
    agencies = db.session.execute(select(Agency.active, func.count()).group_by(Agency.active)).all()
    accounts = db.session.execute(
        select(User.role, User.active, func.count()).group_by(User.role, User.active)).all()
    pending = db.session.scalar(select(func.count()).select_from(User).where(
        User.invited_at.is_not(None), User.password_hash == "", User.active.is_(True)))
    latest = db.session.execute(events_query(AuditFilters()).limit(8)).all()
    return render_template(
        "admin/index.html",
        agencies=dict(agencies),
        accounts={(role, active): number for role, active, number in accounts},
        pending=pending, latest=latest, action_label=action_label, roles=list(Role))


# ---------------------------------------------------------------- agencies

@bp.get("/agencies")
@allow(Role.ADMIN)
def agencies():
    """Agencies, filtered by country and status, a page at a time."""
    form = AgencyFilterForm(formdata=request.args)
    countries = list(db.session.scalars(select(Agency.country).distinct().order_by(Agency.country)))
    form.country.choices = as_choices([("", _("All"))] + [(c, c) for c in countries])
    if not form.validate():
        abort_with(400, _("These filters are not valid."))
    people = (select(func.count()).select_from(Participant)
              .where(Participant.agency_id == Agency.id).correlate(Agency).scalar_subquery())
    query = select(Agency, people.label("people")).order_by(Agency.country, Agency.code)
    if form.country.data:
        query = query.where(Agency.country == form.country.data)
    if form.status.data:
        query = query.where(Agency.active.is_(form.status.data == "active"))
    page = paginate(query, scalars=False)
    return render_template("admin/agencies.html", form=form, page=page)


def _agency_form_page(form: AgencyEditForm, agency: Agency | None):
    status, problem = 200, None
    if form.validate_on_submit():
        try:
            saved = run(
                services.save_agency, agency, code=form.code.data, name=form.name.data, name_local=form.name_local.data,
                country=form.country.data, kind=AgencyKind(form.kind.data), active=form.active.data,
                actor=current_user)
        except AdminError as error:
            status, problem = error.status, str(error.message)
        else:
            flash(_("The agency %(code)s is saved.", code=saved.code), "success")
            return redirect(url_for("admin.agencies", country=saved.country))
    elif request.method == "POST":
        status = 400
    has_people = agency is not None and services.agency_has_people(agency)
    return render_template("admin/agency_form.html", form=form, agency=agency, has_people=has_people,
                           problem=problem), status


@bp.route("/agencies/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def agency_new():
    """Add a partner agency."""
    return _agency_form_page(AgencyEditForm(), None)


@bp.route("/agencies/<int:agency_id>/edit", methods=["GET", "POST"])
@allow(Role.ADMIN)
def agency_edit(agency_id: int):
    """Change an agency's names, code, country, kind or status."""
    agency = get_agency(agency_id)
    form = AgencyEditForm(obj=agency)
    if request.method == "GET":
        form.kind.data = agency.kind.value
    return _agency_form_page(form, agency)


@bp.post("/agencies/<int:agency_id>/deactivate")
@allow(Role.ADMIN)
def agency_deactivate(agency_id: int):
    """Deactivate an agency: its partners can no longer log in; its records stay."""
    agency = get_agency(agency_id)
    run(services.set_agency_active, agency, False, actor=current_user)
    flash(_("The agency %(code)s is deactivated.", code=agency.code), "success")
    return redirect(url_for("admin.agency_edit", agency_id=agency.id))


@bp.post("/agencies/<int:agency_id>/reactivate")
@allow(Role.ADMIN)
def agency_reactivate(agency_id: int):
    """Reactivate an agency."""
    agency = get_agency(agency_id)
    run(services.set_agency_active, agency, True, actor=current_user)
    flash(_("The agency %(code)s is active again.", code=agency.code), "success")
    return redirect(url_for("admin.agency_edit", agency_id=agency.id))


@bp.post("/agencies/<int:agency_id>/delete")
@allow(Role.ADMIN)
def agency_delete(agency_id: int):
    """Delete an agency nobody refers to (others are only deactivated)."""
    agency = get_agency(agency_id)
    code = agency.code
    try:
        run(services.delete_agency, agency, actor=current_user)
    except AdminError as error:
        abort_with(error.status, error.message)
    flash(_("The agency %(code)s is deleted.", code=code), "success")
    return redirect(url_for("admin.agencies"))


# ---------------------------------------------------------------- accounts

@bp.get("/users")
@allow(Role.ADMIN)
def users():
    """Accounts, searchable and filtered by role and status, a page at a time."""
    form = AccountFilterForm(formdata=request.args)
    if not form.validate():
        abort_with(400, _("These filters are not valid."))
    query = select(User).order_by(User.role, User.email)
    if form.q.data:
        text = form.q.data.strip().lower()
        query = query.where(or_(User.email.contains(text, autoescape=True),
                                func.lower(User.display_name).contains(text, autoescape=True)))
    if form.role.data:
        query = query.where(User.role == Role(form.role.data))
    status = form.status.data
    if status == "active":
        query = query.where(User.active.is_(True), User.password_hash != "")
    elif status == "invited":
        query = query.where(User.active.is_(True), User.invited_at.is_not(None), User.password_hash == "")
    elif status == "inactive":
        query = query.where(User.active.is_(False))
    page: Page = paginate(query)
    return render_template("admin/users.html", form=form, page=page)


@bp.route("/users/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def user_new():
    """Create an account and email the person an invitation to choose a password."""
    form = AccountNewForm()
    form.agency.choices = agency_choices(_("No agency"))
    status = 200
    if form.validate_on_submit():
        agency = db.session.get(Agency, form.agency.data) if form.agency.data else None
        try:
            user = run(
                services.invite_account, email=form.email.data, role=Role(form.role.data), agency=agency,
                name=form.name.data, name_native=form.name_native.data, locale=form.locale.data, actor=current_user)
        except AdminError as error:
            form.email.errors.append(str(error.message))
            status = error.status
        else:
            flash(_("The account %(email)s is created; the invitation is sent.", email=user.email), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    elif request.method == "POST":
        status = 400
    return render_template("admin/user_new.html", form=form), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def user_edit(user_id: int):
    """An account: its details, role, status and links."""
    user = get_account(user_id)
    form = AccountEditForm(name=user.display_name, agency=user.agency_id or 0, locale=user.locale)
    form.agency.choices = agency_choices(_("No agency"))
    role_form = AccountRoleForm(role=user.role.value, prefix="r")
    status = 200
    if form.validate_on_submit():
        agency = db.session.get(Agency, form.agency.data) if form.agency.data else None
        try:
            run(services.update_account, user, name=form.name.data, agency=agency, locale=form.locale.data,
                actor=current_user)
        except AdminError as error:
            form.agency.errors.append(str(error.message))
            status = error.status
        else:
            flash(_("The account is saved."), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    elif request.method == "POST":
        status = 400
    return render_template("admin/user_edit.html", user=user, form=form, role_form=role_form), status


def _account_action(user_id: int, action, done_message: str):
    user = get_account(user_id)
    try:
        run(action, user, actor=current_user)
    except AdminError as error:
        abort_with(error.status, error.message)
    flash(done_message, "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


@bp.post("/users/<int:user_id>/resend")
@allow(Role.ADMIN)
def user_resend(user_id: int):
    """Send a new invitation link (the former one stops working)."""
    return _account_action(user_id, services.resend_invitation, _("A new invitation is sent."))


@bp.post("/users/<int:user_id>/reset")
@allow(Role.ADMIN)
def user_reset(user_id: int):
    """Email the account a link to choose a new password."""
    return _account_action(user_id, services.send_password_reset, _("A password reset link is sent."))


@bp.post("/users/<int:user_id>/deactivate")
@allow(Role.ADMIN)
def user_deactivate(user_id: int):
    """Deactivate an account; its open sessions end at once."""
    return _account_action(user_id, services.deactivate_account, _("The account is deactivated."))


@bp.post("/users/<int:user_id>/reactivate")
@allow(Role.ADMIN)
def user_reactivate(user_id: int):
    """Reactivate an account."""
    return _account_action(user_id, services.reactivate_account, _("The account is active again."))


@bp.post("/users/<int:user_id>/role")
@allow(Role.ADMIN)
def user_role(user_id: int):
    """Give an account another role."""
    user = get_account(user_id)
    form = AccountRoleForm(prefix="r")
    if not form.validate_on_submit():
        abort_with(400, _("Choose one of the roles."))
    try:
        run(services.change_role, user, Role(form.role.data), actor=current_user)
    except AdminError as error:
        abort_with(error.status, error.message)
    flash(_("The role is now: %(role)s.", role=Role(form.role.data).label), "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


@bp.post("/users/<int:user_id>/end-logins")
@allow(Role.ADMIN)
def user_end_logins(user_id: int):
    """End every open login of an account (a lost phone, a shared computer)."""
    user = get_account(user_id)
    count = run(logins.end_all_by_admin, user, actor=current_user)
    flash(ngettext("%(num)d login ended.", "%(num)d logins ended.", count), "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))
