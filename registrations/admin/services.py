"""Rules of the administration: agencies and accounts.

Every function records an audit event in the same transaction as its change and flushes; the
caller commits the unit of work (`registrations.transaction.run`). A broken rule raises
AdminError (with a translated message and an HTTP status), and `run` rolls everything back.
"""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from registrations.audit import record
from registrations.auth.invitations import INVITATION, RESET, send_link
from registrations.auth.logins import end_all
from registrations.auth.services import AccountError, create_user, normalise_email
from registrations.extensions import db
from registrations.locking import lock_row
from registrations.models import Agency, AgencyKind, Participant, Registration, Role, User
from registrations.text import fold

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,39}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class AdminError(Exception):
    """An administration rule was broken; the message is translated for the user."""

    def __init__(self, message, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


# ---------------------------------------------------------------- agencies

def agency_has_people(agency: Agency) -> bool:
    """Whether participants, accounts or registrations refer to the agency (one query)."""
    return bool(db.session.scalar(select(
        exists().where(Participant.agency_id == agency.id)
        | exists().where(User.agency_id == agency.id)
        | exists().where(Registration.agency_id == agency.id)
    )))


def _agency_values(agency: Agency) -> dict:
    return {"code": agency.code, "name": agency.name, "name_local": agency.name_local,
            "country": agency.country, "kind": agency.kind.value, "active": agency.active}


def save_agency(agency: Agency | None, *, code: str, name: str, name_local: str, country: str,
                kind: AgencyKind, active: bool, actor: User) -> Agency:
    """Create an agency (`agency` None) or change one; codes are unique, countries ISO alpha-2."""
    code = (code or "").strip().upper()
    country = (country or "").strip().upper()
    name = (name or "").strip()
    if not _CODE.match(code):
        raise AdminError(_l("The code may hold capital letters, digits, dots, dashes and underscores (40 at most)."))
    if not _COUNTRY.match(country):
        raise AdminError(_l("Enter the country as a two-letter ISO code, such as VN, KH or LA."))
    if not name:
        raise AdminError(_l("Enter the agency's name in French."))
    taken = select(Agency.id).where(func.upper(Agency.code) == code)
    if agency is not None:
        taken = taken.where(Agency.id != agency.id)
    if db.session.scalar(taken) is not None:
        raise AdminError(_l("Another agency already has this code."), status=409)
    before = _agency_values(agency) if agency is not None else None
    if agency is None:
        agency = Agency()
        db.session.add(agency)
    agency.code, agency.name, agency.name_local = code, name, (name_local or "").strip()
    agency.country, agency.kind, agency.active = country, AgencyKind(kind), bool(active)
    db.session.flush()
    after = _agency_values(agency)
    if before is None:
        record("agency.created", agency, actor=actor, after=after)
    elif before != after:
        changed = [key for key in after if before[key] != after[key]]
        record("agency.updated", agency, actor=actor, before={k: before[k] for k in changed},
               after={k: after[k] for k in changed})
    return agency


def set_agency_active(agency: Agency, active: bool, *, actor: User) -> None:
    """Deactivate an agency (its partners can no longer log in) or reactivate it."""
    if agency.active == active:
        return
    agency.active = active
    record("agency.reactivated" if active else "agency.deactivated", agency, actor=actor,
           before={"active": not active}, after={"active": active})


def delete_agency(agency: Agency, *, actor: User) -> None:
    """Delete an agency nobody refers to; an agency with people is only ever deactivated."""
    if agency_has_people(agency):
        raise AdminError(_l("This agency has participants, accounts or registrations: deactivate it instead."),
                         status=409)
    record("agency.deleted", agency, actor=actor, before=_agency_values(agency))
    db.session.delete(agency)
    db.session.flush()


# ---------------------------------------------------------------- accounts

def _account_error(error: AccountError) -> AdminError:
    return AdminError(error.message, status=error.status if error.status >= 400 else 400)


def invite_account(*, email: str, role: Role, agency: Agency | None, name: str, name_native: str = "",
                   locale: str = "fr", actor: User) -> User:
    """Create an organiser, partner or admin account and email it an invitation link."""
    if role == Role.PARTNER and agency is None:
        raise AdminError(_l("A partner account must belong to a partner agency."))
    try:
        return create_user(email=email, password=None, role=role, agency=agency, name=(name or "").strip(),
                           name_native=(name_native or "").strip(), locale=locale, actor=actor, invite=True)
    except AccountError as error:
        raise _account_error(error) from error


def resend_invitation(user: User, *, actor: User) -> str:
    """Send a new invitation link to an account that has not chosen a password; older links die."""
    if not user.invitation_pending:
        raise AdminError(_l("This account already has a password: send a password reset instead."), status=409)
    return _send(user, INVITATION, actor)


def send_password_reset(user: User, *, actor: User) -> str:
    """Email the account a link to choose a new password (the current one works until then)."""
    return _send(user, RESET, actor)


def _send(user: User, purpose: str, actor: User) -> str:
    try:
        return send_link(user, purpose, actor=actor)
    except AccountError as error:
        raise _account_error(error) from error


def _lock_for_admin_change(user: User) -> User:
    """Lock the account, and on PostgreSQL every active admin, before counting admins.

    Two admins demoting each other at the same time must not leave the office without one.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        return lock_row(User, user.id)
    # `of=User`: the account's agency is joined eagerly, and only the account row is locked.
    locked = db.session.scalar(select(User).where(User.id == user.id).with_for_update(of=User)
                               .execution_options(populate_existing=True))
    db.session.execute(select(User.id).where(User.role == Role.ADMIN, User.active.is_(True)).with_for_update())
    return locked


def _check_not_last_admin(user: User) -> None:
    if user.role != Role.ADMIN or not user.active:
        return
    others = db.session.scalar(select(func.count()).select_from(User).where(
        User.role == Role.ADMIN, User.active.is_(True), User.id != user.id))
    if not others:
        raise AdminError(_l("This is the last active administrator: appoint another one first."), status=409)


def deactivate_account(user: User, *, actor: User) -> None:
    """Deactivate an account: it can no longer log in, its open sessions and links end."""
    if user.id == actor.id:
        raise AdminError(_l("You cannot deactivate your own account."), status=409)
    user = _lock_for_admin_change(user)
    if not user.active:
        return
    _check_not_last_admin(user)
    user.active = False
    user.session_version += 1
    end_all(user.id)
    user.link_nonce = ""
    record("user.deactivated", user, actor=actor, before={"active": True}, after={"active": False})


def reactivate_account(user: User, *, actor: User) -> None:
    """Let a deactivated account log in again (with its former password)."""
    if user.active:
        return
    user.active = True
    record("user.reactivated", user, actor=actor, before={"active": False}, after={"active": True})


def change_role(user: User, role: Role, *, actor: User) -> None:
    """Give an account another role; a partner needs an agency and becomes a participant too."""
    role = Role(role)
    if role == user.role:
        return
    if role == Role.PARTNER and user.agency_id is None:
        raise AdminError(_l("Choose the account's agency before making it a partner."))
    user = _lock_for_admin_change(user)
    _check_not_last_admin(user)
    before = user.role
    if role == Role.PARTNER and user.participant_id is None:
        participant = Participant(agency_id=user.agency_id, name_latin=user.display_name or user.email,
                                  name_key=fold(user.display_name or user.email), email=user.email,
                                  locale=user.locale or "fr")
        db.session.add(participant)
        db.session.flush()
        user.participant_id = participant.id
    user.role = role
    # A new role means new rights: end the sessions opened under the old one.
    user.session_version += 1
    end_all(user.id)
    record("user.role", user, actor=actor, before={"role": before.value}, after={"role": role.value})


def update_account(user: User, *, name: str, agency: Agency | None, locale: str, actor: User) -> None:
    """Change an account's name, agency and language (a partner keeps an agency)."""
    if user.role == Role.PARTNER and agency is None:
        raise AdminError(_l("A partner account must belong to a partner agency."))
    before = {"name": user.display_name, "agency_id": user.agency_id, "locale": user.locale}
    user.display_name = (name or "").strip() or user.email
    user.agency_id = agency.id if agency else None
    user.locale = locale or ""
    if user.participant_id is not None and agency is not None:
        participant = db.session.get(Participant, user.participant_id)
        participant.agency_id = agency.id
    after = {"name": user.display_name, "agency_id": user.agency_id, "locale": user.locale}
    if before != after:
        record("user.updated", user, actor=actor, before=before, after=after)


def find_account(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))
