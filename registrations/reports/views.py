"""The activity dashboard and its spreadsheet (organisers and admins)."""


from flask import Response, render_template, request
from flask_babel import gettext as _

from registrations.access import STAFF, allow
from registrations.errors import abort_with
from registrations.reports import bp
from registrations.reports.figures import ReportFilters, compute, country_name, filter_options
from registrations.reports.labels import question_label
from registrations.reports.spreadsheet import workbook_bytes


def _filters(years: list[int], countries: list[str]) -> ReportFilters:
    """The year and country asked for in the query string; 400 for values that do not exist."""
    year, country = request.args.get("year", ""), request.args.get("country", "")
    if year and (not (year.isascii() and year.isdigit()) or int(year) not in years):
        abort_with(400, _("There is no session in this year."))
    if country and country not in countries:
        abort_with(400, _("No agency is in this country."))
    return ReportFilters(year=int(year) if year else None, country=country or None)


@bp.get("/reports")
@allow(STAFF)
def dashboard():
    """Officers trained, sessions held, attendance and evaluations, as charts and tables."""
    years, countries = filter_options()
    filters = _filters(years, countries)
    figures = compute(filters)
    return render_template("reports/dashboard.html", figures=figures, years=years, countries=countries,
                           country_name=country_name, question_label=question_label, filters=filters)


@bp.get("/reports/activity.xlsx")
@allow(STAFF)
def xlsx():
    """The dashboard's figures as a spreadsheet, one sheet per table."""
    years, countries = filter_options()
    filters = _filters(years, countries)
    body = workbook_bytes(compute(filters))
    name = "-".join(["activity", str(filters.year or "all"), filters.country or "all"]) + ".xlsx"
    return Response(body, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
