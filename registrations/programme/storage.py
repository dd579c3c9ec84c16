"""Files of the programme (materials, signature and stamp images), kept outside the database.

Each file is stored once under the uploads folder (`UPLOADS_PATH`, default `instance/uploads`)
as `<kind>/<sha256 of its bytes>.<extension>`: the same bytes uploaded twice are one file, a
replaced image gets a new name (so an issued certificate's snapshot keeps pointing at the image
it was drawn with), and a name read back from the database is checked against that pattern
before it becomes a path. The type is read from the bytes, never from the name or the browser's
word: PDF, PNG, JPEG and the Office formats (a ZIP holding their parts).
"""

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

#: The kinds of stored files (folders of the uploads folder).
KINDS = ("materials", "signatures")
_STORED_NAME = re.compile(r"^[0-9a-f]{64}\.(pdf|png|jpg|docx|pptx|xlsx)$")

#: What each type is stored and served as: extension and media type.
TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: Files attached to timetable items; images of signatories.
MATERIAL_TYPES = frozenset(TYPES)
IMAGE_TYPES = frozenset({"png", "jpg"})


class FileRefused(Exception):
    """An uploaded file was refused; `message` is translated."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    content_type: str
    size: int


def uploads_root() -> Path:
    return Path(current_app.config["UPLOADS_PATH"])


def sniff(data: bytes) -> str | None:
    """The type of a file read from its bytes (an extension of TYPES), or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "[Content_Types].xml" in names:
            for folder, kind in (("word/", "docx"), ("ppt/", "pptx"), ("xl/", "xlsx")):
                if any(name.startswith(folder) for name in names):
                    return kind
    return None


def check_image(data: bytes, kind: str) -> None:
    """Refuse an image that Pillow cannot read whole as the PNG or JPEG its header says."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            expected = {"png": "PNG", "jpg": "JPEG"}[kind]
            if image.format != expected or image.width > 4000 or image.height > 4000:
                raise FileRefused(_l("The image must be a PNG or JPEG file of at most 4000 × 4000 pixels."))
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise FileRefused(_l("The image cannot be read: send a PNG or JPEG file.")) from error


def store(data: bytes, folder: str, allowed: frozenset, max_bytes: int) -> StoredFile:
    """Check the bytes (size, type read from them) and write them under the uploads folder."""
    if folder not in KINDS:
        raise ValueError(folder)
    if not data:
        raise FileRefused(_l("The file is empty."))
    if len(data) > max_bytes:
        raise FileRefused(_l("The file is too large (at most %(size)s MB).",
                             size=f"{max_bytes / 1_048_576:.1f}".rstrip("0").rstrip(".")))
    kind = sniff(data)
    if kind not in allowed:
        if allowed == IMAGE_TYPES:
            raise FileRefused(_l("The image must be a PNG or JPEG file."))
        raise FileRefused(_l("This type of file is not accepted: send a PDF, an image (PNG, JPEG) "
                             "or an Office document (DOCX, PPTX, XLSX)."))
    if kind in IMAGE_TYPES:
        check_image(data, kind)
    name = f"{hashlib.sha256(data).hexdigest()}.{kind}"
    target = uploads_root() / folder / name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(target.suffix + ".part")
        temporary.write_bytes(data)
        temporary.replace(target)
    return StoredFile(name, TYPES[kind], len(data))


def path_of(folder: str, stored_name: str) -> Path | None:
    """The path of a stored file, or None when the name is not one we made or the file is gone."""
    if folder not in KINDS or not _STORED_NAME.match(stored_name or ""):
        return None
    path = uploads_root() / folder / stored_name
    return path if path.is_file() else None


def read(folder: str, stored_name: str) -> bytes | None:
    path = path_of(folder, stored_name)
    return path.read_bytes() if path else None
