"""The request-input layer: what any request may carry before a view reads it.

Browsers, crawlers and scripts can send anything; the database and the PDF writer cannot
store or draw anything. This module holds the limits between the two, in one place:

- ids in URLs (the `int` converter is replaced by `IdConverter`): 1 … 2^31 − 1 on every
  database, so `/sessions/2147483648` is a 404 instead of an overflow in PostgreSQL or SQLite;
- page numbers and ids read from query strings and forms (`parse_page`, `parse_id`);
- C0/C1 control characters (NUL first of all) refused with a translated 400: anywhere in the
  path and the query string, and in posted fields except tab, line feed and carriage return,
  which text areas may hold;
- files posted where the app expects text: a 400, except for views marked `takes_files` (answers
  to registration questions, the batch nomination file, timetable materials, signatories'
  images), in the fields they name and within their own size limit; their services check each
  file by its content;
- JSON bodies: at most `JSON_MAX_BYTES` and `JSON_MAX_DEPTH` levels of nesting, checked on the
  raw bytes before the parser sees them (a body nested 100,000 deep would exhaust its stack);
- WTForms validators for names: no control or bidirectional-override characters, and the
  Latin-script name in Latin letters only.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BaseConverter, ValidationError
from wtforms.validators import StopValidation

from registrations.errors import abort_with

#: The largest id any table may have: PostgreSQL's INTEGER, and the same on SQLite.
ID_MAX = 2**31 - 1
#: Page numbers beyond this are read as the last page a list could ever have.
PAGE_MAX = 100_000
#: JSON bodies (the attendance marks): one mark is under 100 bytes.
JSON_MAX_BYTES = 64 * 1024
JSON_MAX_DEPTH = 20
#: Dates a session, a filter or a duplicate may use: wide enough for the archive and the
#: office's plans, narrow enough that no date arithmetic overflows.
DATE_MIN = date(2000, 1, 1)
DATE_MAX = date(2099, 12, 31)

#: Every C0 control, DEL and the C1 controls.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: The same, but tab, line feed and carriage return pass (text areas).
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Bidirectional embedding, override and isolate controls, and the invisible direction marks.
#: No name in the office's scripts needs one; in a list or a PDF they reverse what follows.
#: ZWJ and ZWNJ (U+200C, U+200D) are not here: Khmer and Lao text may use them.
BIDI_CONTROL = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

CONTROL_MESSAGE = _l("The request contains invisible control characters. Remove them and try again.")
FILE_MESSAGE = _l("Files cannot be sent here: enter the text in the form.")
JSON_MESSAGE = _l("The data sent is too large or nested too deeply.")


class IdConverter(BaseConverter):
    """`<int:…>` in every URL rule: an id from 1 to 2^31 − 1 written in ASCII digits.

    Anything else does not match the rule, so the answer is the ordinary 404.
    """

    regex = r"[0-9]{1,10}"
    weight = 50
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= ID_MAX:
            raise ValidationError()
        return number

    def to_url(self, value) -> str:
        return str(int(value))


def parse_id(value) -> int | None:
    """An id read from a form or a query string (ASCII digits, 1 … 2^31 − 1), else None."""
    text = str(value if value is not None else "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 1 <= number <= ID_MAX else None


def parse_page(value) -> int:
    """A page number from the query string: 1 when absent or not a number, at most PAGE_MAX."""
    text = str(value if value is not None else "").strip()
    if not text.isascii() or not text.isdigit():
        return 1
    if len(text) > 6:
        return PAGE_MAX
    return min(max(int(text), 1), PAGE_MAX)


def json_depth(raw: bytes, limit: int) -> int:
    """How deeply a JSON text nests (stops counting past `limit`), read without parsing it."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def check_request() -> None:
    """Refuse, before any view runs, what no view can answer: controls, files, deep JSON."""
    if CONTROL.search(request.path) or any(
            CONTROL.search(key) or CONTROL.search(value) for key, value in request.args.items(multi=True)):
        abort_with(400, CONTROL_MESSAGE)
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    if request.is_json:
        raw = request.get_data(cache=True)
        if len(raw) > JSON_MAX_BYTES:
            abort_with(413, JSON_MESSAGE)
        if json_depth(raw, JSON_MAX_DEPTH) > JSON_MAX_DEPTH:
            abort_with(400, JSON_MESSAGE)
        return
    if request.files:
        upload = getattr(current_app.view_functions.get(request.endpoint or ""), "upload", None)
        if upload is None or not all(upload.fields.fullmatch(name) for name in request.files):
            abort_with(400, FILE_MESSAGE)
    if any(CONTROL.search(key) or CONTROL_IN_TEXT.search(value) for key, value in request.form.items(multi=True)):
        abort_with(400, CONTROL_MESSAGE)


@dataclass(frozen=True)
class Upload:
    """What a view that takes files accepts: the fields (a regular expression), and the size
    limit of each file (a configuration key; None: the request's usual `MAX_CONTENT_LENGTH`)."""

    fields: re.Pattern
    limit_key: str | None
    files: int


def takes_files(limit_key: str | None = None, files: int = 1, fields: str = r".+"):
    """Let a view receive files in the fields whose names match `fields` (every other view, and
    every other field, refuses them; its service checks each file by its content). With
    `limit_key`, the request body is limited to `files` times that size plus its form fields."""

    def decorator(view):
        view.upload = Upload(re.compile(fields), limit_key, files)
        return view

    return decorator


def upload_limit(endpoint, values) -> None:
    """A view that takes files gets its own body limit (its files', plus room for the form's
    fields) instead of `MAX_CONTENT_LENGTH`. Set before anything reads the body (the CSRF check
    included): URL value preprocessors run before every `before_request` function."""
    upload = getattr(current_app.view_functions.get(endpoint or ""), "upload", None)
    if upload is not None and upload.limit_key:
        request.max_content_length = current_app.config[upload.limit_key] * upload.files + 64 * 1024


def init_app(app) -> None:
    """Install the id converter (before any blueprint adds its rules) and the request checks."""
    app.url_map.converters["int"] = IdConverter
    app.url_value_preprocessor(upload_limit)
    app.before_request(check_request)


# ---------------------------------------------------------------- form validators

class PlainName:
    """A name or a label on one line: no control characters and no bidi controls."""

    message = _l("Remove the invisible characters (line breaks, direction marks) from this name.")

    def __call__(self, form, field) -> None:
        value = field.data or ""
        if CONTROL.search(value) or BIDI_CONTROL.search(value):
            raise StopValidation(self.message)


#: Punctuation a name in a passport's Latin line may hold besides letters.
_NAME_PUNCTUATION = frozenset(" -'’.")


def is_latin_name(value: str) -> bool:
    """Latin letters (with diacritics: Vietnamese too), spaces, hyphens, apostrophes and dots."""
    text = unicodedata.normalize("NFC", value)
    for char in text:
        if char in _NAME_PUNCTUATION:
            continue
        category = unicodedata.category(char)
        if category.startswith("L") and unicodedata.name(char, "").startswith("LATIN "):
            continue
        if category == "Mn" and "\u0300" <= char <= "\u036f":  # combining accents
            continue
        return False
    return True


class LatinName:
    """The passport's Latin-script name: the certificate's main line must be readable abroad."""

    message = _l("Write the name in Latin letters, as in the passport (letters with accents, spaces, "
                 "hyphens and apostrophes); use the field for the own script for other writing.")

    def __call__(self, form, field) -> None:
        if field.data and not is_latin_name(field.data):
            raise StopValidation(self.message)


class DateWithin:
    """A date (or date and time) from DATE_MIN to DATE_MAX."""

    message = _l("Choose a date between %(first)s and %(last)s.")

    def __call__(self, form, field) -> None:
        value = field.data
        if value is None:
            return
        day = value.date() if isinstance(value, datetime) else value
        if not DATE_MIN <= day <= DATE_MAX:
            raise StopValidation(self.message % {"first": DATE_MIN.isoformat(), "last": DATE_MAX.isoformat()})


def without_bidi_controls(text: str) -> str:
    """Text for a PDF: bidi controls removed (the PDF writer would reverse the line)."""
    return BIDI_CONTROL.sub("", CONTROL.sub("", text or ""))
