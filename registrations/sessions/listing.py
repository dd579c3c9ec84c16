"""The lists of sessions on the public pages: which sessions a search and filters find, and
their cards.

A list is found as plain rows (`Listed`: what a search or a filter looks at, what orders the
list, and when each session's registration opens or closes), never as loaded sessions; its
cards are then taken from the kept parts (fragments.kept_part) by id, and only the sessions
whose card is not kept are loaded and drawn, in one query.

The catalogue (upcoming sessions: a few hundred at most, in the office's planning) is found in
memory: each process keeps the Listed rows of every upcoming session under the version of what
public pages show and the office's date (fragments.kept_value), and searches and filters them
there with `matching`, the same conditions as queries.apply_filters. The archive, which grows
every year, is found by the database and its full-text index (queries.apply_filters).
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import Select, select

from registrations import layout
from registrations.extensions import db
from registrations.models import TrainingSession
from registrations.paging import Page, paginate, requested_page
from registrations.sessions import fragments
from registrations.sessions.queries import (
    CatalogueFilters,
    apply_filters,
    archive_statement,
    month_bounds,
    upcoming_statement,
)
from registrations.text import fold, fold_compact


class Listed(NamedTuple):
    """A session as a list sees it (the names are TrainingSession's, for fragments.next_change)."""

    id: int
    start_date: date
    end_date: date
    registration_opens_at: datetime | None
    registration_deadline: datetime | None
    theme: str
    kind: str
    country: str
    city: str
    working_language: str
    interpretation: str
    search_text: str


_COLUMNS = tuple(getattr(TrainingSession, name) for name in Listed._fields)


def listed_statement(statement: Select) -> Select:
    """`statement` (a select of sessions) reading Listed rows instead of sessions."""
    return statement.with_only_columns(*_COLUMNS)


def upcoming_index() -> list[Listed]:
    """Every upcoming session as a Listed row, in the catalogue's order: read once per process
    for each version of the public pages and office date."""
    return fragments.kept_value("upcoming", lambda: [Listed(*row) for row in
                                                     db.session.execute(listed_statement(upcoming_statement()))])


def upcoming_cities() -> list[str]:
    """Cities of the upcoming sessions, for the city filter of the catalogue and the archive."""
    return fragments.kept_value("cities", lambda: sorted({row.city for row in upcoming_index()}, key=fold))


def matching(filters: CatalogueFilters, rows: Iterable[Listed]) -> list[Listed]:
    """The rows that pass the catalogue's filters, in their order: the conditions of
    queries.apply_filters (and its search_condition) on rows in memory, each condition a pass
    over what the previous ones kept. tests/sessions/test_search_matrix.py checks that both
    find the same sessions."""
    rows = list(rows)
    words = fold(filters.q).split()
    if words:
        compact = fold_compact(filters.q)
        rows = [row for row in rows
                if compact in row.search_text or all(map(row.search_text.__contains__, words))]
    for name in ("theme", "kind", "country", "city"):
        if wanted := getattr(filters, name):
            at = Listed._fields.index(name)
            rows = [row for row in rows if row[at] == wanted]
    if bounds := month_bounds(filters.month):
        first, last = bounds
        rows = [row for row in rows if row.start_date <= last and row.end_date >= first]
    if language := filters.language:
        among = f",{language},"
        rows = [row for row in rows if row.working_language == language or among in f",{row.interpretation},"]
    return rows


def upcoming_page(filters: CatalogueFilters, per_page: int) -> Page:
    """The page of the catalogue the request asks for, found in memory (see the module's doc)."""
    rows = upcoming_index()
    if filters.any:
        rows = matching(filters, rows)
    number = requested_page()
    start = (number - 1) * per_page
    return Page(items=rows[start:start + per_page], page=number, per_page=per_page, total=len(rows))


def archive_page(filters: CatalogueFilters, per_page: int) -> Page:
    """The page of the archive the request asks for, found by the database (one query with the
    count, its full-text index for a search)."""
    statement = listed_statement(apply_filters(archive_statement(), filters))
    page = paginate(statement, per_page=per_page, scalars=False, total_with_rows=True)
    page.items = [Listed(*row) for row in page.items]
    return page


def cards(rows: Sequence[Listed], now: datetime, heading: str = "h2") -> list:
    """The cards of these sessions (sessions/_macros.html, session_card): kept ones as they are,
    the others drawn from their sessions, loaded in one query."""
    found = fragments.kept_cards([row.id for row in rows], heading, now)
    missing = [session_id for session_id, card in found.items() if card is None]
    if missing:
        draw = layout.bound_macro("sessions/_macros.html", "session_card")
        for session in db.session.scalars(select(TrainingSession).where(TrainingSession.id.in_(missing))):
            found[session.id] = draw(session, now, heading)
    return [found[row.id] for row in rows]
