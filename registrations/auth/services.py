"""Account rules: authentication, password changes, creating accounts.

The functions flush; the caller commits the unit of work (`registrations.transaction.run`).
"""

import functools
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from registrations.audit import record
from registrations.auth.logins import end_all
from registrations.extensions import db
from registrations.models import Agency, Participant, Role, User, utcnow
from registrations.text import fold


class AccountError(Exception):
    """An account rule was broken; the message is translated for the user."""

    def __init__(self, message, status: int = 400):
        super().__init__(str(message))
        self.message = message
        self.status = status


@functools.cache
def _dummy_hash_for(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)


def _dummy_hash() -> str:
    """A hash of a random password made with the configured method (once per process)."""
    return _dummy_hash_for(current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def authenticate(email: str, password: str) -> User:
    """Return the account for these credentials or raise AccountError.

    Unknown email and wrong password give the same message, so that the login form does not
    reveal which addresses have accounts.
    """
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.password_hash:
        # Hash anyway, with the same method, so that an unknown address answers as slowly as a
        # known one: the time of the answer must not tell which addresses have accounts.
        check_password_hash(_dummy_hash(), password)
        raise AccountError(_l("Wrong email or password."), status=401)
    if not user.check_password(password):
        raise AccountError(_l("Wrong email or password."), status=401)
    if not user.active:
        raise AccountError(
            _l("This account is deactivated. Ask the cooperation office to reactivate it."), status=403)
    if user.role == Role.PARTNER and (user.agency is None or not user.agency.active):
        raise AccountError(
            _l("Your account is not attached to an active partner agency. Contact the cooperation office."),
            status=403)
    user.last_login_at = utcnow()
    record("user.login", user, actor=user)
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change the password after checking the current one; every open login ends."""
    if not user.check_password(current_password):
        raise AccountError(_l("The current password is wrong."))
    user.set_password(new_password)
    user.session_version += 1
    end_all(user.id)
    record("user.password_changed", user, actor=user)


def create_user(*, email: str, password: str | None, role: Role, agency: Agency | None = None,
                name: str = "", name_native: str = "", locale: str = "", actor: User | None = None,
                invite: bool = False) -> User:
    """Create an account; a partner account needs an agency and is also a participant.

    With `invite`, the account has no password yet: the person receives a link to choose one
    (sent once the account is committed).
    """
    email = normalise_email(email)
    if not email or "@" not in email:
        raise AccountError(_l("Enter a valid email address."))
    if db.session.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise AccountError(_l("An account with this email already exists."))
    if role == Role.PARTNER and agency is None:
        raise AccountError(_l("A partner account must belong to a partner agency."))
    if role == Role.PARTNER and not agency.active:
        raise AccountError(_l("This agency is deactivated."))
    user = User(email=email, role=role, agency=agency, display_name=name or email, locale=locale)
    if password:
        user.set_password(password)
    if role == Role.PARTNER:
        participant = Participant(
            agency=agency,
            name_latin=name or email,
            name_native=name_native,
            name_key=fold(name or email),
            email=email,
            locale=locale or "fr",
        )
        db.session.add(participant)
        user.participant = participant
    db.session.add(user)
    db.session.flush()
    record("user.created", user, actor=actor, after={"email": email, "role": role.value,
                                                      "agency": agency.code if agency else None})
    if invite:
        from registrations.auth.invitations import INVITATION, send_link

        send_link(user, INVITATION, actor=actor)
    return user
