// Bar charts for the comparison, from the page's JSON data file (no inline script). Each chart
// sits beside a table of the same figures.
const COLOURS = ["#1d70b8", "#f47738", "#00703c", "#912b88", "#505a5f"];

async function drawCharts(container) {
  const Chart = window.Chart;
  if (!Chart) return;
  const response = await fetch(container.dataset.url, { credentials: "same-origin" });
  if (!response.ok) return;
  const data = await response.json();
  for (const chart of data.charts) {
    const canvas = container.querySelector(`canvas[data-chart-key="${CSS.escape(chart.key)}"]`);
    if (!canvas) continue;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.scenarios,
        datasets: [
          {
            label: chart.label,
            data: chart.values,
            backgroundColor: data.scenarios.map((_, k) => COLOURS[k % COLOURS.length]),
          },
        ],
      },
      options: {
        indexAxis: "y",
        animation: false,
        scales: { x: { min: 0, max: 100, title: { display: true, text: "% of under-fives (estimated)" } } },
        plugins: { legend: { display: false }, title: { display: true, text: chart.label } },
      },
    });
  }
}

for (const container of document.querySelectorAll("[data-planning-charts]")) {
  drawCharts(container);
}
