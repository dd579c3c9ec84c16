"""Cursor pagination: a page holds `limit` rows after the cursor, which names the last row read
(its sort values, base64url JSON), so pages never skip or repeat a row when rows are added."""

import base64
import binascii
import json
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_

from registrations.errors import abort_with
from registrations.extensions import db

BAD_CURSOR = _l("This cursor is not valid: use the next_cursor of the previous page.")


def encode(values: list) -> str:
    text = json.dumps([v.isoformat() if isinstance(v, date) else v for v in values])
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(cursor: str, kinds: list[type]) -> list:
    """The values of a cursor, of the given types (int or date); a 400 problem otherwise."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != len(kinds):
            raise ValueError
        out = []
        for value, kind in zip(values, kinds, strict=True):
            if kind is int:
                if type(value) is not int or not 0 < value < 2**31:
                    raise ValueError
                out.append(value)
            else:
                out.append(date.fromisoformat(value))
        return out
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        abort_with(400, BAD_CURSOR)


def page(statement, args: dict, *, descending_id=None, ascending=None):
    """One page of `statement`: ordered by id descending (`descending_id`: the id column), or by
    the `ascending` columns (e.g. start date, then id). Returns (rows, next cursor or None)."""
    limit = args.get("limit", 20)
    cursor = args.get("cursor")
    if descending_id is not None:
        columns = [descending_id]
        statement = statement.order_by(None).order_by(descending_id.desc())
        if cursor:
            (last,) = decode(cursor, [int])
            statement = statement.where(descending_id < last)
    else:
        columns = ascending
        statement = statement.order_by(None).order_by(*ascending)
        if cursor:
            first, last_id = decode(cursor, [date, int])
            statement = statement.where(or_(ascending[0] > first, and_(ascending[0] == first, ascending[1] > last_id)))
    rows = list(db.session.scalars(statement.limit(limit + 1)).unique())
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last_row = rows[-1]
    return rows, encode([getattr(last_row, column.key) for column in columns])
