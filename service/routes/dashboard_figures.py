"""The figures on the dashboard: the page with its charts and tables, and the same figures to
take away as CSV or a one-page PDF report for a month."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from service import audit, charts, figures, report, stats
from service.dashboard import PREFIX, DashboardAdvocate, render
from service.deps import RuntimeDep, SessionDep

router = APIRouter(prefix=PREFIX, include_in_schema=False)

FigureWeeks = Annotated[int, Query(ge=1, le=104)]
FigureRows = Annotated[figures.RowsBy, Query()]


def recent_in_words(
    runtime: RuntimeDep, session: SessionDep, weeks: int, by: figures.RowsBy
) -> figures.Figures:
    """The last weeks' figures, each kind of place called by its name, as the queue calls it."""
    return figures.recent(
        session=session,
        settings=runtime.settings,
        weeks=weeks,
        rows_by=by,
        place_names=runtime.library.kind_names,
    )


@router.get("/stats")
def stats_page(
    request: Request,
    advocate: DashboardAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
    weeks: FigureWeeks = 12,
    by: FigureRows = "week",
) -> Response:
    counts = stats.compute(session=session, weeks=weeks)
    pathway = recent_in_words(runtime, session, weeks, by)
    context = {
        "stats": counts,
        "figures": pathway,
        "charts": {t.key: charts.bar_chart(t, chart_id=f"chart-{t.key}") for t in pathway.tables},
        "weeks": weeks,
        "by": by,
        "this_month": f"{figures.now():%Y-%m}",
    }
    detail = f"dashboard: {weeks} weeks by {by}"
    audit.viewed(session=session, advocate=advocate, action="view_figures", detail=detail)
    return render(request, runtime, "stats.html", context, advocate=advocate)


@router.get("/stats.csv")
def stats_csv(
    advocate: DashboardAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
    weeks: FigureWeeks = 12,
    by: FigureRows = "week",
) -> Response:
    pathway = recent_in_words(runtime, session, weeks, by)
    detail = f"csv: {weeks} weeks by {by}"
    audit.viewed(session=session, advocate=advocate, action="export_figures", detail=detail)
    disposition = f'attachment; filename="rightsline-figures-{weeks}-weeks-by-{by}.csv"'
    return Response(
        report.to_csv(pathway),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


@router.get("/stats/report.pdf")
def stats_pdf(
    advocate: DashboardAdvocate,
    runtime: RuntimeDep,
    session: SessionDep,
    month: Annotated[str, Query(pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$")],
) -> Response:
    year, number = (int(part) for part in month.split("-"))
    since, until = figures.month_bounds(year, number)
    pathway = figures.compute(
        session=session,
        settings=runtime.settings,
        since=since,
        until=until,
        rows_by="place",
        place_names=runtime.library.kind_names,
    )
    heading = f"Rightsline figures for {since:%B %Y}"
    detail = f"pdf: {month}"
    audit.viewed(session=session, advocate=advocate, action="export_figures", detail=detail)
    return Response(
        report.to_pdf(pathway, heading=heading),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="rightsline-figures-{month}.pdf"',
            "Cache-Control": "no-store",
        },
    )
