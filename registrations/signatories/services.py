"""Who signs a session's documents: its chosen signatory, else the default one, else the
`CERTIFICATE_SIGNATORY_NAME`/`_TITLE` settings (no images then).

Images are stored outside the database (programme/storage.py) under names derived from their
bytes; a certificate's snapshot keeps the names it was drawn with, so replacing an image later
changes no certificate already issued.
"""

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from registrations import audit
from registrations.extensions import db
from registrations.models import Signatory, TrainingSession
from registrations.models.sessions import CONTENT_LOCALES
from registrations.programme import storage


class SignatoryError(Exception):
    def __init__(self, message, status: int = 400, field_name: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.status = status
        self.field_name = field_name


@dataclass
class SignatoryValues:
    name: str
    titles: dict[str, str] = field(default_factory=dict)
    #: New image bytes (None: keep the current one).
    signature: bytes | None = None
    stamp: bytes | None = None
    remove_signature: bool = False
    remove_stamp: bool = False
    active: bool = True


@dataclass(frozen=True)
class SignatoryFacts:
    """What documents print about the signatory."""

    name: str
    titles: dict
    signature_file: str = ""
    stamp_file: str = ""
    signatory_id: int | None = None

    def title(self, locale: str) -> str:
        return self.titles.get(locale) or self.titles.get("fr", "")


def _store_image(data: bytes, field_name: str) -> str:
    try:
        stored = storage.store(data, "signatures", storage.IMAGE_TYPES,
                               current_app.config["SIGNATORY_IMAGE_MAX_BYTES"])
    except storage.FileRefused as error:
        raise SignatoryError(error.message, 400, field_name) from error
    return stored.stored_name


def _summary(signatory: Signatory) -> dict:
    return {"name": signatory.name, "title": signatory.title_fr, "signature": bool(signatory.signature_file),
            "stamp": bool(signatory.stamp_file), "active": signatory.active, "default": signatory.is_default}


def save_signatory(signatory_id: int | None, values: SignatoryValues, *, actor=None) -> Signatory:
    """Create or change a signatory; the first one becomes the default."""
    if not values.name.strip():
        raise SignatoryError(_l("Give the signatory's name."), 400, "name")
    if not (values.titles.get("fr") or "").strip():
        raise SignatoryError(_l("Give the title in French."), 400, "title_fr")
    signature = _store_image(values.signature, "signature") if values.signature else None
    stamp = _store_image(values.stamp, "stamp") if values.stamp else None
    if signatory_id is None:
        signatory, before = Signatory(), None
        signatory.is_default = db.session.scalar(select(Signatory.id).limit(1)) is None
        db.session.add(signatory)
    else:
        signatory = db.session.get(Signatory, signatory_id)
        if signatory is None:
            raise SignatoryError(_l("This signatory does not exist."), 404)
        before = _summary(signatory)
    signatory.name = values.name.strip()
    for code in CONTENT_LOCALES:
        setattr(signatory, f"title_{code}", (values.titles.get(code) or "").strip())
    if signature:
        signatory.signature_file = signature
    elif values.remove_signature:
        signatory.signature_file = ""
    if stamp:
        signatory.stamp_file = stamp
    elif values.remove_stamp:
        signatory.stamp_file = ""
    if not values.active and signatory.is_default:
        raise SignatoryError(_l("The default signatory cannot be deactivated: make another one the default first."),
                             409, "active")
    signatory.active = values.active
    db.session.flush()
    audit.record("signatory.edit" if before else "signatory.create", signatory, actor=actor, before=before,
                 after=_summary(signatory))
    return signatory


def make_default(signatory_id: int, *, actor=None) -> Signatory:
    """Make this signatory the one of every session that chooses none."""
    signatory = db.session.get(Signatory, signatory_id)
    if signatory is None:
        raise SignatoryError(_l("This signatory does not exist."), 404)
    if not signatory.active:
        raise SignatoryError(_l("An inactive signatory cannot be the default."), 409)
    db.session.execute(update(Signatory).where(Signatory.is_default, Signatory.id != signatory_id)
                       .values(is_default=False))
    db.session.flush()
    signatory.is_default = True
    db.session.flush()
    audit.record("signatory.default", signatory, actor=actor, after={"default": True})
    return signatory


def choose_for_session(session_id: int, signatory_id: int | None, *, actor=None) -> TrainingSession:
    """Set who signs a session's documents (None: the default signatory)."""
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        raise SignatoryError(_l("This session does not exist."), 404)
    if signatory_id is not None:
        signatory = db.session.get(Signatory, signatory_id)
        if signatory is None or not signatory.active:
            raise SignatoryError(_l("Choose a signatory from the list."), 400, "signatory_id")
    before = session.signatory_id
    session.signatory_id = signatory_id
    db.session.flush()
    audit.record("session.signatory", session, actor=actor, before={"signatory_id": before},
                 after={"signatory_id": signatory_id})
    return session


def facts_of(signatory: Signatory) -> SignatoryFacts:
    return SignatoryFacts(signatory.name, {code: getattr(signatory, f"title_{code}") for code in CONTENT_LOCALES},
                          signatory.signature_file, signatory.stamp_file, signatory.id)


def signatory_for(session: TrainingSession) -> SignatoryFacts:
    """Who signs this session's documents: its own choice, the default, else the settings."""
    signatory = db.session.get(Signatory, session.signatory_id) if session.signatory_id else None
    if signatory is None:
        signatory = db.session.scalar(select(Signatory).where(Signatory.is_default, Signatory.active))
    if signatory is not None:
        return facts_of(signatory)
    config = current_app.config
    return SignatoryFacts(config["CERTIFICATE_SIGNATORY_NAME"], {"fr": config["CERTIFICATE_SIGNATORY_TITLE"]})


def image_path(stored_name: str) -> str:
    """The file of a signature or stamp image, or "" when there is none (or it is gone)."""
    path = storage.path_of("signatures", stored_name) if stored_name else None
    return str(path) if path else ""
