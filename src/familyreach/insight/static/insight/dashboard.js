// Reach dashboard: draws the charts (Chart.js) and the map (Leaflet) from the page's JSON data
// endpoint. Every chart and the map has a table of the same figures on the page, which is what
// people without JavaScript (and screen readers) use.
import { addBackground } from "../familyreach/maps.js";

const container = document.getElementById("insight-charts");

function colourFor(share) {
  // Darker blue for lower reach: the eye goes to the gaps.
  if (share === null || share === undefined) return "#b1b4b6";
  if (share < 0.2) return "#0b0c0c";
  if (share < 0.4) return "#003078";
  if (share < 0.6) return "#1d70b8";
  if (share < 0.8) return "#5694ca";
  return "#d2e2f1";
}

function drawCharts(data) {
  const Chart = window.Chart;
  if (!Chart) return;
  const months = document.getElementById("chart-months");
  if (months) {
    new Chart(months, {
      type: "line",
      data: {
        labels: data.months.map((row) => row.month),
        datasets: [
          { label: "Families seen", data: data.months.map((row) => row.families_seen), borderColor: "#1d70b8" },
          { label: "Counted contacts", data: data.months.map((row) => row.contacts), borderColor: "#f47738" },
          { label: "Families seen in the window to the month's end", data: data.months.map((row) => row.seen_in_window), borderColor: "#00703c" },
        ],
      },
      options: { maintainAspectRatio: false, animation: false },
    });
  }
  const deciles = document.getElementById("chart-deciles");
  if (deciles) {
    new Chart(deciles, {
      type: "bar",
      data: {
        labels: data.deciles.map((row) => row.label),
        datasets: [
          { label: "Registered reach (%)", data: data.deciles.map((row) => (row.registered_reach === null ? null : row.registered_reach * 100)), backgroundColor: "#5694ca" },
          { label: "Seen reach (%)", data: data.deciles.map((row) => (row.seen_reach === null ? null : row.seen_reach * 100)), backgroundColor: "#003078" },
        ],
      },
      options: { maintainAspectRatio: false, animation: false },
    });
  }
}

function drawMap(data) {
  const L = window.L;
  const element = document.getElementById("insight-map");
  if (!L || !element || !data.areas.length) return;
  const map = L.map(element);
  addBackground(map, element);
  const largest = Math.max(...data.areas.map((area) => area.estimated_under_fives || 0), 1);
  const bounds = [];
  for (const area of data.areas) {
    if (area.latitude === null || area.longitude === null) continue;
    const radius = 3 + 12 * Math.sqrt((area.estimated_under_fives || 0) / largest);
    // Suppressed figures come as null and are greyed out, labelled "[c]" as in the tables.
    let seen = `${((area.seen_reach ?? 0) * 100).toFixed(1)} % seen`;
    if ((area.suppressed || []).includes("seen_families")) seen = "[c] (fewer than 5, or hidden)";
    else if (area.seen_reach === null) seen = "no estimate";
    L.circleMarker([area.latitude, area.longitude], {
      radius,
      color: "#0b0c0c",
      weight: area.greatest_need ? 2 : 0.5,
      fillColor: colourFor(area.seen_reach),
      fillOpacity: 0.8,
    })
      .bindTooltip(`${area.name}: ${seen}`)
      .on("click", () => { window.location.href = area.url; })
      .addTo(map);
    bounds.push([area.latitude, area.longitude]);
  }
  if (bounds.length) map.fitBounds(bounds, { padding: [10, 10] });
}

if (container) {
  fetch(container.dataset.url, { credentials: "same-origin" })
    .then((response) => (response.ok ? response.json() : null))
    .then((data) => {
      if (!data) return;
      drawCharts(data);
      drawMap(data);
    });
}
