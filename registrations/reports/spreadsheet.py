"""The activity figures as an XLSX workbook, one sheet per table (for the annual report)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from flask_babel import gettext as _

from registrations.reports.figures import Figures, country_name
from registrations.reports.labels import question_label
from registrations.spreadsheets import neutralise

if TYPE_CHECKING:
    from openpyxl import Workbook


def _cell(value):
    """Numbers stay numbers; text can never be read as a formula."""
    if value is None or isinstance(value, (int, float)):
        return value
    return neutralise(value)


def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[list]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([_cell(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_cell(v) for v in row])
    for index, heading in enumerate(header, start=1):
        longest = max([len(str(heading))] + [len(str(row[index - 1])) for row in rows if row[index - 1] is not None])
        sheet.column_dimensions[get_column_letter(index)].width = min(max(longest + 2, 8), 60)
    sheet.freeze_panes = "A2"


def workbook_bytes(figures: Figures) -> bytes:
    """The workbook of these figures."""
    from openpyxl import Workbook  # loaded for a file, not for a page

    workbook = Workbook()
    workbook.remove(workbook.active)
    filters = figures.filters
    _sheet(workbook, _("Summary"), [_("Figure"), _("Value")], [
        [_("Year"), filters.year or _("All years")],
        [_("Country"), country_name(filters.country) if filters.country else _("All countries")],
        [_("Certificates issued (valid)"), figures.certificates],
        [_("Officers trained"), figures.officers],
        [_("Sessions held"), figures.sessions_held],
        [_("Attendance rate (%)"), round(figures.attendance_rate * 100, 1) if figures.attendance_rate is not None
         else None],
        [_("Evaluations received"), figures.responses],
    ])
    _sheet(workbook, _("By country"), [_("Country code"), _("Country"), _("Certificates")],
           [[code, country_name(code), number] for code, number in figures.by_country])
    _sheet(workbook, _("By agency"), [_("Agency code"), _("Agency"), _("Country"), _("Certificates")],
           [[code, name, country, number] for code, name, country, number in figures.by_agency])
    _sheet(workbook, _("By theme"), [_("Theme"), _("Certificates")],
           [[theme.label, number] for theme, number in figures.by_theme])
    _sheet(workbook, _("By year"), [_("Year"), _("Certificates")], [[year, n] for year, n in figures.by_year])
    _sheet(workbook, _("Sessions held"), [_("Host country"), _("Theme"), _("Kind"), _("Sessions")],
           [[country_name(country), theme.label, kind.label, number]
            for country, theme, kind, number in figures.sessions])
    _sheet(workbook, _("Attendance"),
           [_("Session"), _("Start"), _("Participants"), _("Days held"), _("Attendance rate (%)")],
           [[row["session"].title, row["session"].start_date.isoformat(), row["participants"], row["days"],
             round(row["rate"] * 100, 1)] for row in figures.attendance])
    _sheet(workbook, _("Evaluations"), [_("Question"), _("Mean score (out of 5)"), _("Answers")],
           [[question_label(code), round(mean, 2), number] for code, mean, number in figures.evaluation])
    workbook.properties.title = _("Activity report")
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
