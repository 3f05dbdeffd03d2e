"""Reach dashboards for managers and planners: county, district and area, their chart data,
and CSV and Excel exports. Thin: check access, call a selector, render."""

import csv
import io
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook

from familyreach.accounts.roles import Role
from familyreach.core.audit import BULK_EXPORT, record_action
from familyreach.core.db_routers import reads_from_replica
from familyreach.geo.selectors import under_fives_summary
from familyreach.insight import disclosure, service_measures, tables
from familyreach.insight import figures as reach_figures
from familyreach.insight.measures import TARGET_GROUPS
from familyreach.insight.selectors import (
    Dashboard,
    dashboard_report,
    insight_check_access,
    latest_snapshot,
    reach_refresh_latest,
)

if TYPE_CHECKING:
    from familyreach.insight.annual_report import AnnualReport

ESTIMATE_NOTE = (
    "Rates are built partly or wholly on ESTIMATED under-fives: where ONS single-year figures "
    "are not loaded, under-fives are estimated from the 0–15 population of each area."
)
SIMULATED_NOTE = "Families, children and contacts in these figures are SIMULATED (demo data)."


def _scope(request: HttpRequest) -> dict[str, str | None]:
    return {
        "district_code": request.GET.get("district") or None,
        "area_code": request.GET.get("area") or None,
    }


def _scope_query(dashboard: Dashboard) -> str:
    if dashboard.area is not None:
        return f"?area={dashboard.area.code}"
    if dashboard.district is not None:
        return f"?district={dashboard.district.code}"
    return ""


def _notes(dashboard: Dashboard) -> list[str]:
    notes = []
    if dashboard.report.suppression_threshold > 1:
        notes.append(disclosure.note(dashboard.report.suppression_threshold))
    if dashboard.report.any_estimate:
        notes.append(ESTIMATE_NOTE)
    if dashboard.snapshot.includes_simulated:
        notes.append(SIMULATED_NOTE)
    return notes


def _can_plan(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_superuser or user.has_role(Role.PLANNER, Role.MANAGER))  # type: ignore[union-attr]


def _render_dashboard(
    request: HttpRequest, *, district_code: str | None = None, area_code: str | None = None
) -> HttpResponse:
    insight_check_access(user=request.user)
    snapshot = latest_snapshot()
    latest_refresh = reach_refresh_latest()
    if snapshot is None:
        return render(request, "insight/no_figures.html", {"latest_refresh": latest_refresh})
    dashboard = dashboard_report(
        snapshot=snapshot, district_code=district_code, area_code=area_code
    )
    report = dashboard.report
    scope_query = _scope_query(dashboard)
    service = None
    if dashboard.area is None:
        start, end = service_measures.three_months_to(snapshot.as_of)
        service = service_measures.service_measures(
            start=start,
            end=end,
            district_id=dashboard.district.pk if dashboard.district else None,
        )
    return render(
        request,
        "insight/dashboard.html",
        {
            "dashboard": dashboard,
            "report": report,
            "seen_reach": reach_figures.seen_reach(report),
            "greatest_need_gap": reach_figures.greatest_need_gap(report),
            "service": service,
            "service_names": {
                "median": service_measures.FIRST_CONTACT_MEDIAN_NAME,
                "within": service_measures.FIRST_CONTACT_WITHIN_NAME,
                "peer_led": service_measures.PEER_LED_NAME,
            },
            "snapshot": snapshot,
            "notes": _notes(dashboard),
            "estimate_note": ESTIMATE_NOTE,
            "simulated_note": SIMULATED_NOTE,
            "columns": tables.COLUMNS,
            "group_columns": tables.GROUP_COLUMNS,
            "display": tables.display,
            "percent": tables.percent,
            "number": tables.number,
            "ranking": report.published_ranking[:20],
            "shown": tables.shown,
            "month_value": tables.month_value,
            "mark": disclosure.MARK,
            "target_groups": TARGET_GROUPS,
            "month_group_rows": tables.month_group_rows(report),
            "suppression_note": disclosure.note(report.suppression_threshold),
            "data_url": reverse("insight:data") + scope_query,
            "csv_url": reverse("insight:export-csv") + scope_query,
            "xlsx_url": reverse("insight:export-xlsx") + scope_query,
            "district_link": lambda item: reverse("insight:district", args=[item.key]),
            "area_link": lambda item: reverse("insight:area", args=[item.key]),
            "can_plan": _can_plan(request),
            "latest_refresh": latest_refresh,
        },
    )


@login_required
@require_GET
@reads_from_replica
def dashboard(request: HttpRequest) -> HttpResponse:
    return _render_dashboard(request)


@login_required
@require_GET
@reads_from_replica
def district(request: HttpRequest, code: str) -> HttpResponse:
    return _render_dashboard(request, district_code=code)


@login_required
@require_GET
@reads_from_replica
def area(request: HttpRequest, code: str) -> HttpResponse:
    return _render_dashboard(request, area_code=code)


def _dashboard_for_export(request: HttpRequest) -> Dashboard | None:
    insight_check_access(user=request.user)
    snapshot = latest_snapshot()
    if snapshot is None:
        return None
    return dashboard_report(snapshot=snapshot, **_scope(request))


@login_required
@require_GET
@reads_from_replica
def data(request: HttpRequest) -> HttpResponse:
    """The JSON behind the charts and the map (the page's tables hold the same figures)."""
    dashboard = _dashboard_for_export(request)
    if dashboard is None:
        return JsonResponse({"error": "No reach figures have been worked out yet."}, status=404)
    report = dashboard.report
    areas = []
    # Suppressed figures are null here (and "suppressed" lists them): the map greys them out.
    for figures in report.areas:
        assert figures.area is not None
        seen_hidden = "seen_families" in figures.hidden
        need_hidden = "seen_under_fives" in figures.hidden
        areas.append(
            {
                "code": figures.area.code,
                "name": figures.label,
                "latitude": figures.area.latitude,
                "longitude": figures.area.longitude,
                "seen_reach": None if seen_hidden else figures.seen_reach,
                "estimated_under_fives": figures.estimated_under_fives,
                "unreached_under_fives": None if need_hidden else figures.unreached_under_fives,
                "suppressed": sorted(figures.hidden),
                "greatest_need": figures.area.greatest_need,
                "url": reverse("insight:area", args=[figures.area.code]),
            }
        )
    return JsonResponse(
        {
            "scope": report.scope,
            "as_of": report.as_of.isoformat(),
            "notes": _notes(dashboard),
            "simulated": dashboard.snapshot.includes_simulated,
            "under_fives_are_estimated": report.any_estimate,
            "under_fives_source": report.under_fives_source,
            "months": tables.month_rows(report, mark=None),
            "deciles": tables.rows(report.deciles, mark=None),
            "districts": tables.rows(report.districts, mark=None),
            "suppression_threshold": report.suppression_threshold,
            "areas": areas,
        }
    )


def _record_export(request: HttpRequest, dashboard: Dashboard, what: str) -> None:
    # Figures are suppressed for small numbers, but who took the county's figures, and when,
    # is still asked by auditors: each export is its own audit entry.
    record_action(
        instance=dashboard.snapshot,
        user=request.user,
        action=BULK_EXPORT,
        detail={"what": what, "scope": dashboard.level},
    )


def _export_name(dashboard: Dashboard, extension: str, table: str = "") -> str:
    if dashboard.area is not None:
        scope = dashboard.area.code
    elif dashboard.district is not None:
        scope = dashboard.district.code
    else:
        scope = "county"
    suffix = f"-{table}" if table else ""
    return f"reach-{scope}-{dashboard.report.as_of.isoformat()}{suffix}.{extension}"


@login_required
@require_GET
@reads_from_replica
def export_csv(request: HttpRequest) -> HttpResponse:
    """One table as CSV (`?table=areas|districts|deciles|target_groups|months|summary`)."""
    dashboard = _dashboard_for_export(request)
    if dashboard is None:
        return HttpResponse("No reach figures have been worked out yet.", status=404)
    sets = tables.table_sets(dashboard.report)
    name = request.GET.get("table", "areas")
    if name not in sets:
        return HttpResponse(
            f"Unknown table {name!r}: choose one of {', '.join(sets)}.",
            status=400,
            content_type="text/plain",
        )
    columns, table_rows = sets[name]
    _record_export(request, dashboard, f"{name} table, CSV")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [column.heading for column in columns]
        + ["Under-fives are estimated", "Simulated data", "As of", "Notes"]
    )
    # The notes ("[c]", estimates, simulated) go once, in the first row's last column.
    notes = " ".join(_notes(dashboard))
    for position, row in enumerate(table_rows):
        writer.writerow(
            [row.get(column.key) for column in columns]
            + [
                dashboard.report.any_estimate,
                dashboard.snapshot.includes_simulated,
                dashboard.report.as_of.isoformat(),
                notes if position == 0 else "",
            ]
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{_export_name(dashboard, "csv", name)}"'
    )
    return response


@login_required
@require_GET
@reads_from_replica
def export_xlsx(request: HttpRequest) -> HttpResponse:
    """Every table of the report as an Excel workbook, with the notes on its first sheet."""
    dashboard = _dashboard_for_export(request)
    if dashboard is None:
        return HttpResponse("No reach figures have been worked out yet.", status=404)
    _record_export(request, dashboard, "every table, Excel")
    workbook = Workbook()
    notes = workbook.active
    assert notes is not None
    notes.title = "Notes"
    notes.append([f"Reach against need: {dashboard.report.scope}"])
    notes.append([f"As of {dashboard.report.as_of:%d %B %Y}"])
    for line in _notes(dashboard):
        notes.append([line])
    notes.append(["Definitions: docs/measures.md"])
    for name, (columns, table_rows) in tables.table_sets(dashboard.report).items():
        sheet = workbook.create_sheet(title=name.replace("_", " ").capitalize())
        sheet.append([column.heading for column in columns])
        for row in table_rows:
            sheet.append([row.get(column.key) for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name(dashboard, "xlsx")}"'
    return response


@login_required
@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    from familyreach.core.formats import localtime
    from familyreach.insight.services import reach_refresh_request

    insight_check_access(user=request.user)
    refresh, queued = reach_refresh_request(user=request.user)
    if queued:
        messages.success(
            request,
            "The reach figures are being worked out. This takes a few minutes for a large "
            "county; refresh this page to see them.",
        )
    else:
        messages.info(
            request,
            "The reach figures are already being worked out (asked for "
            f"{localtime(refresh.requested_at)}): no second refresh was queued.",
        )
    return redirect("insight:dashboard")


@login_required
@require_POST
def plan_outreach(request: HttpRequest) -> HttpResponse:
    """Plan outreach here: a planning scenario seeded with the unreached need in scope."""
    from familyreach.insight import loop

    insight_check_access(user=request.user)
    if not _can_plan(request):
        raise PermissionDenied("Only planners and managers can create planning scenarios.")
    snapshot = latest_snapshot()
    if snapshot is None:
        messages.error(request, "Work out the reach figures first.")
        return redirect("insight:dashboard")
    district_code = request.POST.get("district") or None
    dashboard = dashboard_report(snapshot=snapshot, district_code=district_code)
    try:
        scenario = loop.outreach_scenario_create(user=request.user, report=dashboard.report)
    except ValueError as problem:
        messages.error(request, str(problem))
        return redirect(
            reverse("insight:district", args=[district_code])
            if district_code
            else "insight:dashboard"
        )
    messages.success(request, f"Created the draft scenario “{scenario.name}”. Check it and run it.")
    return redirect("planning:detail", scenario_id=scenario.pk)


@login_required
@require_GET
def plan_effect(request: HttpRequest) -> HttpResponse:
    """The simulator's estimate of a planning scenario's effect on reach, with its assumptions."""
    from familyreach.insight import loop

    insight_check_access(user=request.user)
    scenarios = loop.finished_scenarios()
    chosen = None
    effect = None
    error = ""
    scenario_id = request.GET.get("scenario")
    if scenario_id:
        chosen = next((item for item in scenarios if str(item.pk) == scenario_id), None)
        if chosen is None:
            error = "Choose a scenario that has a finished run."
        else:
            try:
                effect = loop.scenario_reach_effect(scenario=chosen)
            except ValueError as problem:
                error = str(problem)
    return render(
        request,
        "insight/plan_effect.html",
        {
            "scenarios": scenarios,
            "scenario_items": [
                {"value": str(item.pk), "text": item.name, "selected": item == chosen}
                for item in scenarios
            ],
            "chosen": chosen,
            "effect": effect,
            "travel_names": loop.TRAVEL_NAMES,
            "under_fives_source": under_fives_summary().source,
            "error": error,
            "percent": tables.percent,
        },
        status=400 if error else 200,
    )


@login_required
@require_GET
@reads_from_replica
def money(request: HttpRequest) -> HttpResponse:
    """Spend on buildings against frontline, and cost per family seen, by district."""
    from familyreach.insight import loop
    from familyreach.insight.money import money_by_district

    insight_check_access(user=request.user)
    snapshot = latest_snapshot()
    spend = loop.spend_by_district()
    context: dict[str, object] = {"spend": spend, "snapshot": snapshot}
    if spend is None:
        # Nothing adopted yet: what each option would cost, so the page still answers "what
        # would we spend" while the decision is open.
        context["options"] = loop.option_costs()
    if snapshot is not None and spend is not None:
        dashboard = dashboard_report(snapshot=snapshot)
        districts, county = money_by_district(spend.districts, dashboard.report)
        context.update(
            {
                "districts": districts,
                "county": county,
                "notes": [*_notes(dashboard), *spend.notes],
            }
        )
    context.update(
        {
            "percent": tables.percent,
            "pounds": _pounds,
            "mark": disclosure.MARK,
            "buildings_name": loop.BUILDINGS_NAME,
            "frontline_names": loop.FRONTLINE_NAMES,
            "total_cost_names": loop.TOTAL_COST_NAMES,
        }
    )
    return render(request, "insight/money.html", context)


def _pounds(value: float | None) -> str:
    return "–" if value is None else f"£{value:,.0f}"


# --- The public annual report (no sign-in) -----------------------------------------------------

SPEND_NOTE = (
    "Spend is an ESTIMATE: the yearly cost of buildings and frontline staff of the network "
    "adopted in planning (“{name}”), the same figure for both years; building running costs are "
    "assumptions unless a venue records its own."
)
NO_SPEND_NOTE = (
    "No network has been adopted in planning yet, so spend and cost per family seen are not shown."
)


def _annual_notes(report: "AnnualReport") -> list[str]:
    notes = []
    if report.suppression_threshold > 1:
        notes.append(disclosure.note(report.suppression_threshold))
    if report.any_estimate:
        notes.append(ESTIMATE_NOTE)
    notes.append(
        SPEND_NOTE.format(name=report.spend_source) if report.spend_source else NO_SPEND_NOTE
    )
    if report.includes_simulated:
        notes.append(
            "Families, children, contacts, plans and spend in these figures are SIMULATED "
            "(demo data)."
        )
    return notes


@require_GET
def annual_report(request: HttpRequest) -> HttpResponse:
    """The headline measures for the last two complete financial years, by district: public,
    counts only, suppressed as on the staff pages."""
    from familyreach.insight import annual_report as annual
    from familyreach.insight.selectors import today_in_london

    report = annual.annual_report(today=today_in_london())
    return render(
        request,
        "insight/annual_report.html",
        {
            "report": report,
            "measures": annual.MEASURES,
            "notes": _annual_notes(report),
            "licence": annual.OPEN_GOVERNMENT_LICENCE,
            "licence_url": annual.OPEN_GOVERNMENT_LICENCE_URL,
        },
    )


@require_GET
def annual_report_csv(request: HttpRequest) -> HttpResponse:
    """The annual report's table as open data (CSV), under the Open Government Licence."""
    from familyreach.insight import annual_report as annual
    from familyreach.insight.selectors import today_in_london

    report = annual.annual_report(today=today_in_london())
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*annual.CSV_HEADINGS, "Simulated data", "Notes"])
    # The licence and the notes go once, in the first row's last column (as insight's other
    # exports carry their notes), so every row keeps the same columns for a spreadsheet.
    licence = (
        f"Licence: {annual.OPEN_GOVERNMENT_LICENCE} ({annual.OPEN_GOVERNMENT_LICENCE_URL}). "
        f"Source: {settings.COUNCIL_NAME}."
    )
    notes = " ".join([licence, *_annual_notes(report)])
    for position, row in enumerate(annual.csv_rows(report)):
        writer.writerow([*row, report.includes_simulated, notes if position == 0 else ""])
    if not report.any_available:
        writer.writerow(["" for _ in annual.CSV_HEADINGS] + ["", notes])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="annual-report.csv"'
    return response
