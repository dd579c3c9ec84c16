"""The activity dashboard and spreadsheet, checked against data the test creates."""

import io

import pytest
from openpyxl import load_workbook

from registrations.attendance.rates import attendance_summaries
from registrations.evaluations.questions import ensure_questions
from registrations.models import CertificateStatus, RegistrationState, SessionStatus, Theme
from registrations.reports.figures import ReportFilters, compute
from registrations.transaction import run
from tests.admin.helpers import answer, certify, ended_session, mark


@pytest.fixture
def activity(db, make_session, make_registration, make_participant, make_agency):
    """Two held sessions (different years, hosts and themes), a cancelled one and a future one."""
    vn = make_agency("VN", code="VN-A", name="Bộ Công an")
    kh = make_agency("KH", code="KH-A", name="=cmd|' /C calc'!A0")
    la = make_agency("LA", code="LA-A")
    p1, p3 = make_participant(vn), make_participant(vn)
    p2, p4 = make_participant(kh), make_participant(kh)
    p5 = make_participant(la)
    a = ended_session(make_session, days=3, ago=400, theme=Theme.DRUGS, country="VN")
    b = ended_session(make_session, days=2, ago=10, theme=Theme.TRAFFICKING, country="KH",
                      excused_counts_as_attended=True)
    cancelled = ended_session(make_session, days=2, ago=20, status=SessionStatus.CANCELLED)
    make_session(status=SessionStatus.PUBLISHED)
    a1, a2, a3 = make_registration(a, p1), make_registration(a, p2), make_registration(a, p3)
    b1, b4 = make_registration(b, p1), make_registration(b, p4)
    make_registration(b, p5, state=RegistrationState.REJECTED)
    make_registration(cancelled, p5)
    certify(db, a1)
    certify(db, a2, status=CertificateStatus.REVOKED)
    certify(db, b1)
    certify(db, b4)
    mark(db, a1, ["present", "present", "absent"])
    mark(db, a2, ["present", "late", "excused"])
    mark(db, b1, ["present", "excused"])
    mark(db, b4, ["absent", "absent"])
    questions = run(ensure_questions, b)
    answer(db, b1, {questions[0]: 5, questions[1]: 4})
    answer(db, b4, {questions[0]: 3})
    return {"a": a, "b": b, "a_regs": [a1, a2, a3], "b_regs": [b1, b4]}


def test_figures_without_filters(db, activity):
    figures = compute(ReportFilters())
    a, b = activity["a"], activity["b"]
    assert figures.certificates == 3 and figures.officers == 2
    assert figures.by_country == [("VN", 2), ("KH", 1)]
    assert figures.by_theme == [(Theme.TRAFFICKING, 2), (Theme.DRUGS, 1)]
    assert figures.by_year == [(a.start_date.year, 1), (b.start_date.year, 2)]
    assert [row[3] for row in figures.by_agency] == [2, 1]
    assert figures.sessions_held == 2
    rates = {row["session"].id: row for row in figures.attendance}
    assert rates[a.id]["attended"] == 4 and rates[a.id]["participants"] == 3 and rates[a.id]["days"] == 3
    assert rates[b.id]["attended"] == 2 and rates[b.id]["rate"] == 0.5
    assert figures.attendance_rate == 6 / 13
    assert figures.evaluation[0] == ("overall", 4.0, 2) and figures.evaluation[1] == ("relevance", 4.0, 1)
    assert figures.responses == 2


def test_attendance_follows_the_rule_of_the_rates_module(db, activity):
    figures = compute(ReportFilters())
    for key, regs in (("a", activity["a_regs"]), ("b", activity["b_regs"])):
        session = activity[key]
        summaries = attendance_summaries(session, [r.id for r in regs])
        row = next(r for r in figures.attendance if r["session"].id == session.id)
        assert row["attended"] == sum(s.days_attended for s in summaries.values())
        assert row["days"] == next(iter(summaries.values())).days_held


def test_figures_filtered_by_country_and_year(db, activity):
    cambodia = compute(ReportFilters(country="KH"))
    assert cambodia.certificates == 1 and cambodia.by_country == [("KH", 1)]
    assert cambodia.sessions_held == 1  # hosted in Cambodia
    assert [(r["participants"], r["attended"]) for r in cambodia.attendance] == [(1, 2), (1, 0)]
    assert cambodia.evaluation[0] == ("overall", 3.0, 1) and cambodia.responses == 1
    year = compute(ReportFilters(year=activity["a"].start_date.year))
    assert year.certificates == 1 and year.sessions_held == 1 and year.responses == 0
    assert [r["session"].id for r in year.attendance] == [activity["a"].id]


def test_dashboard_page(db, organiser_client, activity):
    response = organiser_client.get("/reports")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'data-testid="certificates">3<' in page and 'data-testid="officers">2<' in page
    assert 'data-testid="sessions">2<' in page and 'data-testid="attendance">46 %<' in page
    assert page.count('role="img"') == 6
    assert "<title id=\"chart-country-title\">" in page and "Viêt Nam" in page
    assert 'style="' not in page
    filtered = organiser_client.get("/reports?country=KH").get_data(as_text=True)
    assert 'data-testid="certificates">1<' in filtered


def test_dashboard_bad_filters_and_access(admin_client, partner_client, activity):
    assert admin_client.get("/reports?year=1850").status_code == 400
    assert admin_client.get("/reports?year=abc").status_code == 400
    assert admin_client.get("/reports?country=ZZ").status_code == 400
    assert partner_client.get("/reports").status_code == 403
    assert partner_client.get("/reports/activity.xlsx").status_code == 403


def test_dashboard_runs_a_fixed_number_of_queries(db, organiser_client, activity, make_session, make_registration,
                                                  count_queries):
    with count_queries() as small:
        assert organiser_client.get("/reports").status_code == 200
    for n in range(15):
        session = ended_session(make_session, days=2, ago=30 + n, theme=list(Theme)[n % 6])
        for _ in range(3):
            registration = make_registration(session)
            mark(db, registration, ["present", "late"])
            certify(db, registration)
    with count_queries() as large:
        assert organiser_client.get("/reports?").status_code == 200
    assert len(small) == len(large) <= 10
    assert compute(ReportFilters()).certificates == 3 + 45


def test_spreadsheet(db, admin_client, activity):
    response = admin_client.get("/reports/activity.xlsx?country=KH")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="activity-all-KH.xlsx"' in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    assert len(workbook.sheetnames) == 8
    summary = {row[0]: row[1] for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert 1 in summary.values()  # one valid certificate for Cambodia
    by_agency = list(workbook.worksheets[2].iter_rows(min_row=2, values_only=True))
    assert by_agency == [("KH-A", "'=cmd|' /C calc'!A0", "KH", 1)]
    cell = workbook.worksheets[2]["B2"]
    assert cell.data_type == "s"
    evaluations = list(workbook.worksheets[7].iter_rows(min_row=2, values_only=True))
    assert evaluations[0][1:] == (3, 1)


def test_empty_dashboard(organiser_client):
    response = organiser_client.get("/reports")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'data-testid="certificates">0<' in page and 'role="img"' not in page


def test_dashboard_means_use_the_readers_decimal_separator(app, db, organiser_user, activity):
    """A mean of 3.5 reads "3,5" in French and "3.5" in English (table and chart text)."""
    from registrations.models import User

    a_questions = ensure_questions(activity["a"])
    a1, _, a3 = activity["a_regs"]
    answer(db, a1, {a_questions[0]: 2})
    answer(db, a3, {a_questions[0]: 4})  # overall: 5, 3, 2, 4 → 3.5
    client = app.test_client().login_as(organiser_user)
    french = client.get("/reports").get_data(as_text=True)
    assert '<td class="text-end">3,5</td>' in french and "3,5 / 5" in french
    assert "3.5" not in french
    db.session.get(User, organiser_user.id).locale = "en"
    db.session.commit()
    english = app.test_client().login_as(organiser_user).get("/reports").get_data(as_text=True)
    assert '<td class="text-end">3.5</td>' in english and "3.5 / 5" in english
