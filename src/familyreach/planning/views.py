"""Planning pages under /staff/planning/: planners and managers only (403 for anyone else)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods, require_POST

from familyreach.geo.models import Venue, VenueKind
from familyreach.planning import engine, inputs, outputs, selectors, services
from familyreach.planning.forms import CompareForm, ScenarioForm, WhatIfForm
from familyreach.planning.models import Scenario, ScenarioStatus


def _planner(request: HttpRequest) -> None:
    if not selectors.user_can_plan(request.user):
        raise PermissionDenied("Planning is for planners and service managers")


@login_required
def scenario_list(request: HttpRequest) -> HttpResponse:
    scenarios = list(selectors.scenario_list_for_user(user=request.user))
    runs = selectors.latest_finished_runs(scenarios)
    rows = []
    for scenario in scenarios:
        run = runs.get(scenario.pk)
        rows.append({"scenario": scenario, "run": run})
    return render(
        request,
        "planning/list.html",
        {
            "rows": rows,
            "compare_form": CompareForm(),
            "can_compare": len(runs) >= 2,
            "under_fives_sources": list(
                dict.fromkeys(outputs.under_fives_source(run.measures) for run in runs.values())
            ),
        },
    )


def _save_form(
    request: HttpRequest, form: ScenarioForm, scenario: Scenario | None
) -> Scenario | None:
    data = form.cleaned_data
    relations = {
        "candidate_venues": data["candidate_venues"],
        "forced_open": data["forced_open"],
        "excluded": data["excluded"],
        "outreach_venues": data["outreach_venues"],
    }
    try:
        if scenario is None:
            return services.scenario_create(
                user=request.user,  # type: ignore[arg-type]
                fields=form.scenario_fields(),
                **relations,
            )
        return services.scenario_update(
            scenario=scenario,
            user=request.user,  # type: ignore[arg-type]
            fields=form.scenario_fields(),
            **relations,
        )
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            for problem in problems:
                form.add_error(field if field in form.fields else None, problem)
    except ValueError as error:
        form.add_error(None, str(error))
    return None


@login_required
@require_http_methods(["GET", "POST"])
def scenario_create(request: HttpRequest) -> HttpResponse:
    _planner(request)
    form = ScenarioForm(
        request.POST or None,
        initial={
            "candidate_kinds": ["childrens_centre", "library"],
            "outreach_kinds": ["village_hall", "library", "community_centre"],
            "thresholds": "15, 30",
            # Like the council's other options, so the new one can be compared with them.
            "travel_mode": selectors.scenario_usual_travel_mode(),
        },
    )
    if request.method == "POST" and form.is_valid():
        scenario = _save_form(request, form, None)
        if scenario is not None:
            messages.success(
                request, f"Scenario “{scenario.name}” saved. Run it to see the measures."
            )
            return redirect("planning:detail", scenario_id=scenario.pk)
    return render(request, "planning/form.html", {"form": form, "scenario": None})


@login_required
@require_http_methods(["GET", "POST"])
def scenario_edit(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = selectors.scenario_get_for_user(user=request.user, scenario_id=scenario_id)
    form = ScenarioForm(
        request.POST or None, scenario=scenario, initial=ScenarioForm.initial_for(scenario)
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_form(request, form, scenario)
        if saved is not None:
            messages.success(
                request, f"Scenario “{saved.name}” saved. Run it again to update the measures."
            )
            return redirect("planning:detail", scenario_id=saved.pk)
    return render(request, "planning/form.html", {"form": form, "scenario": scenario})


def kinds_words(kinds: list[str]) -> str:
    """Kinds of venue by their labels ("Children's centre, Library"), never their codes."""
    labels = dict(VenueKind.choices)
    return ", ".join(str(labels.get(kind, kind.replace("_", " "))) for kind in kinds)


def _detail_context(scenario: Scenario) -> dict[str, Any]:
    latest = scenario.latest_run
    finished = scenario.latest_finished_run
    context: dict[str, Any] = {
        "scenario": scenario,
        "latest": latest,
        "run": finished,
        "refresh": latest is not None and latest.is_active,
        "problems": engine.scenario_problems(scenario)
        if scenario.status == ScenarioStatus.DRAFT
        else [],
        "kinds_words": kinds_words,
    }
    if finished is not None:
        context.update(outputs.report_context(scenario, finished))
        context["what_if"] = None
    return context


@login_required
def scenario_detail(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = selectors.scenario_get_for_user(user=request.user, scenario_id=scenario_id)
    if scenario.status in services.ACTIVE and services.scenario_runs_recover():
        # Its worker died: the page shows it queued again (or failed) instead of waiting for
        # ever, even before the scheduler next looks.
        scenario.refresh_from_db()
    context = _detail_context(scenario)
    response = render(request, "planning/detail.html", context)
    if context["refresh"]:
        # Works without JavaScript: the browser reloads the page while the run is working.
        response["Refresh"] = "3"
    return response


@login_required
@require_POST
def scenario_run(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = selectors.scenario_get_for_user(user=request.user, scenario_id=scenario_id)
    try:
        services.scenario_run_enqueue(scenario=scenario, user=request.user)  # type: ignore[arg-type]
    except engine.ScenarioCannotBeMet as error:
        context = _detail_context(scenario)
        context["refused"] = error.reasons
        return render(request, "planning/detail.html", context, status=400)
    # The planner lands on the results (shown once the run finishes), not the top of the page.
    return redirect(reverse("planning:detail", args=[scenario.pk]) + "#results")


@login_required
@require_POST
def scenario_adopt(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = selectors.scenario_get_for_user(user=request.user, scenario_id=scenario_id)
    try:
        adopted = services.scenario_adopt(scenario=scenario, user=request.user)  # type: ignore[arg-type]
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"“{adopted.name}” adopted. {adopted.publishing_note}")
    return redirect("planning:detail", scenario_id=scenario.pk)


@login_required
@require_POST
def scenario_what_if(request: HttpRequest, scenario_id: int) -> HttpResponse:
    """Score the scenario's sites with one change (move, add, remove): evaluate, not re-optimise."""
    scenario = selectors.scenario_get_for_user(user=request.user, scenario_id=scenario_id)
    if scenario.status in services.ACTIVE and services.scenario_runs_recover():
        # Its worker died: the page shows it queued again (or failed) instead of waiting for
        # ever, even before the scheduler next looks.
        scenario.refresh_from_db()
    context = _detail_context(scenario)
    if context["run"] is None:
        return redirect("planning:detail", scenario_id=scenario.pk)
    form = WhatIfForm(request.POST)
    if not form.is_valid():
        context["what_if_form"] = form
        return render(request, "planning/detail.html", context, status=400)
    plan, bases, outreach_venues = _what_if_plan(scenario, context["run"], form)
    summary = plan.summary(scenario)
    sites, removed = _what_if_sites(
        as_run=context["sites"],
        bases=bases,
        outreach=plan.outreach,
        moved=(form.cleaned_data.get("move_from"), form.cleaned_data.get("move_to")),
    )
    context["what_if"] = {
        "rows": outputs.measure_rows_from(summary["measures"]),
        "bases": bases,
        "outreach": outreach_venues,
        "sites": sites,
        "removed": removed,
        "districts": summary["districts"],
        "worst_served": summary["worst_served"],
        "geojson_url": reverse("planning:what-if-geojson", args=[scenario.pk])
        + "?"
        + urlencode(
            [("base", venue.pk) for venue in bases]
            + [("outreach", venue.pk) for venue in outreach_venues]
        ),
    }
    context["what_if_form"] = form
    return render(request, "planning/detail.html", context)


def _what_if_plan(
    scenario: Scenario, run: Any, form: WhatIfForm
) -> tuple[engine.PlanResult, list[Venue], list[Venue]]:
    """The form's sites scored (not re-optimised); outreach venues keep the run's sessions."""
    bases, outreach_venues = form.sites()
    sessions = {row["venue"]: row["sessions_per_week"] for row in run.outreach}
    outreach = [
        engine.OutreachPoint(
            venue=venue,
            sessions_per_week=sessions.get(venue.pk, scenario.outreach_sessions_per_week),
            chosen_by="planner",
        )
        for venue in outreach_venues
    ]
    plan = engine.evaluate_sites(
        scenario=scenario, area_data=inputs.load_areas(), bases=bases, outreach=outreach
    )
    return plan, bases, outreach_venues


def _what_if_sites(
    *,
    as_run: list[dict[str, Any]],
    bases: list[Venue],
    outreach: list[engine.OutreachPoint],
    moved: tuple[Venue | None, Venue | None],
) -> tuple[list[dict[str, Any]], list[Venue]]:
    """The sites a what-if scored, in the shape of `selectors.run_sites`, each saying what the
    planner changed; and the run's sites it no longer has. The page shows these, not the run's
    own sites, so its tables describe the figures above them."""
    before = {site["venue"].pk: site for site in as_run}
    moved_from, moved_to = moved

    def change(venue: Venue, role: str) -> str:
        site = before.get(venue.pk)
        if site is not None and site["role"] == role:
            return ""
        if moved_to is not None and moved_from is not None and venue == moved_to:
            return f"Moved here from {moved_from.name}"
        if site is not None:
            return "Now a base" if role == "base" else "Now an outreach venue"
        return "Added"

    def chosen_by(venue: Venue, role: str) -> str:
        site = before.get(venue.pk)
        return str(site["chosen_by"]) if site is not None and site["role"] == role else "you"

    sites: list[dict[str, Any]] = [
        {
            "venue": venue,
            "role": "base",
            "sessions_per_week": None,
            "chosen_by": chosen_by(venue, "base"),
            "change": change(venue, "base"),
        }
        for venue in bases
    ]
    sites += [
        {
            "venue": point.venue,
            "role": "outreach",
            "sessions_per_week": point.sessions_per_week,
            "chosen_by": chosen_by(point.venue, "outreach"),
            "change": change(point.venue, "outreach"),
        }
        for point in outreach
    ]
    kept = {site["venue"].pk for site in sites}
    removed = [site["venue"] for site in as_run if site["venue"].pk not in kept]
    return sites, removed


@login_required
def scenario_what_if_geojson(request: HttpRequest, scenario_id: int) -> HttpResponse:
    """The map of a what-if: the sites in the query string scored as `scenario_what_if` does,
    so the map beside the what-if tables shows the same sites and travel times."""
    scenario = selectors.scenario_get_for_user(user=request.user, scenario_id=scenario_id)
    run = _finished_run(scenario)
    form = WhatIfForm(request.GET)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    plan, _, _ = _what_if_plan(scenario, run, form)
    response = JsonResponse(outputs.plan_geojson(plan))
    response["Content-Type"] = "application/geo+json"
    return response


def _finished_run(scenario: Scenario) -> Any:
    run = scenario.latest_finished_run
    if run is None:
        from django.http import Http404

        raise Http404("This scenario has no finished run")
    return run


@login_required
def scenario_geojson(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = selectors.scenario_get_for_user(user=request.user, scenario_id=scenario_id)
    run = _finished_run(scenario)
    response = JsonResponse(outputs.run_geojson(run))
    response["Content-Type"] = "application/geo+json"
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{slugify(scenario.name)}.geojson"'
    return response


@login_required
def scenario_csv(request: HttpRequest, scenario_id: int, what: str) -> HttpResponse:
    scenario = selectors.scenario_get_for_user(user=request.user, scenario_id=scenario_id)
    run = _finished_run(scenario)
    content = outputs.areas_csv(run) if what == "areas" else outputs.sites_csv(run)
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(scenario.name)}-{what}.csv"'
    return response


@login_required
def scenario_report(request: HttpRequest, scenario_id: int) -> HttpResponse:
    scenario = selectors.scenario_get_for_user(user=request.user, scenario_id=scenario_id)
    run = _finished_run(scenario)
    return render(request, "planning/report.html", outputs.report_context(scenario, run))


def _compare_pairs(request: HttpRequest) -> tuple[CompareForm, list[tuple[Scenario, Any]]]:
    form = CompareForm(request.GET)
    pairs: list[tuple[Scenario, Any]] = []
    if form.is_valid():
        chosen = form.cleaned_data["scenario"]
        runs = selectors.latest_finished_runs(chosen)
        missing = [s.name for s in chosen if s.pk not in runs]
        if missing:
            form.add_error(
                "scenario", "Run these scenarios before comparing them: " + ", ".join(missing)
            )
        else:
            pairs = [(s, runs[s.pk]) for s in chosen]
    return form, pairs


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    _planner(request)
    form, pairs = _compare_pairs(request)
    scenarios = list(selectors.scenario_list_for_user(user=request.user))
    runs = selectors.latest_finished_runs(scenarios)
    context: dict[str, Any] = {
        "form": form if request.GET else None,
        "choices": [s for s in scenarios if s.pk in runs],
        "chosen": {s.pk for s, _ in pairs},
        "pairs": pairs,
    }
    if pairs:
        context["table"] = outputs.comparison_table(pairs)
        context["differences"] = outputs.differences(pairs)
        context["data_url"] = reverse("planning:compare-data") + "?" + request.GET.urlencode()
        context["maps"] = [
            {"scenario": s, "url": reverse("planning:geojson", args=[s.pk])} for s, _ in pairs
        ]
        context["chart_rows"] = _chart_rows(pairs)
        # Options compared on different area data say so: one "Source:" line per distinct source.
        context["under_fives_sources"] = list(
            dict.fromkeys(outputs.under_fives_source(run.measures) for _, run in pairs)
        )
    status = 400 if request.GET and not pairs else 200
    return render(request, "planning/compare.html", context, status=status)


def _chart_rows(pairs: list[tuple[Scenario, Any]]) -> list[dict[str, Any]]:
    """Charted measures (shares within thresholds), one row per measure, a value per scenario."""
    first = outputs.measure_rows(pairs[0][1])
    charted = [row for row in first if row.get("chart")]
    by_run = [{row["key"]: row for row in outputs.measure_rows(run)} for _, run in pairs]
    return [
        {
            "key": row["key"],
            "label": row["label"],
            "values": [
                cells[row["key"]]["value"] if row["key"] in cells else None for cells in by_run
            ],
            "texts": [
                cells[row["key"]]["text"] if row["key"] in cells else "–" for cells in by_run
            ],
        }
        for row in charted
    ]


@login_required
def compare_data(request: HttpRequest) -> HttpResponse:
    """The comparison's chart data (Chart.js reads it from here: no inline script)."""
    _planner(request)
    form, pairs = _compare_pairs(request)
    if not pairs:
        return JsonResponse(
            {"errors": [str(e) for e in form.errors.get("scenario", [])]}, status=400
        )
    return JsonResponse(
        {
            "scenarios": [s.name for s, _ in pairs],
            "charts": [
                {"key": row["key"], "label": row["label"], "unit": "%", "values": row["values"]}
                for row in _chart_rows(pairs)
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )
