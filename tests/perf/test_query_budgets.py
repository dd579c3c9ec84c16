"""Every measured page runs the same number of SQL queries on small and on larger data.

The data comes from the scale generator. Every measured endpoint must exist: renaming or
removing a view fails here (update `benchmarks/scale/pages.py`) instead of silently dropping its
budget. The page cache of the public pages is emptied before the counted request, so that the
count is the page's own work, not a cache hit.

Lists are measured with pages longer than any list of the larger data, so that every page is
only partly filled at both sizes and shows more rows on the larger data: a query per row of a
page (an N+1 that a full page of twenty would hide) changes the count.
"""

import pytest

from benchmarks.scale.generate import Sizes
from benchmarks.scale.pages import PAGES, exists, plan

SMALL = Sizes(partners=3).scaled(0.002)
LARGER = Sizes(partners=3).scaled(0.01)
#: Rows per page while measuring: more than any list of LARGER holds.
PARTLY_FILLED = LARGER.registrations + LARGER.participants + 1


def _measure(app, db, page, count_queries) -> tuple:
    """(status, number of queries, url) of the page's second request (the first may store a PDF)."""
    app.config.update(ITEMS_PER_PAGE=PARTLY_FILLED, ATTENDANCE_SHEET_PER_PAGE=PARTLY_FILLED)
    planned = plan(app, page)
    if planned.url is None:
        return None, None, f"no data for {page.endpoint}: missing {planned.missing}"
    client = app.test_client()
    if planned.user is not None:
        client.login_as(planned.user)
    client.get(planned.url)
    kept = app.extensions.get("session_fragments")
    if kept is not None:
        kept.clear()
    with count_queries() as statements:
        response = client.get(planned.url)
    return response.status_code, len(statements), planned.url


#: page key → [(status, queries, url) on SMALL, same on LARGER]; measured once per test process,
#: because seeding twice per page would make the suite slow.
_MEASURED: dict = {}


def _measurements(app, db, seed_at, count_queries) -> dict:
    if not _MEASURED:
        measured: dict = {}
        for sizes in (SMALL, LARGER):
            seed_at(sizes)
            for page in PAGES:
                if exists(app, page):
                    measured.setdefault(page.key, []).append(_measure(app, db, page, count_queries))
        _MEASURED.update(measured)
    return _MEASURED


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.key)
def test_page_runs_a_fixed_number_of_queries(app, db, seed_at, count_queries, page):
    assert exists(app, page), f"{page.endpoint} is measured but does not exist: update benchmarks/scale/pages.py"
    (small_status, small, url), (larger_status, larger, larger_url) = _measurements(app, db, seed_at,
                                                                                      count_queries)[page.key]
    assert small_status == 200, f"{url} answered {small_status} on the small data"
    assert larger_status == 200, f"{larger_url} answered {larger_status} on the larger data"
    assert small == larger, f"{page.endpoint}: {small} queries on small data, {larger} on larger"


def test_the_larger_data_is_larger(app, db, seed_at):
    """The comparison above means something only if the second data set is bigger."""
    small, larger = seed_at(SMALL), seed_at(LARGER)
    for table in ("training_session", "participant", "registration", "attendance", "certificate"):
        assert larger[table]["rows"] > small[table]["rows"] * 2, table


def _probe_at_both_sizes(app, db, seed_at, count_queries, endpoint: str) -> list[int]:
    """Queries a probe page of the busiest session runs on the small, then the larger data."""
    from benchmarks.scale.pages import Page

    probe = Page(endpoint, endpoint, "Probe", None, subject="busy_session")
    measured = []
    for sizes in (SMALL, LARGER):
        seed_at(sizes)
        status, queries, url = _measure(app, db, probe, count_queries)
        assert status == 200, url
        measured.append(queries)
    return measured


def test_the_budget_check_catches_one_query_per_row(app, db, seed_at, count_queries):
    """A page that loads each registration's participant on its own is caught."""
    import sqlalchemy as sa

    from registrations.access import ANYONE, allow
    from registrations.models import Participant, Registration

    @allow(ANYONE)
    def one_query_per_row(session_id):
        ids = db.session.scalars(sa.select(Registration.participant_id).where(Registration.session_id == session_id))
        return {"names": [db.session.get(Participant, pid).name_latin for pid in ids]}

    app.add_url_rule("/probe/<int:session_id>", "probe.rows", one_query_per_row)
    measured = _probe_at_both_sizes(app, db, seed_at, count_queries, "probe.rows")
    assert measured[1] > measured[0] + 10


def test_the_budget_check_catches_one_query_per_row_of_a_page(app, db, seed_at, count_queries):
    """A paginated list that loads each row's participant on its own is caught too: its pages
    are only partly filled at both sizes, so they hold more rows on the larger data."""
    import sqlalchemy as sa

    from registrations.access import ANYONE, allow
    from registrations.models import Participant, Registration
    from registrations.paging import paginate

    @allow(ANYONE)
    def one_query_per_listed_row(session_id):
        page = paginate(sa.select(Registration.participant_id).where(Registration.session_id == session_id)
                        .order_by(Registration.id))
        return {"names": [db.session.get(Participant, pid).name_latin for pid in page.items]}

    app.add_url_rule("/probe-page/<int:session_id>", "probe.page", one_query_per_listed_row)
    measured = _probe_at_both_sizes(app, db, seed_at, count_queries, "probe.page")
    assert measured[0] > 20, "the small data alone would fill a default page of twenty"
    assert measured[1] > measured[0] + 10
