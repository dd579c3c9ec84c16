"""A long day sheet comes in pages, with a name search; counts and "mark everyone present" stay the day's."""

import pytest

from registrations.attendance import services
from registrations.models import AttendanceStatus
from registrations.transaction import run


@pytest.fixture
def small_pages(app):
    """Two participants per page (the `running` session has three: Khamla, Nguyen, Srey)."""
    app.config["ATTENDANCE_SHEET_PER_PAGE"] = 2
    yield
    app.config.pop("ATTENDANCE_SHEET_PER_PAGE")


def _sheet(running, day=0):
    return f"/manage/sessions/{running['session'].id}/attendance/{running['days'][day].id}"


def _rows(page: str) -> list[str]:
    """The registration ids of the rows shown, in order."""
    return [part.split('"')[0] for part in page.split('class="sheet-row')[1:] for part in [part.split('id="r-')[1]]]


def _json_post(client, url, body):
    return client.post(url, json=body, csrf=False,
                       headers={"X-CSRFToken": client.csrf_token(), "Accept": "application/json"})


def test_a_long_sheet_comes_in_pages_in_name_order_with_the_whole_days_counts(organiser_client, running,
                                                                              organiser_user, small_pages):
    nguyen, srey, khamla = running["registrations"]
    run(services.mark, running["session"].id, running["days"][0].id, srey.id, "absent", organiser_user)
    first = organiser_client.get(_sheet(running)).get_data(as_text=True)
    assert _rows(first) == [str(khamla.id), str(nguyen.id)]
    assert "Page 1 sur 2" in first and f'href="{_sheet(running)}?page=2"' in first
    second = organiser_client.get(_sheet(running) + "?page=2").get_data(as_text=True)
    assert _rows(second) == [str(srey.id)]
    assert f'href="{_sheet(running)}"' in second  # back to page 1
    for page in (first, second):
        counts = page.split('data-testid="sheet-counts"')[1].split("</p>")[0]
        assert "3 participants" in counts
        assert 'data-count="absent">Absent <strong>1</strong>' in counts
        assert 'data-count="none">Non relevé <strong>2</strong>' in counts
        assert "mark-all" in page
    # A page past the end shows the last one; a page that is not a number, the first.
    assert _rows(organiser_client.get(_sheet(running) + "?page=99").get_data(as_text=True)) == [str(srey.id)]
    assert _rows(organiser_client.get(_sheet(running) + "?page=x2").get_data(as_text=True)) == [str(khamla.id),
                                                                                                str(nguyen.id)]


def test_without_javascript_a_mark_comes_back_to_its_page(organiser_client, running, small_pages):
    srey = running["registrations"][1]
    page = organiser_client.get(_sheet(running) + "?page=2").get_data(as_text=True)
    mark_url = f"{_sheet(running)}/mark?page=2"
    assert f'action="{mark_url}"' in page
    response = organiser_client.post(mark_url, data={"registration_id": srey.id, "status": "late"})
    assert response.headers["Location"].endswith(f"{_sheet(running)}?page=2&saved={srey.id}#r-{srey.id}")
    row = organiser_client.get(response.headers["Location"]).get_data(as_text=True).split(f'id="r-{srey.id}"')[1]
    assert "Enregistré" in row.split("</li>")[0]
    response = organiser_client.post(f"{_sheet(running)}/mark-all?page=2", data={"scope": "unmarked"})
    assert response.headers["Location"].endswith(f"{_sheet(running)}?page=2")
    assert services.day_marks(running["days"][0].id)[srey.id] == AttendanceStatus.LATE


@pytest.mark.parametrize("search,found", [
    ("huong", [0]), ("  HƯƠNG  thi ", [0]), ("ស្រី", [1]), ("ph", [2]), ("i", [0, 1]),
])
def test_the_name_search_finds_anyone_by_latin_or_own_script(organiser_client, running, search, found):
    page = organiser_client.get(_sheet(running), query_string={"q": search}).get_data(as_text=True)
    assert _rows(page) == [str(running["registrations"][n].id) for n in found]
    assert 'role="search"' in page and "3 participants" in page
    assert f"{len(found)} participant" in page.split('role="search"')[1].split("</form>")[0]


def test_a_search_that_finds_nobody_says_so_and_keeps_the_days_counts(organiser_client, running):
    page = organiser_client.get(_sheet(running), query_string={"q": "Vientiane%_"}).get_data(as_text=True)
    assert _rows(page) == []
    assert "Aucun participant de cette session ne correspond à cette recherche." in page
    assert "3 participants" in page and "mark-all" in page


def test_the_search_is_kept_by_marks_and_pages(organiser_client, running, small_pages):
    nguyen = running["registrations"][0]
    page = organiser_client.get(_sheet(running), query_string={"q": "i"}).get_data(as_text=True)
    assert f'action="{_sheet(running)}/mark?q=i"' in page and 'aria-label="Pages"' not in page
    response = organiser_client.post(f"{_sheet(running)}/mark?q=i", data={"registration_id": nguyen.id,
                                                                           "status": "present"})
    assert response.headers["Location"].endswith(f"?q=i&saved={nguyen.id}#r-{nguyen.id}")
    page = organiser_client.get(_sheet(running), query_string={"q": "h"}).get_data(as_text=True)
    assert f'href="{_sheet(running)}?q=h&amp;page=2"' in page and "Page 1 sur 2" in page


def test_a_short_sheet_has_no_pages_and_no_search(organiser_client, running):
    page = organiser_client.get(_sheet(running)).get_data(as_text=True)
    assert len(_rows(page)) == 3
    assert 'role="search"' not in page and 'aria-label="Pages"' not in page


def test_json_answers_carry_the_days_counts(organiser_client, running, small_pages):
    nguyen, srey, _ = running["registrations"]
    body = _json_post(organiser_client, _sheet(running) + "/mark", {"registration_id": srey.id,
                                                                    "status": "excused"}).get_json()
    assert body["counts"] == {"present": 0, "late": 0, "excused": 1, "absent": 0, "none": 2, "total": 3}
    body = _json_post(organiser_client, _sheet(running) + "/mark-all", {"scope": "unmarked"}).get_json()
    assert body["counts"] == {"present": 2, "late": 0, "excused": 1, "absent": 0, "none": 0, "total": 3}
    assert body["marks"][str(nguyen.id)] == "present"


def test_a_kept_sheet_takes_marks_with_its_readers_token_and_opens_with_the_day(app, organiser_client, running):
    """The sheet is kept whole per organiser (registrations/kept_pages.py) until the next write or
    the next office day: a mark posted from a kept page works and shows at once, and tomorrow's
    sheet opens for marks when tomorrow comes, with nothing written."""
    import re
    from datetime import timedelta

    import time_machine
    from flask import template_rendered

    from registrations.clock import local_now
    from registrations.sessions import fragments

    srey = running["registrations"][1]
    organiser_client.get(_sheet(running, 1))
    rendered = []
    with template_rendered.connected_to(lambda *a, template, **k: rendered.append(template.name), app):
        page = organiser_client.get(_sheet(running, 1)).get_data(as_text=True)
    assert rendered == [] and fragments.TOKEN_MARK not in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = organiser_client.post(f"{_sheet(running, 1)}/mark", csrf=False,
                                   data={"csrf_token": token, "registration_id": srey.id, "status": "late"})
    assert answer.status_code == 302
    late = re.compile(r'data-count="late">[^<]*<strong>(\d+)</strong>')
    assert late.search(page).group(1) == "0"
    assert late.search(organiser_client.get(_sheet(running, 1)).get_data(as_text=True)).group(1) == "1"
    tomorrow = _sheet(running, 2)
    assert "mark-all" not in organiser_client.get(tomorrow).get_data(as_text=True)
    assert "mark-all" not in organiser_client.get(tomorrow).get_data(as_text=True)  # kept
    with time_machine.travel(local_now() + timedelta(days=1), tick=False):
        assert "mark-all" in organiser_client.get(tomorrow).get_data(as_text=True)
