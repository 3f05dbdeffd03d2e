"""Options linked to planning scenarios show the planners' map and measures to the public."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from familyreach.consult import services
from familyreach.consult.models import Consultation
from familyreach.planning.models import Scenario, ScenarioStatus
from familyreach.planning.services import scenario_run_enqueue
from tests.fixtures.consult import consultation_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def linked(
    make_scenario: Callable[..., Scenario], small_county: dict[str, Any]
) -> tuple[Consultation, Scenario]:
    consultation = consultation_build(slug="linked")
    scenario = make_scenario(name="2 bases", number_of_bases=2, district_minimum=1)
    services.option_create(
        consultation=consultation, title="2 bases", position=5, scenario=scenario
    )
    return consultation, scenario


def test_option_without_a_finished_run_says_so(
    client: Client, linked: tuple[Consultation, Scenario]
) -> None:
    consultation, _scenario = linked
    html = client.get(f"/consultations/{consultation.slug}/").content.decode()
    assert "will be shown here once the planners have worked them out" in html
    assert "data-planning-map" not in html
    option = consultation.options.get(title="2 bases")
    url = f"/consultations/{consultation.slug}/options/{option.pk}/map.geojson"
    assert client.get(url).status_code == 404


def test_option_with_a_run_shows_measures_map_and_sites_without_personal_data(
    client: Client, linked: tuple[Consultation, Scenario]
) -> None:
    consultation, scenario = linked
    run = scenario_run_enqueue(scenario=scenario, user=None)
    run.refresh_from_db()
    assert run.status == ScenarioStatus.FINISHED, run.error
    option = consultation.options.get(title="2 bases")
    html = client.get(f"/consultations/{consultation.slug}/").content.decode()
    assert f'data-testid="measures-{option.pk}"' in html
    assert "Under-fives (estimated) within 15 minutes of a base" in html
    assert "data-planning-map" in html
    assert "planning/map.js" in html
    assert "Bases and outreach venues in option" in html
    # The list of places folds away (GOV.UK details), so on a phone the next option is not
    # thousands of pixels down; its summary says how many places it holds.
    assert f'data-testid="sites-{option.pk}"' in html
    assert "The 2 bases and outreach venues in option" in html
    data = client.get(f"/consultations/{consultation.slug}/options/{option.pk}/map.geojson").json()
    layers = {feature["properties"]["layer"] for feature in data["features"]}
    assert layers == {"area", "base"}
    bases = [f for f in data["features"] if f["properties"]["layer"] == "base"]
    assert len(bases) == 2
    allowed = {
        "layer",
        "code",
        "name",
        "district",
        "under_fives",
        "under_fives_is_estimate",
        "greatest_need",
        "service_minutes",
        "base_minutes",
        "nearest_service_point",
        "id",
        "kind",
        "sessions_per_week",
        "position_is_exact",
        "position_source",
    }
    assert all(set(f["properties"]) <= allowed for f in data["features"])


def test_unlinked_option_has_no_map(client: Client, consultation: Consultation) -> None:
    option = consultation.options.first()
    assert option is not None
    url = f"/consultations/{consultation.slug}/options/{option.pk}/map.geojson"
    assert client.get(url).status_code == 404
