"""Travel and cost of a network, one definition each (planning.figures)."""

import pytest

from familyreach.planning.figures import network_cost, travel_figures


def test_staff_cost_is_what_the_sessions_need_with_or_without_a_budget() -> None:
    # As a run stores them (costs.cost_split): 6 sessions a week need one worker at £35,000.
    stored = {
        "budget": None,
        "buildings": 105_000.0,
        "frontline": 35_000.0,
        "frontline_fte": 1.0,
        "frontline_hours": 1_628.0,
        "staff_cost_per_fte": 35_000.0,
        "hours_per_fte": 1_628,
        "outreach_sessions_per_week": 6.0,
        "outreach_frontline_needed": 35_000.0,
    }
    without = network_cost(stored)
    with_budget = network_cost({**stored, "budget": 500_000.0})
    assert without.frontline == with_budget.frontline == 35_000
    assert without.total == with_budget.total == 140_000
    assert without.budget_left is None
    assert with_budget.budget_left == 360_000
    assert with_budget.budget_left_hours == pytest.approx(360_000 / 35_000 * 1_628)


def test_a_run_made_before_issue_17_shows_the_staff_its_sessions_need() -> None:
    # Old runs with a budget stored the budget's remainder (£4.9m) as "frontline"; the staff
    # the sessions need was stored too, and is what every page now shows.
    old = {
        "budget": 5_000_000.0,
        "buildings": 100_000.0,
        "frontline": 4_900_000.0,
        "frontline_fte": 140.0,
        "frontline_hours": 140.0 * 1_628,
        "outreach_sessions_per_week": 60.0,
        "outreach_frontline_needed": 350_000.0,
    }
    cost = network_cost(old)
    assert cost.frontline == 350_000
    assert cost.frontline_fte == pytest.approx(10)  # £35,000 a worker, from the stored ratio
    assert cost.frontline_hours == pytest.approx(10 * 1_628)
    assert cost.budget_left == 5_000_000 - 100_000 - 350_000


def test_travel_figures_are_the_runs_stored_measures() -> None:
    figures = travel_figures(
        {
            "travel_mode": "public_transport",
            "service_mean_minutes": 31.74,
            "greatest_need_service_mean_minutes": 28.0,
            "service_p90_minutes": 55.0,
        }
    )
    assert figures.mean_text == "31.7 min"
    assert figures.mode_words == "by bus or on foot"
    assert figures.greatest_need_mean_text == "28.0 min"
