"""Every measured page runs the same number of SQL queries on small and on larger data.

The data comes from the scale generator. A page whose endpoint does not exist in this build is
skipped (it is built on another branch); once merged, its budget is checked here.
"""

import pytest
from flask import g

from registrations.perf.pages import PAGES, account, build_url, exists, missing_arguments, pick_ids, role_for
from registrations.perf.scale import Sizes

SMALL = Sizes(partners=3).scaled(0.002)
LARGER = Sizes(partners=3).scaled(0.01)


def _measure(app, db, page, count_queries) -> tuple[int, int, str]:
    role = role_for(app, page)
    user = account(role)
    client = app.test_client()
    if user is not None:
        client.login_as(user)
    ids = pick_ids(page.subject, user)
    url = build_url(app, page, ids)
    assert url, f"no data for {page.endpoint}: missing {missing_arguments(app, page, ids)}"
    client.get(url)  # the first download of a certificate renders and stores it
    db.session.remove()
    g.pop("_login_user", None)
    with count_queries() as statements:
        response = client.get(url)
    return response.status_code, len(statements), url


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.key)
def test_page_runs_a_fixed_number_of_queries(app, db, seed_at, count_queries, page):
    if not exists(app, page):
        pytest.skip(f"{page.endpoint} does not exist in this build")
    measured = []
    for sizes in (SMALL, LARGER):
        seed_at(sizes)
        status, queries, url = _measure(app, db, page, count_queries)
        assert status == 200, f"{url} answered {status} on {sizes}"
        measured.append(queries)
    assert measured[0] == measured[1], f"{page.endpoint}: {measured[0]} queries on small data, {measured[1]} on larger"


def test_the_larger_data_is_larger(app, db, seed_at):
    """The comparison above means something only if the second data set is bigger."""
    small, larger = seed_at(SMALL), seed_at(LARGER)
    for table in ("training_session", "participant", "registration", "attendance", "certificate"):
        assert larger[table]["rows"] > small[table]["rows"] * 2, table


def test_the_budget_check_catches_one_query_per_row(app, db, seed_at, count_queries):
    """A page that loads each registration's participant on its own is caught."""
    import sqlalchemy as sa

    from registrations.access import ANYONE, allow
    from registrations.models import Participant, Registration
    from registrations.perf.pages import Page

    @allow(ANYONE)
    def one_query_per_row(session_id):
        ids = db.session.scalars(sa.select(Registration.participant_id).where(Registration.session_id == session_id))
        return {"names": [db.session.get(Participant, pid).name_latin for pid in ids]}

    app.add_url_rule("/probe/<int:session_id>", "probe.rows", one_query_per_row)
    probe = Page("probe", "probe.rows", "Probe", None, subject="busy_session")
    measured = []
    for sizes in (SMALL, LARGER):
        seed_at(sizes)
        status, queries, _ = _measure(app, db, probe, count_queries)
        assert status == 200
        measured.append(queries)
    assert measured[1] > measured[0] + 10
