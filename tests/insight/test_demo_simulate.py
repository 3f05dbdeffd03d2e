"""`familyreach demo simulate` over the real Norfolk areas: calibrated, deterministic, labelled."""

import io
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from familyreach.delivery.models import Contact
from familyreach.families.models import Child, Family
from familyreach.insight.measures import MeasureConfig, family_cells, roll_up
from familyreach.insight.models import SimulatedFamily, SimulationRun
from familyreach.insight.selectors import area_rows, raw_rows
from tests.fixtures.geo import NorfolkWorld

AS_OF = "2026-06-30"


def simulate(*extra: str) -> str:
    out = io.StringIO()
    call_command(
        "demo_simulate",
        "--families",
        "3000",
        "--months",
        "18",
        "--seed",
        "5",
        "--as-of",
        AS_OF,
        *extra,
        stdout=out,
    )
    return out.getvalue()


def test_simulation_is_calibrated_and_written_as_simulated(
    norfolk: NorfolkWorld, manager: Any
) -> None:
    someone_real = Family.objects.create(area=norfolk.most_deprived_area)
    output = simulate()
    run = SimulationRun.objects.get()
    # The calibration target: about a quarter of greatest-need families are not seen.
    assert run.summary["unseen_share_greatest_need"] == pytest.approx(0.25, abs=0.04)
    assert "Assumptions (SIMULATED data" in output
    written = Family.objects.filter(simulation_marker__isnull=False)
    assert written.count() == run.summary["families_registered"]
    assert not written.filter(is_simulated=False).exists()
    assert not Contact.objects.filter(is_simulated=False).exists()
    assert Contact.objects.count() > written.count()
    # The simulated families, counted by the measures, show the same greatest-need gap in families.
    families, contacts = raw_rows()
    report = roll_up(
        family_cells(families, contacts, as_of=date.fromisoformat(AS_OF), config=MeasureConfig()),
        area_rows(),
    )
    assert report.greatest_need.counts.seen_families > 0
    # A family the simulator did not write is left alone; the dashboard says "simulated".
    assert Family.objects.filter(pk=someone_real.pk).exists()
    client = Client()
    client.force_login(manager)
    page = client.get(reverse("insight:dashboard")).content.decode()
    assert 'data-testid="simulated-label"' in page


def test_the_same_seed_writes_the_same_population(norfolk: NorfolkWorld) -> None:
    simulate()
    first = (
        Family.objects.count(),
        Child.objects.count(),
        sorted(Contact.objects.values_list("date", "kind", "area_id")),
    )
    simulate()  # replaces the previous simulation instead of adding to it
    assert SimulatedFamily.objects.count() == first[0]
    again = (
        Family.objects.count(),
        Child.objects.count(),
        sorted(Contact.objects.values_list("date", "kind", "area_id")),
    )
    assert again == first


def test_dry_run_writes_nothing(norfolk: NorfolkWorld) -> None:
    output = simulate("--dry-run")
    assert "Dry run" in output
    assert not Family.objects.exists()


def test_without_geography_it_says_what_to_do(db: Any) -> None:
    with pytest.raises(CommandError, match="load-norfolk"):
        simulate()
