"""Results in the forms people take away: the headline measures, CSV, GeoJSON, plain-English
differences between options, and a side-by-side table for the terminal."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

from familyreach.planning import figures
from familyreach.planning.figures import MODE_WORDS, network_cost, travel_figures
from familyreach.planning.models import Scenario, ScenarioRun
from familyreach.planning.selectors import run_area_rows, run_sites

if TYPE_CHECKING:
    from familyreach.planning.engine import PlanResult


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


_minutes = figures.minutes_text
_money = figures.pounds_text


def _count(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


# Runs finished before the source was recorded with each run were all on the estimate.
OLD_RUN_SOURCE = "estimate: children aged 0–15 (mid-2015) × the stated ratio (run before the source was recorded)."


def under_fives_source(measures: dict[str, Any]) -> str:
    """Where a run's under-fives came from, as one sentence for a "Source:" line."""
    if not measures:
        return ""
    return str(measures.get("under_fives_source") or OLD_RUN_SOURCE)


def measure_rows(run: ScenarioRun) -> list[dict[str, Any]]:
    return measure_rows_from(run.measures)


def measure_rows_from(m: dict[str, Any]) -> list[dict[str, Any]]:
    """The headline measures as rows: key, label, shown text and the raw number (for charts).

    Under-fives counts are estimates where the area data say so; labels say "estimated".
    """
    if not m:
        return []
    estimated = " (estimated)" if m.get("under_fives_is_estimate", True) else ""
    mode = MODE_WORDS.get(m.get("travel_mode", ""), "")
    rows: list[dict[str, Any]] = [
        {"key": "bases", "label": "Bases", "text": _count(m["bases"]), "value": m["bases"]},
        {
            "key": "outreach_venues",
            "label": "Outreach venues",
            "text": _count(m["outreach_venues"]),
            "value": m["outreach_venues"],
        },
    ]
    for threshold in m["thresholds"]:
        key = f"{threshold:g}"
        base = m["base"][key]
        service = m["service"][key]
        rows += [
            {
                "key": f"base_{key}",
                "label": f"Under-fives{estimated} within {key} minutes of a base {mode}",
                "text": f"{_percent(base['share'])} ({_count(base['under_fives'])})",
                "value": base["share"] * 100,
                "chart": True,
            },
            {
                "key": f"service_{key}",
                "label": f"Under-fives{estimated} within {key} minutes of any service point {mode}",
                "text": f"{_percent(service['share'])} ({_count(service['under_fives'])})",
                "value": service["share"] * 100,
                "chart": True,
            },
            {
                "key": f"need_base_{key}",
                "label": f"Greatest-need under-fives{estimated} within {key} minutes of a base",
                "text": f"{_percent(base['greatest_need_share'])} ({_count(base['greatest_need_under_fives'])})",
                "value": base["greatest_need_share"] * 100,
                "chart": True,
            },
            {
                "key": f"need_service_{key}",
                "label": f"Greatest-need under-fives{estimated} within {key} minutes of any service point",
                "text": f"{_percent(service['greatest_need_share'])} ({_count(service['greatest_need_under_fives'])})",
                "value": service["greatest_need_share"] * 100,
                "chart": True,
            },
        ]
    # Travel and cost through planning.figures, as every other page reads them, so the figures agree.
    travel = travel_figures(m)
    cost = network_cost(m["costs"])
    rows += [
        {
            "key": "service_mean",
            "label": f"{figures.MEAN_TRAVEL_NAME} {mode}",
            "text": travel.mean_text,
            "value": travel.mean_minutes,
        },
        {
            "key": "service_p90",
            "label": "90% of under-fives are within (nearest service point)",
            "text": _minutes(travel.p90_minutes),
            "value": travel.p90_minutes,
        },
        {
            "key": "base_mean",
            "label": f"Mean travel to the nearest base {mode}",
            "text": _minutes(m["base_mean_minutes"]),
            "value": m["base_mean_minutes"],
        },
        {
            "key": "base_p90",
            "label": "90% of under-fives are within (nearest base)",
            "text": _minutes(m["base_p90_minutes"]),
            "value": m["base_p90_minutes"],
        },
        {
            "key": "buildings",
            "label": f"{figures.BUILDINGS_NAME}, £ a year",
            "text": _money(cost.buildings),
            "value": cost.buildings,
        },
        {
            "key": "frontline",
            "label": f"{figures.FRONTLINE_NAME}, £ a year",
            "text": _money(cost.frontline),
            "value": cost.frontline,
        },
        {
            "key": "total_cost",
            "label": f"{figures.TOTAL_COST_NAME}, £ a year",
            "text": _money(cost.total),
            "value": cost.total,
        },
        {
            "key": "frontline_hours",
            "label": "Frontline hours a year those staff work",
            "text": _count(cost.frontline_hours),
            "value": cost.frontline_hours,
        },
        {
            "key": "outreach_sessions",
            "label": "Outreach sessions a week",
            "text": _count(cost.outreach_sessions_per_week),
            "value": cost.outreach_sessions_per_week,
        },
    ]
    if cost.budget is not None and cost.budget_left is not None:
        rows += [
            {
                "key": "budget",
                "label": "Budget, £ a year (buildings and frontline staff together)",
                "text": _money(cost.budget),
                "value": cost.budget,
            },
            {
                "key": "budget_left",
                "label": f"{figures.BUDGET_LEFT_NAME}, £ a year",
                "text": _money(cost.budget_left),
                "value": cost.budget_left,
            },
            {
                "key": "budget_left_hours",
                "label": "More frontline hours a year the budget left could buy",
                "text": _count(cost.budget_left_hours),
                "value": cost.budget_left_hours,
            },
        ]
    return rows


def optimiser_text(run: ScenarioRun) -> str:
    """What the optimiser proved, in words. Never calls an unproven answer optimal."""
    text = "Bases: " + _proof_text(
        proven=run.proven_optimal,
        status=run.optimiser_status,
        gap=run.gap,
        time_limit_hit=run.time_limit_hit,
    )
    second = (run.measures or {}).get("outreach_optimiser")
    if second:
        text += " Outreach venues (with the bases held open): " + _proof_text(
            proven=second["proven_optimal"],
            status=second["status"],
            gap=second["gap"],
            time_limit_hit=second["time_limit_hit"],
        )
    return text


def _proof_text(*, proven: bool, status: str, gap: float | None, time_limit_hit: bool) -> str:
    if proven:
        return "proven optimal for the chosen objective (the bound meets the answer)."
    parts = [f"not proven optimal (status: {status or 'unknown'})."]
    if gap is not None:
        parts.append(f"The answer is within {gap * 100:.2f}% of the best possible.")
    else:
        parts.append("No bound was proven, so how far it is from the best is unknown.")
    if time_limit_hit:
        parts.append("The time limit stopped the search.")
    return " ".join(parts)


AREA_COLUMNS = [
    "area_code",
    "area_name",
    "district",
    "under_fives",
    "under_fives_is_estimate",
    "under_fives_source",
    "greatest_need",
    "nearest_base",
    "base_minutes",
    "nearest_service_point",
    "service_minutes",
]


def areas_csv(run: ScenarioRun) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(AREA_COLUMNS)
    for row in run_area_rows(run):
        writer.writerow(
            [
                row.area.code,
                row.area.name,
                row.area.district.name,
                f"{row.under_fives:.1f}",
                row.area.under_fives_is_estimate,
                row.area.under_fives_label,
                row.greatest_need,
                row.nearest_base.name if row.nearest_base else "",
                "" if row.base_minutes is None else f"{row.base_minutes:.1f}",
                row.nearest_service_point.name if row.nearest_service_point else "",
                "" if row.service_minutes is None else f"{row.service_minutes:.1f}",
            ]
        )
    return buffer.getvalue()


def sites_csv(run: ScenarioRun) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "venue_id",
            "name",
            "kind",
            "role",
            "sessions_per_week",
            "chosen_by",
            "district",
            "latitude",
            "longitude",
            "position_is_exact",
            "position_source",
        ]
    )
    for site in run_sites(run):
        venue = site["venue"]
        writer.writerow(
            [
                venue.pk,
                venue.name,
                venue.kind,
                site["role"],
                site["sessions_per_week"] or "",
                site["chosen_by"],
                venue.district.name if venue.district else "",
                venue.latitude,
                venue.longitude,
                venue.position_is_exact,
                venue.position_source,
            ]
        )
    return buffer.getvalue()


def run_geojson(run: ScenarioRun) -> dict[str, Any]:
    """Areas (population-weighted centroids) and sites as GeoJSON points, WGS84."""
    features: list[dict[str, Any]] = []
    for row in run_area_rows(run):
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [row.area.longitude, row.area.latitude],
                },
                "properties": {
                    "layer": "area",
                    "code": row.area.code,
                    "name": row.area.name,
                    "district": row.area.district.name,
                    "under_fives": round(row.under_fives, 1),
                    "under_fives_is_estimate": row.area.under_fives_is_estimate,
                    "greatest_need": row.greatest_need,
                    "service_minutes": None
                    if row.service_minutes is None
                    else round(row.service_minutes, 1),
                    "base_minutes": None
                    if row.base_minutes is None
                    else round(row.base_minutes, 1),
                    "nearest_service_point": row.nearest_service_point.name
                    if row.nearest_service_point
                    else "",
                },
            }
        )
    for site in run_sites(run):
        venue = site["venue"]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [venue.longitude, venue.latitude]},
                "properties": {
                    "layer": site["role"],
                    "id": venue.pk,
                    "name": venue.name,
                    "kind": venue.kind,
                    "sessions_per_week": site["sessions_per_week"],
                    "position_is_exact": venue.position_is_exact,
                    "position_source": venue.position_source,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def plan_geojson(plan: PlanResult) -> dict[str, Any]:
    """A scored plan that was not saved (a what-if) as GeoJSON, in `run_geojson`'s shape, so
    the same map script draws it."""
    features: list[dict[str, Any]] = []
    for index, area in enumerate(plan.area_data.areas):
        service_index = int(plan.service_index[index])
        service_minutes = float(plan.service_minutes[index]) if service_index >= 0 else None
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [area.longitude, area.latitude]},
                "properties": {
                    "layer": "area",
                    "code": area.code,
                    "name": area.name,
                    "district": area.district.name,
                    "greatest_need": bool(plan.area_data.greatest_need[index]),
                    "service_minutes": None
                    if service_minutes is None
                    else round(service_minutes, 1),
                    "nearest_service_point": plan.service_venues[service_index].name
                    if service_index >= 0
                    else "",
                },
            }
        )
    sites = [("base", venue, None) for venue in plan.bases] + [
        ("outreach", point.venue, point.sessions_per_week) for point in plan.outreach
    ]
    for layer, venue, sessions in sites:
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [venue.longitude, venue.latitude]},
                "properties": {
                    "layer": layer,
                    "id": venue.pk,
                    "name": venue.name,
                    "kind": venue.get_kind_display(),
                    "sessions_per_week": sessions,
                    "position_is_exact": venue.position_is_exact,
                    "position_source": venue.position_source,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def run_geojson_text(run: ScenarioRun) -> str:
    return json.dumps(run_geojson(run), indent=1)


def differences(pairs: list[tuple[Scenario, ScenarioRun]]) -> list[str]:
    """Plain-English differences of each option against the first one picked."""
    if len(pairs) < 2:
        return []
    first_scenario, first = pairs[0]
    sentences: list[str] = []
    for scenario, run in pairs:
        m = run.measures
        threshold = f"{max(m['thresholds']):g}"
        service = m["service"][threshold]
        mode = MODE_WORDS.get(m.get("travel_mode", ""), "")
        estimated = "estimated " if m.get("under_fives_is_estimate", True) else ""
        sentences.append(
            f"“{scenario.name}” leaves {service['greatest_need_areas_beyond']:,} greatest-need "
            f"areas, {service['greatest_need_beyond_under_fives']:,.0f} {estimated}under-fives, "
            f"beyond {threshold} minutes {mode} of any service point "
            f"({service['areas_beyond']:,} areas and {service['beyond_under_fives']:,.0f} "
            f"under-fives in all)."
        )
    base_cost = network_cost(first.measures["costs"])
    base_travel = travel_figures(first.measures)
    for scenario, run in pairs[1:]:
        cost = network_cost(run.measures["costs"])
        building_change = cost.buildings - base_cost.buildings
        hours_change = cost.frontline_hours - base_cost.frontline_hours
        mean_change = (travel_figures(run.measures).mean_minutes or 0) - (
            base_travel.mean_minutes or 0
        )
        sentence = (
            f"Against “{first_scenario.name}”, “{scenario.name}” has "
            f"{run.measures['bases'] - first.measures['bases']:+,} bases, spends "
            f"£{abs(building_change):,.0f} a year {'more' if building_change >= 0 else 'less'} on "
            f"buildings, has {abs(hours_change):,.0f} {'more' if hours_change >= 0 else 'fewer'} "
            f"frontline hours a year for outreach, and changes mean travel to the nearest service "
            f"point by {mean_change:+.1f} minutes."
        )
        if cost.budget_left is not None and base_cost.budget_left is not None:
            left_change = cost.budget_left - base_cost.budget_left
            sentence += (
                f" Its budget leaves £{abs(left_change):,.0f} a year "
                f"{'more' if left_change >= 0 else 'less'} for more frontline staff."
            )
        sentences.append(sentence)
    return sentences


def comparison_table(pairs: list[tuple[Scenario, ScenarioRun]]) -> list[list[str]]:
    """Rows: a header of scenario names, then one row per measure."""
    header = ["Measure", *(scenario.name for scenario, _ in pairs)]
    by_run = [{row["key"]: row for row in measure_rows(run)} for _, run in pairs]
    keys = [row["key"] for row in measure_rows(pairs[0][1])] if pairs else []
    rows = [header]
    for key in keys:
        label = by_run[0][key]["label"]
        rows.append([label, *(cells[key]["text"] if key in cells else "–" for cells in by_run)])
    rows.append(["Optimiser", *(optimiser_text(run) for _, run in pairs)])
    return rows


def text_table(rows: list[list[str]], width: int = 34) -> str:
    """A plain side-by-side table for the terminal (long cells are wrapped)."""
    import textwrap

    widths = [max(len(r[0]) for r in rows[:-1] or rows)] + [width] * (len(rows[0]) - 1)
    widths[0] = min(widths[0], 90)
    lines = []
    for index, row in enumerate(rows):
        wrapped = [textwrap.wrap(cell, widths[k]) or [""] for k, cell in enumerate(row)]
        for line_number in range(max(len(cell) for cell in wrapped)):
            lines.append(
                "  ".join(
                    (cell[line_number] if line_number < len(cell) else "").ljust(widths[k])
                    for k, cell in enumerate(wrapped)
                ).rstrip()
            )
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def report_context(scenario: Scenario, run: ScenarioRun) -> dict[str, Any]:
    return {
        "scenario": scenario,
        "run": run,
        "rows": measure_rows(run),
        "optimiser": optimiser_text(run),
        "sites": run_sites(run),
        "districts": run.districts,
        "worst_served": run.worst_served,
        "thresholds": [f"{t:g}" for t in run.measures.get("thresholds", [])],
        "mode_words": MODE_WORDS.get(run.measures.get("travel_mode", ""), ""),
        "estimated": run.measures.get("under_fives_is_estimate", True),
        "under_fives_source": under_fives_source(run.measures),
    }


def write_outputs(scenario: Scenario, run: ScenarioRun, folder: Any) -> list[Any]:
    """Write report.html, areas.csv, sites.csv and scenario.geojson into `folder`."""
    from pathlib import Path

    from django.template.loader import render_to_string

    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    files = {
        "report.html": render_to_string(
            "planning/report_standalone.html", report_context(scenario, run)
        ),
        "areas.csv": areas_csv(run),
        "sites.csv": sites_csv(run),
        "scenario.geojson": run_geojson_text(run),
    }
    written = []
    for name, content in files.items():
        path = target / name
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written
