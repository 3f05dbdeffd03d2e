"""The quality bar: every measure in a return equals the same measure on the insight pages for
the same period, over a simulated year and four quarters. Each quarter's return is drafted in
turn (which works out insight's figures as at the quarter's last day, the latest snapshot then),
and the dashboard, each district's page, the summary export and the money page are read with
the test client and compared, as shown, with the return's page and CSV."""

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from familyreach.commissioning.models import QuarterlyReturn
from familyreach.commissioning.services import return_draft
from familyreach.geo.models import District
from familyreach.insight.disclosure import MARK
from familyreach.insight.tables import percent
from tests.commissioning.conftest import QUARTER_ENDS, CommissioningWorld
from tests.insight.test_figure_consistency import _figure, _row

pytestmark = pytest.mark.django_db


def _summary(client: Client, query: str = "") -> dict[str, str]:
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    reverse("insight:export-csv") + f"?table=summary{query}"
                ).content.decode()
            )
        )
    )
    return rows[0]


SERVICE_FIGURES = {
    "first_contact_days": "first-contact-median",
    "first_contact_within_target": "first-contact-within",
    "peer_led_share": "peer-led-share",
}


def _span(page: str, figure: str) -> str:
    return page.split(f'data-figure="{figure}">')[1].split("<")[0]


def _shown(value: str) -> str:
    return value if value == MARK else percent(float(value) if value else None)


def test_every_measure_in_four_returns_equals_the_insight_pages(
    commissioning_world: CommissioningWorld,
) -> None:
    client = Client()
    client.force_login(commissioning_world.manager)
    districts = list(District.objects.order_by("name"))
    shown_values: set[str] = set()
    service_values: set[str] = set()
    previous: list[dict[str, Any]] = []
    for quarter_end in QUARTER_ENDS:
        drafted = return_draft(
            user=commissioning_world.commissioner,
            contract=commissioning_world.contract,
            quarter_end=quarter_end,
        )
        measures = {m.code: m for m in drafted.measures.all()}
        # The return's own page and CSV show the drafted figures.
        page = client.get(reverse("commissioning:return", args=[drafted.pk])).content.decode()
        for code, measure in measures.items():
            assert f'data-measure="{code}">{measure.text}<' in page
        exported = client.get(reverse("commissioning:return-csv", args=[drafted.pk])).content
        rows = list(csv.reader(io.StringIO(exported.decode())))
        for measure in measures.values():
            assert [measure.title, "Contract area", measure.text] in [row[:3] for row in rows]

        # Reach: the dashboard (the county) and each district's page, as at the quarter's end.
        dashboard = client.get(reverse("insight:dashboard")).content.decode()
        assert f"{quarter_end:%-d %B %Y}" in dashboard  # the snapshot the pages show
        assert measures["seen_reach"].text == _figure(dashboard, "seen-reach")
        assert measures["greatest_need_gap"].text == _figure(dashboard, "greatest-need-gap")
        summary = _summary(client)
        assert measures["registered_reach"].text == _shown(summary["Registered reach"])
        assert measures["sustained_reach"].text == _shown(summary["Sustained reach"])
        parts = {
            code: {part["code"]: part["text"] for part in measure.by_district}
            for code, measure in measures.items()
        }
        for district in districts:
            page = client.get(reverse("insight:district", args=[district.code])).content.decode()
            for code, figure in SERVICE_FIGURES.items():
                assert parts[code][district.code] == _span(page, figure), (district, code)
            assert parts["seen_reach"][district.code] == _figure(page, "seen-reach")
            assert parts["greatest_need_gap"][district.code] == _figure(page, "greatest-need-gap")
            district_summary = _summary(client, f"&district={district.code}")
            assert parts["registered_reach"][district.code] == _shown(
                district_summary["Registered reach"]
            )
            assert parts["sustained_reach"][district.code] == _shown(
                district_summary["Sustained reach"]
            )

        # Money: the money page's county figures and its table by district.
        money = client.get(reverse("insight:money")).content.decode()
        cost = money.split('data-testid="cost-per-family">')[1].split("<")[0].strip()
        assert measures["cost_per_family_seen"].text == cost
        assert f"({measures['buildings_share'].text} of the total)" in money
        for district in districts:
            row = _row(money, district.name)
            assert parts["buildings_share"][district.code] == row[2]
            assert parts["cost_per_family_seen"][district.code] == row[4]

        # Contact and peer-led sessions: the reach pages' section for the quarter (the three
        # months to the figures' date); each district's is checked with its page above.
        assert f"{quarter_end:%-d %B %Y}" in dashboard.split('id="service-measures"')[1][:200]
        for code, figure in SERVICE_FIGURES.items():
            assert measures[code].text == _span(dashboard, figure), (quarter_end, code)
        service_values.update(measures[code].text for code in SERVICE_FIGURES)
        # Deciles: the return's reach by IDACI decile is insight's decile table, as shown.
        deciles = list(
            csv.DictReader(
                io.StringIO(
                    client.get(reverse("insight:export-csv") + "?table=deciles").content.decode()
                )
            )
        )
        for code, heading in (
            ("seen_reach", "Seen reach"),
            ("registered_reach", "Registered reach"),
        ):
            shown = [_shown(row[heading]) for row in deciles]
            assert [part["text"] for part in measures[code].by_decile] == shown
        shown_values.update(m.text for m in measures.values())
        previous.append(measures)
    # The last return's trend is the three before it, as they reported each measure.
    for code, measure in previous[-1].items():
        assert [point["text"] for point in measure.trend] == [
            earlier[code].text for earlier in previous[:3]
        ]
    # Not a comparison of blanks: figures were shown, and they changed over the year.
    assert QuarterlyReturn.objects.count() == 4
    assert len(shown_values - {MARK, "–"}) >= 8
    # The new measures were worked out, not blank, and moved over the year.
    assert len(service_values - {MARK, "–"}) >= 6, service_values
