// Draws each [data-planning-map]: areas coloured by minutes to the nearest service point, and
// the scenario's bases and outreach venues. The tables beside the map hold the same data, so the
// page is complete without this script. The colour scale is fixed (not per map), so maps of
// different scenarios can be compared directly.
import { addBackground } from "../familyreach/maps.js";

const BANDS = [
  { upTo: 15, colour: "#c6dbef", label: "up to 15 minutes" },
  { upTo: 30, colour: "#6baed6", label: "15 to 30 minutes" },
  { upTo: 45, colour: "#2171b5", label: "30 to 45 minutes" },
  { upTo: Infinity, colour: "#08306b", label: "over 45 minutes or none" },
];

function colourFor(minutes) {
  if (minutes === null || minutes === undefined) return BANDS[BANDS.length - 1].colour;
  return BANDS.find((band) => minutes <= band.upTo).colour;
}

function escapeText(text) {
  const span = document.createElement("span");
  span.textContent = text ?? "";
  return span.innerHTML;
}

async function drawMap(element) {
  const L = window.L;
  if (!L) return;
  const response = await fetch(element.dataset.geojsonUrl, { credentials: "same-origin" });
  if (!response.ok) return;
  const data = await response.json();
  const map = L.map(element, { scrollWheelZoom: false, attributionControl: false, zoomSnap: 0.25 });
  addBackground(map, element);
  const areas = L.featureGroup();
  const sites = L.featureGroup();
  for (const feature of data.features) {
    const [lon, lat] = feature.geometry.coordinates;
    const p = feature.properties;
    if (p.layer === "area") {
      L.circleMarker([lat, lon], {
        radius: 4,
        weight: p.greatest_need ? 2 : 0,
        color: "#d4351c",
        fillColor: colourFor(p.service_minutes),
        fillOpacity: 0.85,
      })
        .bindTooltip(
          `${escapeText(p.name)}: ${p.service_minutes ?? "no"} min to ${escapeText(p.nearest_service_point)}` +
            (p.greatest_need ? " (greatest need)" : ""),
        )
        .addTo(areas);
    } else {
      const base = p.layer === "base";
      L.circleMarker([lat, lon], {
        radius: base ? 8 : 5,
        weight: 2,
        color: base ? "#0b0c0c" : "#00703c",
        fillColor: base ? "#ffdd00" : "#00703c",
        fillOpacity: p.position_is_exact ? 1 : 0.4,
        dashArray: p.position_is_exact ? null : "3",
      })
        .bindTooltip(
          `${escapeText(p.name)} (${base ? "base" : "outreach"}${p.position_is_exact ? "" : ", approximate position"})`,
        )
        .addTo(sites);
    }
  }
  areas.addTo(map);
  sites.addTo(map);
  const bounds = areas.getLayers().length ? areas.getBounds() : sites.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] });
}

for (const element of document.querySelectorAll("[data-planning-map]")) {
  drawMap(element);
}
