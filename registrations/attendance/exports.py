"""Attendance exports: one row per participant, one column per day, the rate (CSV and XLSX)."""

import csv
import io

from flask_babel import gettext as _

from registrations.attendance.queries import Grid
from registrations.models import DayPart
from registrations.spreadsheets import neutralise


def day_heading(day) -> str:
    """A day's column heading: its ISO date, and the half-day when it is one."""
    heading = day.date.isoformat()
    return heading if day.part == DayPart.FULL else f"{heading} {day.part.label}"


def table(grid: Grid) -> tuple[list[str], list[list]]:
    """Headings and rows of the export; the rate is a fraction (0 to 1), None before any day."""
    headings = [_("Name"), _("Name in own script"), _("Rank"), _("Agency"), _("Country"), _("Registration")]
    headings += [day_heading(day) for day in grid.days]
    headings += [_("Attendance rate"), _("Reaches the threshold (%(percent)d %%)",
                                            percent=grid.session.attendance_threshold)]
    held = bool(grid.held)
    rows = []
    for row in grid.rows:
        cells = [row.name_latin, row.name_native, row.rank, row.agency, row.country, row.state.label]
        cells += [row.marks[day.id].label if day.id in row.marks else "" for day in grid.days]
        if held:
            reaches = row.summary.reaches(grid.session.attendance_threshold)
            cells += [round(row.summary.rate, 4), _("yes") if reaches else _("no")]
        else:
            cells += [None, ""]
        rows.append(cells)
    return headings, rows


def to_csv(grid: Grid) -> bytes:
    """UTF-8 with a byte order mark (so that spreadsheets read the scripts right), formulas neutralised."""
    headings, rows = table(grid)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headings])
    rate_column = len(headings) - 2
    for cells in rows:
        if cells[rate_column] is not None:
            cells[rate_column] = f"{round(cells[rate_column] * 100)} %"
        writer.writerow([neutralise("" if cell is None else cell) for cell in cells])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(grid: Grid) -> bytes:
    """A workbook with one sheet; every text cell is stored as text, the rate as a percentage."""
    from openpyxl import Workbook  # loaded for a file, not for a page
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    headings, rows = table(grid)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Attendance")[:31]
    sheet.append(headings)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.data_type = "s"
    rate_column = len(headings) - 1  # 1-based index of the rate
    for cells in rows:
        sheet.append(cells)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                # openpyxl would store "=…" as a formula: keep it text.
                cell.data_type = "s"
        sheet.cell(row=sheet.max_row, column=rate_column).number_format = "0%"
    sheet.freeze_panes = "B2"
    for index, heading in enumerate(headings, start=1):
        width = 28 if index in (1, 2, 4) else max(10, min(len(str(heading)) + 2, 24))
        sheet.column_dimensions[get_column_letter(index)].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
