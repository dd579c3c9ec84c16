"""Pages of a list: two queries (count and rows), or one, whatever the list's size."""

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app, request
from sqlalchemy import Select, func, select

from registrations.extensions import db
from registrations.inputs import parse_page


@dataclass
class Page:
    """One page of rows, shaped like Flask-SQLAlchemy's pagination for `_forms.pagination`."""

    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.per_page)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` rows fill (at least one, empty)."""
    return max((total + per_page - 1) // per_page, 1)


def requested_page() -> int:
    """The `page` argument of the request (1 when absent or not a positive number)."""
    return parse_page(request.args.get("page"))


def paginate(query: Select, *, page: int | None = None, per_page: int | None = None, scalars: bool = True,
             count: Select | None = None, rows: Callable[[Select], Select] | None = None,
             total_with_rows: bool = False) -> Page:
    """Run `query` for one page (number from the request unless given); rows are scalars (first
    column) or tuples. `count`: a cheaper query giving the same number of rows, if the list has
    one. `rows`: the statement reading the page's rows from the page's (limited) `query`, when
    the page's ids are best found first on indexes alone. `total_with_rows`: count the rows in
    the page's own query (a window function), one query instead of two, for a query whose
    result has one row per item (no collection loaded by a join); the work of finding the rows
    (a search) is then done once."""
    page = page or requested_page()
    per_page = per_page or current_app.config["ITEMS_PER_PAGE"]
    if total_with_rows and count is None and rows is None:
        found = db.session.execute(query.add_columns(func.count().over())
                                   .limit(per_page).offset((page - 1) * per_page)).all()
        if found:
            items = [row[0] for row in found] if scalars else [tuple(row)[:-1] for row in found]
            return Page(items=items, page=page, per_page=per_page, total=found[0][-1])
        # Nothing on this page: the list is empty, or this is past its last page (count it).
        return Page(items=[], page=page, per_page=per_page, total=_count(query) if page > 1 else 0)
    total = (db.session.scalar(count) or 0) if count is not None else _count(query)
    paged = query.limit(per_page).offset((page - 1) * per_page)
    result = db.session.execute(rows(paged) if rows is not None else paged)
    items = list(result.scalars().unique()) if scalars else list(result.all())
    return Page(items=items, page=page, per_page=per_page, total=total)


def _count(query: Select) -> int:
    """How many rows `query` gives (its order dropped)."""
    return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
