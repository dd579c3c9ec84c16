"""The one pagination helper and page-number parser every list uses."""

import pytest
from sqlalchemy import select

from registrations import paging
from registrations.models import TrainingSession


@pytest.mark.parametrize(("total", "per_page", "pages"), [(0, 20, 1), (1, 20, 1), (20, 20, 1), (21, 20, 2)])
def test_page_count(total, per_page, pages):
    assert paging.page_count(total, per_page) == pages
    assert paging.Page(items=[], page=1, per_page=per_page, total=total).pages == pages


@pytest.mark.parametrize(("raw", "number"), [("", 1), ("0", 1), ("-3", 1), ("abc", 1), ("٣", 1), ("3", 3)])
def test_requested_page_reads_the_query_string(app, raw, number):
    with app.test_request_context(f"/?page={raw}"):
        assert paging.requested_page() == number


def test_paginate_finds_ids_first_then_reads_their_rows(app, db, make_session):
    made = [make_session(title_fr=f"Session {n}") for n in range(5)]
    ids = select(TrainingSession.id).order_by(TrainingSession.id.desc())
    with app.test_request_context("/?page=2"):
        page = paging.paginate(ids, per_page=2, rows=lambda shown: (
            select(TrainingSession).where(TrainingSession.id.in_(shown.scalar_subquery()))
            .order_by(TrainingSession.id.desc())))
    assert (page.page, page.total, page.pages, page.has_prev, page.has_next) == (2, 5, 3, True, True)
    assert [session.title_fr for session in page.items] == ["Session 2", "Session 1"]
    assert made[2].id == page.items[0].id


@pytest.mark.parametrize("page, shown, total", [(1, 2, 5), (3, 1, 5), (4, 0, 5)])
def test_total_with_rows_counts_in_the_page_query_and_past_the_end(app, db, make_session, count_queries,
                                                                  page, shown, total):
    for _ in range(5):
        make_session()
    statement = select(TrainingSession).order_by(TrainingSession.id)
    with count_queries() as queries:
        found = paging.paginate(statement, page=page, per_page=2, total_with_rows=True)
    assert (len(found.items), found.total, found.pages) == (shown, total, 3)
    assert all(isinstance(item, TrainingSession) for item in found.items)
    assert len(queries) == (1 if shown else 2)  # past the last page, a count says how many there are
    plain = paging.paginate(statement, page=page, per_page=2)
    assert [s.id for s in plain.items] == [s.id for s in found.items] and plain.total == found.total


def test_total_with_rows_on_an_empty_list(app, db):
    found = paging.paginate(select(TrainingSession), page=1, per_page=2, total_with_rows=True)
    assert (found.items, found.total, found.pages) == ([], 0, 1)
