"""The figures as files to take away: CSV for a spreadsheet, a one-page PDF for trustees.

Both are written from service.figures.Figures, after suppression, so they hold exactly what
the page shows: counts, never a referral's words, an id or a time of day.
"""

from __future__ import annotations

import csv
import io

from fpdf import FPDF

from service.figures import Figures, Table, shown_text

CSV_HEADER = ["section", "rows by", "row", "column", "figure", "unit"]


def _lines(table: Table) -> list[list[str]]:
    lines = []
    for row in [*table.rows, *([table.totals] if table.totals else [])]:
        for cell in [*row.cells, *([row.total] if row.total else [])]:
            lines.append(
                [table.title, table.rows_by, row.label, cell.label, shown_text(cell), table.unit]
            )
    return lines


def to_csv(figures: Figures) -> str:
    """One line per figure; a hidden one reads "not shown"."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for table in figures.tables:
        writer.writerows(_lines(table))
    return buffer.getvalue()


def to_pdf(figures: Figures, *, heading: str) -> bytes:
    """One A4 page: each section's figures in a line or two, and what was hidden and why."""
    pdf = FPDF(format="A4")
    pdf.set_title(heading)
    pdf.set_creator("Rightsline")
    pdf.set_auto_page_break(False)
    pdf.set_margins(15, 15, 15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    period = f"{figures.since:%d %B %Y} to {figures.until:%d %B %Y} (not included)"
    pdf.multi_cell(
        0, 5, f"Requests and messages made from {period}.", new_x="LMARGIN", new_y="NEXT"
    )
    for table in figures.tables:
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 11)
        pdf.multi_cell(0, 6, table.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(0, 4.5, table.summary, new_x="LMARGIN", new_y="NEXT")
        by_rows_already = [cell.label for cell in table.chart] == [row.label for row in table.rows]
        if table.totals and not by_rows_already:
            by_row = "; ".join(
                f"{row.label}: {shown_text(row.total)}" for row in table.rows if row.total
            )
            pdf.multi_cell(0, 4.5, f"By {table.rows_by}: {by_row}.", new_x="LMARGIN", new_y="NEXT")
        if table.note:
            pdf.set_font("Helvetica", "I", 8)
            pdf.multi_cell(0, 4, table.note, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", "I", 8)
    pdf.multi_cell(
        0,
        4,
        "Numbers fewer than 5 are not shown, and nor is any other number that would let one of "
        "them be worked out, so that no child can be picked out. These "
        "figures hold no child's words and nothing that names anyone.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
