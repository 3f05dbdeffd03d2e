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
    // The month of the reference date is counted only so far: it is left off the lines and drawn
    // as its own hollow points ("so far"), so a part-month is never drawn as a fall (issue 17).
    const series = [
      { key: "families_seen", label: "Families seen", colour: "#1d70b8" },
      { key: "contacts", label: "Counted contacts", colour: "#f47738" },
      { key: "seen_in_window", label: "Families seen in the window to the month's end", colour: "#00703c" },
    ];
    const whole = (row, key) => (row.partial ? null : row[key]);
    const soFar = (row, key) => (row.partial ? row[key] : null);
    const datasets = series.map((item) => ({
      label: item.label,
      data: data.months.map((row) => whole(row, item.key)),
      borderColor: item.colour,
      backgroundColor: item.colour,
    }));
    if (data.months.some((row) => row.partial)) {
      for (const item of series) {
        datasets.push({
          label: `${item.label} (month so far)`,
          data: data.months.map((row) => soFar(row, item.key)),
          borderColor: item.colour,
          backgroundColor: "#ffffff",
          pointStyle: "rectRot",
          pointRadius: 6,
          showLine: false,
        });
      }
    }
    new Chart(months, {
      type: "line",
      data: {
        labels: data.months.map((row) => (row.partial ? `${row.month} (so far)` : row.month)),
        datasets,
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
