// Draws the areas page's map: one circle per area at its population-weighted centre, sized by
// (estimated) under-fives and coloured by IDACI decile. The table beside it has the same data,
// so the page works without this script.
import { addBackground } from "../familyreach/maps.js";

const DECILE_COLOURS = [
  "#440154", "#482878", "#3e4989", "#31688e", "#26828e",
  "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725",
];

function radiusFor(underFives) {
  // Area of the circle proportional to the number of children.
  return Math.max(3, Math.sqrt(Math.max(underFives || 0, 0)) * 0.9);
}

function escapeHtml(text) {
  const element = document.createElement("span");
  element.textContent = String(text);
  return element.innerHTML;
}

async function drawMap(container) {
  const L = window.L;
  if (!L) return;
  const response = await fetch(container.dataset.geojsonUrl, { credentials: "same-origin" });
  if (!response.ok) return;
  const data = await response.json();
  container.replaceChildren();
  const map = L.map(container, { preferCanvas: true, attributionControl: true });
  addBackground(map, container);
  const layer = L.geoJSON(data, {
    pointToLayer: (feature, latlng) => {
      const p = feature.properties;
      return L.circleMarker(latlng, {
        radius: radiusFor(p.under_fives),
        color: "#0b0c0c",
        weight: p.greatest_need ? 2 : 0.5,
        fillColor: DECILE_COLOURS[(p.idaci_decile || 10) - 1],
        fillOpacity: 0.8,
      });
    },
    onEachFeature: (feature, marker) => {
      const p = feature.properties;
      const children = p.under_fives == null ? "unknown" : Math.round(p.under_fives);
      marker.bindPopup(
        `<strong>${escapeHtml(p.name)}</strong> (${escapeHtml(p.code)})<br>` +
        `IMD rank ${escapeHtml(p.imd_rank)}, IDACI decile ${escapeHtml(p.idaci_decile)}<br>` +
        `Under-fives ${escapeHtml(children)}${p.under_fives_is_estimate ? " (estimated)" : ""}` +
        (p.greatest_need ? "<br>Area of greatest need" : ""),
      );
    },
  }).addTo(map);
  if (data.features.length) {
    map.fitBounds(layer.getBounds(), { padding: [10, 10] });
  } else {
    map.setView([52.65, 1.0], 8);
  }
  container.setAttribute("role", "region");
  container.setAttribute("aria-label", "Map of the areas in the table");
}

const container = document.getElementById("areas-map");
if (container) {
  drawMap(container);
}
