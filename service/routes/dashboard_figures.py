"""The figures on the dashboard: the page with its charts and tables, and the same figures to
take away as CSV or a one-page PDF report for a month."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from service import audit, charts, figures, report, stats
from service.dashboard import PREFIX, SignedInVisit, Visit

router = APIRouter(prefix=PREFIX, include_in_schema=False)

FigureWeeks = Annotated[int, Query(ge=1, le=104)]
FigureRows = Annotated[figures.RowsBy, Query()]
ReportMonth = Annotated[str, Query(max_length=20)]
MONTH = re.compile(r"(20[0-9]{2})-(0[1-9]|1[0-2])")


def recent_in_words(visit: Visit, weeks: int, by: figures.RowsBy) -> figures.Figures:
    """The last weeks' figures, each kind of place called by its name, as the queue calls it."""
    return figures.recent(
        session=visit.session,
        settings=visit.runtime.settings,
        weeks=weeks,
        rows_by=by,
        place_names=visit.runtime.library.kind_names,
    )


def looked(visit: Visit, action: audit.Action, detail: str) -> None:
    audit.viewed(session=visit.session, advocate=visit.advocate, action=action, detail=detail)


@router.get("/stats")
def stats_page(visit: SignedInVisit, weeks: FigureWeeks = 12, by: FigureRows = "week") -> Response:
    counts = stats.compute(session=visit.session, weeks=weeks)
    pathway = recent_in_words(visit, weeks, by)
    context = {
        "stats": counts,
        "figures": pathway,
        "charts": {t.key: charts.bar_chart(t, chart_id=f"chart-{t.key}") for t in pathway.tables},
        "weeks": weeks,
        "by": by,
        "this_month": f"{figures.now():%Y-%m}",
    }
    looked(visit, "view_figures", f"dashboard: {weeks} weeks by {by}")
    return visit.render("stats.html", context)


@router.get("/stats.csv")
def stats_csv(visit: SignedInVisit, weeks: FigureWeeks = 12, by: FigureRows = "week") -> Response:
    pathway = recent_in_words(visit, weeks, by)
    looked(visit, "export_figures", f"csv: {weeks} weeks by {by}")
    disposition = f'attachment; filename="rightsline-figures-{weeks}-weeks-by-{by}.csv"'
    return Response(
        report.to_csv(pathway),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


@router.get("/stats/report.pdf")
def stats_pdf(visit: SignedInVisit, month: ReportMonth) -> Response:
    found = MONTH.fullmatch(month.strip())
    this_month = f"{figures.now():%Y-%m}"
    if found is None:
        return visit.error(f"Choose a month, written like {this_month}.", 422)
    if found.group(0) > this_month:
        return visit.error(
            f"There are no figures yet for {found.group(0)}. Choose an earlier month.", 422
        )
    month = found.group(0)
    since, until = figures.month_bounds(int(found.group(1)), int(found.group(2)))
    pathway = figures.compute(
        session=visit.session,
        settings=visit.runtime.settings,
        since=since,
        until=until,
        rows_by="place",
        place_names=visit.runtime.library.kind_names,
    )
    heading = f"Rightsline figures for {since:%B %Y}"
    looked(visit, "export_figures", f"pdf: {month}")
    return Response(
        report.to_pdf(pathway, heading=heading),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="rightsline-figures-{month}.pdf"',
            "Cache-Control": "no-store",
        },
    )
