"""Files answered to registration questions: checked by content, stored outside the database.

Files live under `ANSWER_FILES_PATH` (default: the instance folder's `answers/`), one folder per
session, under a random name; the database keeps the key. A file is written inside the unit of
work that records it: when that transaction rolls back, the files it wrote are removed again, so
a refusal leaves neither a row nor a file.
"""

import io
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

#: The types accepted, by their first bytes, with the extension a stored file gets.
SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
_WRITTEN = "answer_files_written"
_DROPPED = "answer_files_dropped"


@dataclass
class CheckedFile:
    """A file that passed the checks: its bytes, its type and the name it was sent with."""

    data: bytes
    content_type: str
    extension: str
    name: str


class BadFile(ValueError):
    """The file is not a readable PDF, JPEG or PNG (the message says which check failed)."""


def sniff(data: bytes) -> tuple[str, str] | None:
    """The content type and extension the file's first bytes announce, or None."""
    for magic, content_type, extension in SIGNATURES:
        if data.startswith(magic):
            return content_type, extension
    return None


def check(data: bytes, name: str) -> CheckedFile:
    """Check a file by its content: the signature, then the file opens as what it claims to be."""
    import pikepdf  # loaded when a file is checked, not for a page
    from PIL import Image, UnidentifiedImageError

    found = sniff(data)
    if found is None:
        raise BadFile("type")
    content_type, extension = found
    try:
        if content_type == "application/pdf":
            with pikepdf.open(io.BytesIO(data)) as pdf:
                if len(pdf.pages) < 1:
                    raise BadFile("empty")
        else:
            with Image.open(io.BytesIO(data)) as image:
                expected = "JPEG" if content_type == "image/jpeg" else "PNG"
                if image.format != expected:
                    raise BadFile("type")
                image.verify()
    except BadFile:
        raise
    except (pikepdf.PdfError, UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise BadFile("unreadable") from error
    safe = os.path.basename(name or "").strip()[:150] or f"file.{extension}"
    return CheckedFile(data=data, content_type=content_type, extension=extension, name=safe)


def root() -> Path:
    return Path(current_app.config["ANSWER_FILES_PATH"])


def path_of(key: str) -> Path:
    """The stored file of a key (keys are written by `save` only: `<session>/<random>.<ext>`)."""
    base = root().resolve()
    path = (base / key).resolve()
    if base not in path.parents:
        raise ValueError("a key outside the answers folder")
    return path


def save(session: Session, session_id: int, checked: CheckedFile) -> str:
    """Write the file under a new random key and remember it in the unit of work (removed on
    rollback); return the key."""
    key = f"{int(session_id)}/{secrets.token_hex(16)}.{checked.extension}"
    path = path_of(key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(checked.data)
    session.info.setdefault(_WRITTEN, []).append(path)
    return key


def remove_after_commit(session: Session, key: str) -> None:
    """Delete a stored file (a replaced or purged answer) once the unit of work commits; a
    rollback keeps it, since its row still points to it."""
    if key:
        session.info.setdefault(_DROPPED, []).append(path_of(key))


@event.listens_for(Session, "after_commit")
def _keep_written(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
    for path in session.info.pop(_DROPPED, []):
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_soft_rollback")
def _drop_written(session: Session, previous_transaction) -> None:
    session.info.pop(_DROPPED, None)
    for path in session.info.pop(_WRITTEN, []):
        path.unlink(missing_ok=True)
