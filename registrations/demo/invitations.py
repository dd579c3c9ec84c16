"""A pending invitation: a new Cambodian partner account that has not chosen its password yet."""

from sqlalchemy import select

from registrations.auth.services import create_user
from registrations.extensions import db
from registrations.models import Agency, Role, User
from registrations.transaction import run

INVITED_EMAIL = "invited.kh@demo.test"


def seed() -> dict:
    """Invite one partner of the Cambodian anti-trafficking department (once)."""
    if db.session.scalar(select(User.id).where(User.email == INVITED_EMAIL)) is not None:
        return {"invitations": 0}
    agency = db.session.scalar(select(Agency).where(Agency.code == "KH-CNP-AHT", Agency.active.is_(True)))
    if agency is None:
        return {"invitations": 0}
    admin = db.session.scalar(select(User).where(User.role == Role.ADMIN, User.active.is_(True)).order_by(User.id))
    run(create_user, email=INVITED_EMAIL, password=None, role=Role.PARTNER, agency=agency, name="Keo Sreymom",
                name_native="កែវ ស្រីមុំ", locale="km", actor=admin, invite=True)
    return {"invitations": 1}
