"""The planner's pages as a planner reads them (issue 17): a what-if opens on its own results,
whose tables describe the sites just scored; a new scenario starts with the council's usual
travel mode; and no internal codes, objective values or method names show outside "How this
was worked out"."""

import html
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from familyreach.geo.models import Venue
from familyreach.planning.models import Scenario, TravelMode
from familyreach.planning.selectors import scenario_usual_travel_mode
from familyreach.planning.services import scenario_run_enqueue

pytestmark = pytest.mark.django_db

# Internal codes and technical terms a planner or councillor must not read on the page itself.
FORBIDDEN_ANYWHERE = [
    "childrens_centre",
    "village_hall",
    "community_centre",
    "family_base",
    "imd_rank",
    "sorted by",
    "min_travel",
    "max_coverage",
    "public_transport",
    "under_fives",
    "need_weighted",
]
# Allowed only inside the "How this was worked out" details.
TECHNICAL = ["Objective", "Method:", "greedy", "lagrangian", "p-median", "bound ", "status:"]
# A count of people with a decimal part: "49,783.3 under-fives", or "76.7% (1,234.5)".
DECIMAL_PEOPLE = re.compile(r"\d[\d,]*\.\d+ (?:estimated )?under-fives|\(\d[\d,]*\.\d+\)")


def visible_text(page: str, *, without_details: bool = False) -> str:
    """The words a reader sees: no tags, scripts, attribute values or (optionally) details."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    if without_details:
        page = re.sub(r"<details\b.*?</details>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def details_text(page: str) -> str:
    return visible_text(" ".join(re.findall(r"<details\b.*?</details>", page, flags=re.S)))


def assert_plain(page: str) -> None:
    text = visible_text(page)
    for word in FORBIDDEN_ANYWHERE:
        assert word not in text, word
    outside = visible_text(page, without_details=True)
    for word in TECHNICAL:
        assert word not in outside, word
    assert not DECIMAL_PEOPLE.search(text), DECIMAL_PEOPLE.search(text)


@pytest.fixture
def run_scenario(make_scenario: Callable[..., Scenario]) -> Scenario:
    scenario = make_scenario(
        name="Two bases",
        number_of_bases=2,
        district_minimum=1,
        outreach=[("Caister Village Hall", 2)],
        travel_mode=TravelMode.PUBLIC_TRANSPORT,
    )
    scenario_run_enqueue(scenario=scenario, user=None)
    scenario.refresh_from_db()
    assert scenario.latest_finished_run is not None
    return scenario


def _run_bases(scenario: Scenario) -> list[Venue]:
    run = scenario.latest_finished_run
    assert run is not None
    return list(Venue.objects.filter(pk__in=run.bases).order_by("name"))


def _what_if(client: Client, scenario: Scenario, **change: Any) -> str:
    run = scenario.latest_finished_run
    assert run is not None
    response = client.post(
        reverse("planning:what-if", args=[scenario.pk]),
        {"base": run.bases, "outreach": [row["venue"] for row in run.outreach], **change},
    )
    assert response.status_code == 200
    return str(response.content.decode())


def _section(page: str, testid: str) -> str:
    match = re.search(rf'<table[^>]*data-testid="{testid}".*?</table>', page, flags=re.S)
    assert match is not None, testid
    return visible_text(match.group(0))


# --- After a what-if: the results first, describing the sites scored -------------------------


def test_what_if_form_posts_to_the_results_and_the_results_come_before_the_form(
    planner_client: Client, run_scenario: Scenario
) -> None:
    detail = planner_client.get(reverse("planning:detail", args=[run_scenario.pk])).content
    action = reverse("planning:what-if", args=[run_scenario.pk]) + "#results"
    assert f'action="{action}"'.encode() in detail

    page = _what_if(planner_client, run_scenario, add_base="Acle Library")
    heading = re.search(r'<h2[^>]*id="results"[^>]*>([^<]*)</h2>', page)
    assert heading is not None
    assert heading.group(1) == "Results with your changes"
    assert "autofocus" in heading.group(0)  # the heading takes focus, not the form
    assert 'tabindex="-1"' in heading.group(0)
    assert page.index('id="results"') < page.index('id="what-if"')
    assert page.index('data-testid="sites-table"') < page.index('id="what-if"')


def test_the_sites_table_after_a_what_if_is_the_sites_just_scored(
    planner_client: Client, run_scenario: Scenario
) -> None:
    first, second = _run_bases(run_scenario)
    page = _what_if(planner_client, run_scenario, remove=first.pk, add_base="Acle Library")
    sites = _section(page, "sites-table")
    assert "Acle Library" in sites
    assert "Added" in sites
    assert second.name in sites
    assert first.name not in sites  # removed: not in the table of what was scored
    assert "Caister Village Hall" in sites  # the outreach venue kept
    removed = re.search(r'data-testid="what-if-removed">([^<]*)<', page)
    assert removed is not None
    assert first.name in html.unescape(removed.group(1))
    # Districts and worst-served are the what-if's too.
    assert "By district, with your changes" in page
    assert "Worst-served areas, with your changes" in page
    # The ordinary page still shows the run as run.
    detail = planner_client.get(reverse("planning:detail", args=[run_scenario.pk]))
    as_run = _section(detail.content.decode(), "sites-table")
    assert first.name in as_run
    assert "Acle Library" not in as_run


def test_a_moved_site_says_where_it_moved_from(
    planner_client: Client, run_scenario: Scenario
) -> None:
    first, _ = _run_bases(run_scenario)
    page = _what_if(planner_client, run_scenario, move_from=first.pk, move_to="Acle Library")
    sites = _section(page, "sites-table")
    assert f"Moved here from {first.name}" in sites
    assert first.name not in sites.replace(f"Moved here from {first.name}", "")


def test_the_map_after_a_what_if_draws_the_sites_scored(
    planner_client: Client, run_scenario: Scenario
) -> None:
    first, second = _run_bases(run_scenario)
    acle = Venue.objects.get(name="Acle Library")
    page = _what_if(planner_client, run_scenario, remove=first.pk, add_base="Acle Library")
    url = html.unescape(re.search(r'data-geojson-url="([^"]*)"', page).group(1))  # type: ignore[union-attr]
    assert url.startswith(reverse("planning:what-if-geojson", args=[run_scenario.pk]))
    data = planner_client.get(url).json()
    bases = {
        f["properties"]["name"] for f in data["features"] if f["properties"]["layer"] == "base"
    }
    assert bases == {second.name, acle.name}
    areas = [f for f in data["features"] if f["properties"]["layer"] == "area"]
    assert len(areas) == 10
    served_by = {f["properties"]["nearest_service_point"] for f in areas}
    assert first.name not in served_by


def test_running_again_lands_on_the_results(planner_client: Client, run_scenario: Scenario) -> None:
    response = planner_client.post(reverse("planning:run", args=[run_scenario.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("planning:detail", args=[run_scenario.pk]) + "#results"


# --- A new scenario starts with the council's usual travel mode ---------------------------------


def _checked_travel_mode(client: Client) -> str:
    page = client.get(reverse("planning:create")).content.decode()
    checked = re.findall(r'<input[^>]*name="travel_mode"[^>]*>', page)
    modes = [re.search(r'value="([^"]*)"', tag).group(1) for tag in checked if "checked" in tag]  # type: ignore[union-attr]
    assert len(modes) == 1, checked
    return modes[0]


def test_new_scenarios_start_with_the_mode_most_scenarios_use(
    planner_client: Client, make_scenario: Callable[..., Scenario]
) -> None:
    for _ in range(2):
        make_scenario(number_of_bases=1, travel_mode=TravelMode.PUBLIC_TRANSPORT)
    make_scenario(number_of_bases=1, travel_mode=TravelMode.CAR)
    assert _checked_travel_mode(planner_client) == TravelMode.PUBLIC_TRANSPORT
    for _ in range(2):
        make_scenario(number_of_bases=1, travel_mode=TravelMode.CAR)
    assert _checked_travel_mode(planner_client) == TravelMode.CAR


@pytest.mark.parametrize("configured", [TravelMode.CAR, TravelMode.PUBLIC_TRANSPORT])
def test_with_no_scenarios_or_a_tie_the_setting_decides(
    planner_client: Client, make_scenario: Callable[..., Scenario], configured: str
) -> None:
    with override_settings(PLANNING_DEFAULT_TRAVEL_MODE=configured):
        assert _checked_travel_mode(planner_client) == configured
        make_scenario(number_of_bases=1, travel_mode=TravelMode.CAR)
        make_scenario(number_of_bases=1, travel_mode=TravelMode.PUBLIC_TRANSPORT)
        assert scenario_usual_travel_mode() == configured


def test_the_setting_defaults_to_public_transport(small_county: dict[str, Any]) -> None:
    assert scenario_usual_travel_mode() == TravelMode.PUBLIC_TRANSPORT


# --- Plain English: no internals outside "How this was worked out" -----------------------------


def test_scenario_page_is_in_plain_words_with_the_technical_account_in_details(
    planner_client: Client, run_scenario: Scenario
) -> None:
    page = planner_client.get(reverse("planning:detail", args=[run_scenario.pk])).content.decode()
    assert_plain(page)
    text = visible_text(page)
    assert "Kinds of venue that may be bases Library, Children's centre" in text
    assert "Shortest travel on average" in text
    run = run_scenario.latest_finished_run
    assert run is not None
    assert run.method
    technical = details_text(page)
    assert "How this was worked out" in technical
    assert f"Method: {run.method}." in technical
    assert "Objective" in technical
    assert "p-median problem" in technical
    assert "make the average journey to the nearest base as short as possible" in technical


def test_what_if_report_compare_list_and_form_pages_are_in_plain_words(
    planner_client: Client, run_scenario: Scenario, make_scenario: Callable[..., Scenario]
) -> None:
    assert_plain(_what_if(planner_client, run_scenario, add_base="Acle Library"))
    report = planner_client.get(reverse("planning:report", args=[run_scenario.pk]))
    assert_plain(report.content.decode())
    assert "How this was worked out" in details_text(report.content.decode())
    other = make_scenario(name="One base", number_of_bases=1)
    scenario_run_enqueue(scenario=other, user=None)
    compare = planner_client.get(
        reverse("planning:compare"), {"scenario": [run_scenario.pk, other.pk]}
    ).content.decode()
    assert_plain(compare)
    assert "Two bases: Bases:" in details_text(compare)
    for name in ("planning:list", "planning:create"):
        assert_plain(planner_client.get(reverse(name)).content.decode())
    assert_plain(
        planner_client.get(reverse("planning:edit", args=[run_scenario.pk])).content.decode()
    )


def test_the_plain_words_check_catches_what_the_issue_saw() -> None:
    """The checks above would fail on the leaks reported in issue 17."""
    for leak in (
        "<p>Objective 2895075.2, bound 2880000.0. Method: greedy+swap+lagrangian.</p>",
        "<td>childrens_centre</td>",
        "<caption>Areas, sorted by imd_rank</caption>",
        "<p>1,234 families ÷ 49,783.3 under-fives</p>",
    ):
        with pytest.raises(AssertionError):
            assert_plain(leak)
    assert_plain("<details><p>Objective 2,895,075.2. Method: greedy+swap+lagrangian.</p></details>")
