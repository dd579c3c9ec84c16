"""Participants as partners enter them: details, and finding the same person twice."""

from dataclasses import dataclass, fields

from sqlalchemy import bindparam, or_, select

from registrations.extensions import db
from registrations.models import Participant
from registrations.text import fold, strip_fields


@dataclass
class PersonDetails:
    """What a partner enters about a participant (themselves or a colleague)."""

    name_latin: str
    email: str
    rank: str = ""
    unit: str = ""
    name_native: str = ""
    phone: str = ""
    languages: str = ""
    locale: str = "fr"

    def __post_init__(self):
        strip_fields(self)
        self.email = self.email.lower()

    @classmethod
    def from_participant(cls, participant: Participant) -> "PersonDetails":
        return cls(**{f.name: getattr(participant, f.name) or "" for f in fields(cls)})

    def apply_to(self, participant: Participant) -> None:
        """Write these details on the participant record (and its name key)."""
        for f in fields(self):
            setattr(participant, f.name, getattr(self, f.name))
        participant.name_key = fold(self.name_latin)


#: Run at every registration: built once (their compiled forms are cached by SQLAlchemy).
_EMAIL_OWNER = select(Participant).where(Participant.email == bindparam("email")).order_by(Participant.id).limit(1)
_EMAIL_OWNER_BUT = _EMAIL_OWNER.where(Participant.id != bindparam("exclude_id"))


def email_owner(email: str, exclude_id: int | None = None) -> Participant | None:
    """The participant (of any agency) who already uses this email, other than `exclude_id`."""
    if not email:
        return None
    # Emails are stored in lower case (see Participant): the comparison reads the index.
    if exclude_id is None:
        return db.session.scalars(_EMAIL_OWNER, {"email": email.lower()}).first()
    return db.session.scalars(_EMAIL_OWNER_BUT, {"email": email.lower(), "exclude_id": exclude_id}).first()


def matches_in_agency(agency_id: int, person: PersonDetails) -> list[Participant]:
    """Participants of the agency who may be this person: same email, or same folded name."""
    conditions = [Participant.name_key == fold(person.name_latin)]
    if person.email:
        conditions.append(Participant.email == person.email)
    return list(db.session.scalars(
        select(Participant)
        .where(Participant.agency_id == agency_id, Participant.anonymised_at.is_(None), or_(*conditions))
        .order_by(Participant.id)
    ))
