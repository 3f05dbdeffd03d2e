"""Maps with context (issue 17): the tile settings reach the map's data attributes and the
Content-Security-Policy, a bad tile setting stops the start, the shipped basemap is a valid,
reproducible GeoJSON of Norfolk that holds every small area, and without JavaScript the map's
places are in a list on the page."""

import html as html_lib
import itertools
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

import familyreach.web
from familyreach.geo.basemap import (
    NORFOLK_BASEMAP,
    build_basemap,
    douglas_peucker,
    read_district_names,
    read_postcodes,
)
from familyreach.geo.norfolk import norfolk_data_dir
from familyreach.web.maps import checked_tile_settings, tile_origin, tile_url_problem
from tests.fixtures.directory import DirectoryWorld
from tests.fixtures.geo import NorfolkWorld

OS_MAPS = "https://api.os.uk/maps/raster/v1/zxy/Light_3857/{z}/{x}/{y}.png?key=SECRET"
NEAR_YARMOUTH = "/find?postcode=NR30+1NE&radius=5"
# Norfolk's extent with a margin of a few kilometres (the county runs from about 0.15 E to
# 1.75 E and 52.35 N to 52.99 N).
NORFOLK_LONGITUDE = (0.05, 1.85)
NORFOLK_LATITUDE = (52.30, 53.05)


def basemap() -> dict[str, Any]:
    return dict(json.loads(NORFOLK_BASEMAP.read_text(encoding="utf-8")))


def features(kind: str) -> list[dict[str, Any]]:
    return [f for f in basemap()["features"] if f["properties"]["kind"] == kind]


# --- the tile settings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        (OS_MAPS, "https://api.os.uk"),
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
        ("https://tiles.example.org:8443/{z}/{x}/{-y}.png", "https://tiles.example.org:8443"),
        ("http://localhost:8080/{z}/{x}/{y}.png", "http://localhost:8080"),
    ],
)
def test_the_tile_origin_is_the_templates_scheme_and_host(url: str, origin: str) -> None:
    assert tile_url_problem(url) is None
    assert tile_origin(url) == origin


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("api.os.uk/maps/{z}/{x}/{y}.png", "absolute https://"),
        ("http://tiles.example.org/{z}/{x}/{y}.png", "must use https://"),
        ("https://tiles.example.org/{z}/{x}.png", "{y}"),
        ("https://tiles.example.org/tile.png", "{z}, {x}, {y}"),
    ],
)
def test_a_tile_url_that_cannot_work_is_refused_in_words(url: str, problem: str) -> None:
    assert problem in (tile_url_problem(url) or "")
    with pytest.raises(ImproperlyConfigured, match="FAMILYREACH_MAP_TILE_URL"):
        checked_tile_settings(url=url, attribution="© someone")


def test_a_tile_url_needs_its_providers_credit() -> None:
    with pytest.raises(ImproperlyConfigured, match="FAMILYREACH_MAP_TILE_ATTRIBUTION"):
        checked_tile_settings(url=OS_MAPS, attribution="  ")
    assert checked_tile_settings(url="", attribution="ignored") == ("", "")


def _settings_in_a_fresh_process(**environment: str) -> subprocess.CompletedProcess[str]:
    # The CSP is worked out when settings load, so load them as a deployment would: anew, from
    # the environment.
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps({'img': [str(s) for s in settings.SECURE_CSP['img-src']], "
        "'url': settings.MAP_TILE_URL, 'zoom': settings.MAP_TILE_MAX_ZOOM}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "familyreach.config.settings.test",
        **environment,
    }
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )


def test_the_csp_lets_the_browser_load_the_configured_tiles_and_nothing_else() -> None:
    configured = _settings_in_a_fresh_process(
        FAMILYREACH_MAP_TILE_URL=OS_MAPS,
        FAMILYREACH_MAP_TILE_ATTRIBUTION="Contains OS data © Crown copyright and database rights 2026",
        FAMILYREACH_MAP_TILE_MAX_ZOOM="20",
    )
    assert configured.returncode == 0, configured.stderr
    values = json.loads(configured.stdout)
    assert values["img"] == ["'self'", "data:", "https://api.os.uk"]
    assert values["url"] == OS_MAPS
    assert values["zoom"] == 20

    unset = _settings_in_a_fresh_process(FAMILYREACH_MAP_TILE_URL="")
    assert json.loads(unset.stdout)["img"] == ["'self'", "data:"]

    broken = _settings_in_a_fresh_process(
        FAMILYREACH_MAP_TILE_URL="https://tiles.example.org/tile.png"
    )
    assert broken.returncode != 0
    assert "FAMILYREACH_MAP_TILE_URL must be an XYZ template" in broken.stderr


def test_the_csp_header_carries_the_tile_host(client: Client, db: Any) -> None:
    policy = {
        **settings.SECURE_CSP,
        "img-src": [*settings.SECURE_CSP["img-src"], tile_origin(OS_MAPS)],
    }
    with override_settings(SECURE_CSP=policy):
        header = client.get("/accessibility")["Content-Security-Policy"]
    assert re.search(r"img-src 'self' data: https://api\.os\.uk(;|$)", header), header


# --- the settings reach every map --------------------------------------------------------------


def _map_attributes(html: str, element_id: str) -> dict[str, str]:
    tag = re.search(rf'<div id="{element_id}"[^>]*>', html)
    assert tag, f"no #{element_id} on the page"
    return {
        name: html_lib.unescape(value)
        for name, value in re.findall(r'data-([a-z-]+)="([^"]*)"', tag.group(0))
    }


def test_the_tile_settings_reach_the_maps_data_attributes(
    client: Client, norfolk: NorfolkWorld, directory_world: DirectoryWorld
) -> None:
    with override_settings(
        MAP_TILE_URL=OS_MAPS,
        MAP_TILE_ATTRIBUTION="Contains OS data © Crown copyright & database rights 2026",
        MAP_TILE_MAX_ZOOM=20,
    ):
        attributes = _map_attributes(client.get(NEAR_YARMOUTH).content.decode(), "find-map")
    assert attributes["tile-url"] == OS_MAPS
    assert (
        attributes["tile-attribution"]
        == "Contains OS data © Crown copyright & database rights 2026"
    )
    assert attributes["tile-max-zoom"] == "20"


def test_without_tiles_the_map_is_given_the_shipped_basemap(
    client: Client, norfolk: NorfolkWorld, directory_world: DirectoryWorld
) -> None:
    attributes = _map_attributes(client.get(NEAR_YARMOUTH).content.decode(), "find-map")
    assert attributes["tile-url"] == ""
    assert attributes["basemap-url"].endswith("geo/basemap-norfolk.geojson")
    assert "Approximate" in attributes["basemap-attribution"]
    # The URL the page gives is one the static files serve.
    assert client.get(attributes["basemap-url"]).status_code == 200


def test_with_no_basemap_set_a_map_is_given_none(
    client: Client, norfolk: NorfolkWorld, directory_world: DirectoryWorld
) -> None:
    with override_settings(MAP_BASEMAP=""):
        attributes = _map_attributes(client.get(NEAR_YARMOUTH).content.decode(), "find-map")
    assert attributes["basemap-url"] == ""
    assert attributes["basemap-attribution"] == ""


def test_without_javascript_the_maps_places_are_a_list_on_the_page(
    client: Client, norfolk: NorfolkWorld, directory_world: DirectoryWorld
) -> None:
    html = client.get(NEAR_YARMOUTH).content.decode()
    # The map and its caption sit in a block maps.css hides unless scripts run...
    block = html.index('<div class="app-map-only" data-testid="map-block">')
    assert (
        block
        < html.index('id="find-map"')
        < html.index("The map shows the same places as the list above.")
    )
    # ...and every place it plots is a link in the results list above it.
    plotted = json.loads(
        html_lib.unescape(html.split('id="find-map-data">', 1)[1].split("</script>", 1)[0])
    )
    results = html.split('data-testid="results"', 1)[1].split("</ul>", 1)[0]
    assert len(plotted["points"]) == 3
    for point in plotted["points"]:
        assert f">{html_lib.escape(point['name'])}</a>" in results
    css = (Path(familyreach.web.__file__).parent / "static" / "familyreach" / "maps.css").read_text(
        encoding="utf-8"
    )
    assert ".app-map-only { display: none; }" in css
    assert ".js-enabled .app-map-only { display: block; }" in css


# --- the shipped basemap ----------------------------------------------------------------------


def test_the_basemap_is_valid_geojson_within_norfolk() -> None:
    document = basemap()
    assert document["type"] == "FeatureCollection"
    assert "Code-Point Open" in document["source"]
    assert {f["geometry"]["type"] for f in document["features"]} == {
        "MultiPolygon",
        "LineString",
        "Point",
    }
    positions: list[list[float]] = []
    for feature in document["features"]:
        geometry = feature["geometry"]
        if geometry["type"] == "MultiPolygon":
            for polygon in geometry["coordinates"]:
                ring = polygon[0]
                assert len(ring) >= 4
                assert ring[0] == ring[-1]
                positions.extend(ring)
        elif geometry["type"] == "LineString":
            assert len(geometry["coordinates"]) >= 2
            positions.extend(geometry["coordinates"])
        else:
            positions.append(geometry["coordinates"])
        if feature["properties"]["kind"] != "district-label":
            assert feature["properties"]["approximate"] is True
    for longitude, latitude in positions:
        assert NORFOLK_LONGITUDE[0] <= longitude <= NORFOLK_LONGITUDE[1]
        assert NORFOLK_LATITUDE[0] <= latitude <= NORFOLK_LATITUDE[1]
    # Small enough to send with every map.
    assert NORFOLK_BASEMAP.stat().st_size < 40_000


def test_the_basemap_names_the_seven_districts_and_borders_between_them() -> None:
    names = {f["properties"]["name"] for f in features("district-label")}
    assert names == {
        "Breckland",
        "Broadland",
        "Great Yarmouth",
        "King's Lynn and West Norfolk",
        "North Norfolk",
        "Norwich",
        "South Norfolk",
    }
    pairs = {tuple(f["properties"]["between"]) for f in features("district-border")}
    # Norwich is bordered by Broadland and South Norfolk only, as on the real map.
    assert {pair for pair in pairs if "E07000148" in pair} == {
        ("E07000144", "E07000148"),
        ("E07000148", "E07000149"),
    }


def _inside(point: tuple[float, float], ring: list[list[float]]) -> bool:
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def test_every_small_areas_centre_is_on_the_basemaps_land() -> None:
    import csv

    (land,) = features("land")
    rings = [polygon[0] for polygon in land["geometry"]["coordinates"]]
    with (norfolk_data_dir() / "lsoa_centroids.csv").open(encoding="utf-8") as handle:
        centres = [(float(row["pwc_lon"]), float(row["pwc_lat"])) for row in csv.DictReader(handle)]
    assert len(centres) == 538
    outside = [centre for centre in centres if not any(_inside(centre, ring) for ring in rings)]
    assert outside == []


def test_the_shipped_basemap_is_what_the_command_builds_from_the_shipped_data() -> None:
    data = norfolk_data_dir()
    built = build_basemap(
        postcodes=read_postcodes(data / "postcodes_codepoint_open_2014.csv"),
        district_names=read_district_names(data / "lsoa_lad_lookup.csv"),
    )
    assert built["features"] == basemap()["features"]


def test_douglas_peucker_keeps_the_corners_and_drops_the_wobble() -> None:
    wobbly = [(0.0, 0.0), (1.0, 0.1), (2.0, -0.1), (3.0, 0.0), (3.0, 3.0), (0.0, 3.0), (0.0, 0.0)]
    assert douglas_peucker(wobbly, tolerance=0.5) == [
        (0.0, 0.0),
        (3.0, 0.0),
        (3.0, 3.0),
        (0.0, 3.0),
        (0.0, 0.0),
    ]
    assert douglas_peucker(wobbly, tolerance=0.05) == wobbly
