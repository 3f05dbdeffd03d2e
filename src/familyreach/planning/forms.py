"""Forms for scenarios and "what if" edits. Venues are named one per line (name or id), so the
form works without JavaScript on a county with thousands of venues."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from familyreach.core.input import whole_number
from familyreach.geo.models import Venue, VenueKind
from familyreach.planning.models import DemandMeasure, Objective, Scenario, TravelMode
from familyreach.planning.services import SCALAR_FIELDS

VENUE_LIST_HELP = "One venue a line: its exact name, or its id number"


def parse_venue_lines(text: str) -> list[Venue]:
    venues: list[Venue] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        venue, problem = _venue(line)
        if problem:
            problems.append(f"Line {number}: {problem}")
        elif venue is not None and venue not in venues:
            venues.append(venue)
    if problems:
        raise ValidationError(problems)
    return venues


def _venue(reference: str) -> tuple[Venue | None, str | None]:
    if (venue_id := whole_number(reference)) is not None:
        venue = Venue.objects.filter(pk=venue_id).first()
        return (venue, None) if venue else (None, f"no venue has id {reference}")
    matches = list(Venue.objects.filter(name__iexact=reference)[:3])
    if not matches:
        return None, f"no venue is called “{reference}”"
    if len(matches) > 1:
        return None, f"more than one venue is called “{reference}”: use its id number"
    return matches[0], None


class ScenarioForm(forms.Form):
    name = forms.CharField(max_length=200, error_messages={"required": "Enter a name"})
    description = forms.CharField(required=False, widget=forms.Textarea)
    objective = forms.ChoiceField(choices=Objective.choices, initial=Objective.MIN_TRAVEL)
    candidate_kinds = forms.MultipleChoiceField(choices=VenueKind.choices, required=False)
    candidate_venues = forms.CharField(required=False, widget=forms.Textarea)
    forced_open = forms.CharField(required=False, widget=forms.Textarea)
    excluded = forms.CharField(required=False, widget=forms.Textarea)
    number_of_bases = forms.IntegerField(
        required=False,
        min_value=1,
        error_messages={"invalid": "Enter the number of bases as a whole number"},
    )
    budget = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        error_messages={"invalid": "Enter the budget in pounds, like 5000000"},
    )
    district_minimum = forms.IntegerField(required=False, min_value=0, max_value=50)
    district_maximum = forms.IntegerField(required=False, min_value=1, max_value=50)
    outreach_kinds = forms.MultipleChoiceField(choices=VenueKind.choices, required=False)
    outreach_count = forms.IntegerField(required=False, min_value=0, max_value=2000)
    outreach_sessions_per_week = forms.IntegerField(required=False, min_value=1, max_value=50)
    outreach_venues = forms.CharField(required=False, widget=forms.Textarea)
    # No initial here: a new scenario starts with the council's usual mode (views.scenario_create).
    travel_mode = forms.ChoiceField(choices=TravelMode.choices)
    thresholds = forms.CharField(
        initial="15, 30", error_messages={"required": "Enter at least one travel time in minutes"}
    )
    demand_measure = forms.ChoiceField(
        choices=DemandMeasure.choices, initial=DemandMeasure.UNDER_FIVES
    )
    building_cost_default = forms.DecimalField(
        required=False, min_value=0, max_digits=12, decimal_places=2
    )
    staff_cost_per_fte = forms.DecimalField(
        required=False, min_value=1, max_digits=10, decimal_places=2
    )
    sessions_per_fte = forms.DecimalField(
        required=False, min_value=Decimal("0.1"), max_digits=6, decimal_places=2
    )
    hours_per_fte = forms.IntegerField(required=False, min_value=1, max_value=3000)
    time_limit_seconds = forms.IntegerField(required=False, min_value=1, max_value=3600)

    def __init__(self, *args: Any, scenario: Scenario | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scenario = scenario

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        clash = Scenario.objects.filter(name=name)
        if self.scenario is not None:
            clash = clash.exclude(pk=self.scenario.pk)
        if clash.exists():
            raise ValidationError("A scenario with this name already exists: choose another name")
        return name

    def clean_thresholds(self) -> list[float]:
        text = self.cleaned_data["thresholds"]
        values: list[float] = []
        for part in text.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            try:
                value = float(part)
            except ValueError as error:
                raise ValidationError(
                    "Enter travel times as minutes separated by commas, like 15, 30"
                ) from error
            if not 0 < value <= 240:
                raise ValidationError("Travel times must be between 1 and 240 minutes")
            values.append(int(value) if value.is_integer() else value)
        if not values:
            raise ValidationError("Enter at least one travel time in minutes")
        return sorted(set(values))

    def clean_candidate_venues(self) -> list[Venue]:
        return parse_venue_lines(self.cleaned_data["candidate_venues"])

    def clean_forced_open(self) -> list[Venue]:
        return parse_venue_lines(self.cleaned_data["forced_open"])

    def clean_excluded(self) -> list[Venue]:
        return parse_venue_lines(self.cleaned_data["excluded"])

    def clean_outreach_venues(self) -> list[tuple[Venue, int]]:
        rows: list[tuple[Venue, int]] = []
        problems: list[str] = []
        for number, raw in enumerate(self.cleaned_data["outreach_venues"].splitlines(), start=1):
            line = raw.strip()
            if not line:
                continue
            reference, sessions = line, 1
            if "," in line:
                reference, _, count = line.rpartition(",")
                reference = reference.strip()
                if not 1 <= (whole_number(count) or 0) <= 50:
                    problems.append(
                        f"Line {number}: sessions a week must be a whole number from 1 to 50"
                    )
                    continue
                sessions = int(count)
            venue, problem = _venue(reference)
            if problem:
                problems.append(f"Line {number}: {problem}")
            elif venue is not None:
                rows.append((venue, sessions))
        if problems:
            raise ValidationError(problems)
        return rows

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            "number_of_bases" in data
            and "budget" in data
            and data.get("number_of_bases") is None
            and data.get("budget") is None
        ):
            self.add_error("number_of_bases", "Enter a number of bases, a budget, or both")
        minimum, maximum = data.get("district_minimum"), data.get("district_maximum")
        if minimum is not None and maximum is not None and minimum > maximum:
            self.add_error(
                "district_maximum",
                "The most bases in a district must be at least the fewest bases in a district",
            )
        if (
            not data.get("candidate_kinds")
            and not data.get("candidate_venues")
            and not data.get("forced_open")
        ):
            self.add_error(
                "candidate_kinds", "Choose the kinds of venue that may be bases, or list venues"
            )
        forced = {v.pk for v in data.get("forced_open") or []}
        both = [v.name for v in data.get("excluded") or [] if v.pk in forced]
        if both:
            self.add_error("excluded", f"These venues are also forced open: {', '.join(both)}")
        return data

    def scenario_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        # The scenario's own settings the form asks for; the rest keep their defaults.
        fields = {name: data[name] for name in SCALAR_FIELDS if name in self.fields}
        fields["candidate_kinds"] = list(fields["candidate_kinds"])
        fields["outreach_kinds"] = list(fields["outreach_kinds"])
        fields["outreach_count"] = data.get("outreach_count") or 0
        fields["outreach_sessions_per_week"] = data.get("outreach_sessions_per_week") or 1
        fields["time_limit_seconds"] = data.get("time_limit_seconds") or 20
        return fields

    @classmethod
    def initial_for(cls, scenario: Scenario) -> dict[str, Any]:
        def lines(queryset: Any) -> str:
            return "\n".join(venue.name for venue in queryset.order_by("name"))

        return {
            "name": scenario.name,
            "description": scenario.description,
            "objective": scenario.objective,
            "candidate_kinds": scenario.candidate_kinds,
            "candidate_venues": lines(scenario.candidate_venues),
            "forced_open": lines(scenario.forced_open),
            "excluded": lines(scenario.excluded),
            "number_of_bases": scenario.number_of_bases,
            "budget": scenario.budget,
            "district_minimum": scenario.district_minimum,
            "district_maximum": scenario.district_maximum,
            "outreach_kinds": scenario.outreach_kinds,
            "outreach_count": scenario.outreach_count,
            "outreach_sessions_per_week": scenario.outreach_sessions_per_week,
            "outreach_venues": "\n".join(
                f"{row.venue.name}, {row.sessions_per_week}"
                for row in scenario.outreach_venues.select_related("venue").order_by("venue__name")
            ),
            "travel_mode": scenario.travel_mode,
            "thresholds": ", ".join(f"{t:g}" for t in scenario.sorted_thresholds),
            "demand_measure": scenario.demand_measure,
            "building_cost_default": scenario.building_cost_default,
            "staff_cost_per_fte": scenario.staff_cost_per_fte,
            "sessions_per_fte": scenario.sessions_per_fte,
            "hours_per_fte": scenario.hours_per_fte,
            "time_limit_seconds": scenario.time_limit_seconds,
        }


class CompareForm(forms.Form):
    scenario = forms.ModelMultipleChoiceField(
        queryset=Scenario.objects.all(),
        error_messages={
            "required": "Choose between 2 and 5 scenarios to compare",
            "invalid_choice": "Choose scenarios from the list",
            "invalid_pk_value": "Choose scenarios from the list",
        },
    )

    error_anchor = "scenario"

    def clean_scenario(self) -> list[Scenario]:
        # In the order the planner picked them (the first is the one others are set against).
        picked = self.data.getlist("scenario") if hasattr(self.data, "getlist") else []
        order = [str(value) for value in picked]
        chosen = sorted(
            self.cleaned_data["scenario"],
            key=lambda s: order.index(str(s.pk)) if str(s.pk) in order else len(order),
        )
        if not 2 <= len(chosen) <= 5:
            raise ValidationError("Choose between 2 and 5 scenarios to compare")
        return chosen


class WhatIfForm(forms.Form):
    """The sites to score: current bases and outreach venues (ids), with one change applied."""

    base = forms.ModelMultipleChoiceField(queryset=Venue.objects.all(), required=False)
    outreach = forms.ModelMultipleChoiceField(queryset=Venue.objects.all(), required=False)
    remove = forms.ModelChoiceField(queryset=Venue.objects.all(), required=False)
    add_base = forms.CharField(required=False)
    add_outreach = forms.CharField(required=False)
    move_from = forms.ModelChoiceField(queryset=Venue.objects.all(), required=False)
    move_to = forms.CharField(required=False)

    def _one_venue(self, field: str) -> Venue | None:
        text = (self.cleaned_data.get(field) or "").strip()
        if not text:
            return None
        venue, problem = _venue(text)
        if problem:
            raise ValidationError(problem[0].upper() + problem[1:])
        return venue

    def clean_add_base(self) -> Venue | None:
        return self._one_venue("add_base")

    def clean_add_outreach(self) -> Venue | None:
        return self._one_venue("add_outreach")

    def clean_move_to(self) -> Venue | None:
        return self._one_venue("move_to")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("move_from") and not data.get("move_to") and "move_to" not in self.errors:
            self.add_error("move_to", "Enter the venue to move the site to")
        return data

    def sites(self) -> tuple[list[Venue], list[Venue]]:
        """The bases and outreach venues after the requested change."""
        data = self.cleaned_data
        bases = list(data.get("base") or [])
        outreach = list(data.get("outreach") or [])
        removed = data.get("remove")
        if removed is not None:
            bases = [v for v in bases if v != removed]
            outreach = [v for v in outreach if v != removed]
        moved_from, moved_to = data.get("move_from"), data.get("move_to")
        if moved_from is not None and moved_to is not None:
            bases = [moved_to if v == moved_from else v for v in bases]
            outreach = [moved_to if v == moved_from else v for v in outreach]
        if data.get("add_base") is not None and data["add_base"] not in bases:
            bases.append(data["add_base"])
        if data.get("add_outreach") is not None and data["add_outreach"] not in outreach:
            outreach.append(data["add_outreach"])
        outreach = [v for v in outreach if v not in bases]
        return list(dict.fromkeys(bases)), list(dict.fromkeys(outreach))
