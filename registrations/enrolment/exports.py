"""The participant list of a session as CSV (UTF-8 with BOM, for Excel) and XLSX."""

import csv
import io
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _

from registrations.enrolment.answers import shown_value
from registrations.models import Registration
from registrations.spreadsheets import neutralise


def _when(value: datetime | None) -> str:
    return format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""


def headers(questions=()) -> list[str]:
    """The columns: the person, the registration, then one per question of the session."""
    return [_("No."), _("Name in Latin script"), _("Name in own script"), _("Rank"), _("Unit"), _("Agency"),
            _("Country"), _("Email"), _("Phone"), _("Languages spoken"), _("State"), _("Nominated"),
            _("Registered on"), _("Decided on"), _("Personal code"), _("Dietary needs"),
            _("Interpretation needs"), _("Accessibility needs"), _("Motivation")] + [q.label for q in questions]


def rows(registrations: list[Registration], questions=(), given=None) -> list[list[str]]:
    """One row per registration (participant and agency loaded), every cell a neutralised text;
    `given` holds the answers ({registration id: {question id: answer}})."""
    table = []
    given = given or {}
    for number, r in enumerate(registrations, start=1):
        p, a = r.participant, r.agency
        cells = [str(number), p.name_latin, p.name_native, p.rank, p.unit, a.name_local or a.name, r.country,
                 p.email or "", p.phone, p.languages, r.state.label, _("yes") if r.nominated else "",
                 _when(r.created_at), _when(r.decided_at), r.personal_code or "", r.needs_diet,
                 r.needs_interpretation, r.needs_accessibility, r.motivation]
        own = given.get(r.id, {})
        cells += [shown_value(q, own.get(q.id)) for q in questions]
        table.append([neutralise(c or "") for c in cells])
    return table


def to_csv(registrations: list[Registration], questions=(), given=None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in headers(questions)])
    writer.writerows(rows(registrations, questions, given))
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(registrations: list[Registration], title: str, questions=(), given=None) -> bytes:
    from openpyxl import Workbook  # loaded for a file, not for a page
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Participants")[:31]
    sheet.append([neutralise(h) for h in headers(questions)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows(registrations, questions, given):
        sheet.append(row)
    # Text stays text: no cell is ever stored as a formula.
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.data_type = "s"
    widths = [5, 28, 28, 16, 24, 30, 8, 28, 16, 20, 14, 10, 17, 17, 10, 20, 20, 20, 40] + [24] * len(questions)
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "B2"
    workbook.properties.title = title
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
