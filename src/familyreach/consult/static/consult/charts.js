// Draws each chart of the consultation analysis from the page's JSON data file. The same
// figures are in the table beside each chart, so the page is complete without this script.
const source = document.querySelector("[data-chart-source]");
const canvases = document.querySelectorAll("canvas[data-chart]");

async function drawCharts() {
  if (!source || canvases.length === 0 || typeof window.Chart === "undefined") return;
  const response = await fetch(source.dataset.chartSource, { credentials: "same-origin" });
  if (!response.ok) return;
  const { charts } = await response.json();
  const byId = new Map(charts.map((chart) => [chart.id, chart]));
  canvases.forEach((canvas) => {
    const chart = byId.get(canvas.dataset.chart);
    if (!chart) return;
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: chart.labels,
        datasets: [{ label: "Responses", data: chart.values, backgroundColor: "#1d70b8" }],
      },
      options: {
        indexAxis: "y",
        animation: false,
        plugins: { legend: { display: false }, title: { display: true, text: chart.title } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  });
}

drawCharts();
