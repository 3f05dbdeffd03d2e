// What every map draws under its own points: the configured tile layer (production: the OS Maps
// API or another XYZ source) or, without one, the approximate basemap the project ships (land,
// coast, district borders and names, traced from postcode positions; see docs/runbooks/maps.md).
// The settings arrive as data attributes on the map's element (familyreach.web.maps).

const BASEMAP_PANE = "basemap";
// Below this zoom the whole county is a few hundred pixels wide and the names would overlap.
const LABELS_FROM_ZOOM = 8;

function ensureAttribution(map) {
  // Some maps turn the control off to save room; a tile provider's credit (and the word
  // "approximate" on our own outlines) must still show.
  if (!map.attributionControl) {
    map.attributionControl = window.L.control.attribution({ prefix: false }).addTo(map);
  }
  return map.attributionControl;
}

async function drawBasemap(map, url, attribution) {
  const L = window.L;
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) return;
  const basemap = await response.json();
  // Its own pane, below the points (overlayPane is 400), so it never covers a marker even when
  // it arrives after them; SVG so the outlines stay sharp while zooming.
  const pane = map.getPane(BASEMAP_PANE) || map.createPane(BASEMAP_PANE);
  pane.style.zIndex = "250";
  pane.style.pointerEvents = "none";
  const renderer = L.svg({ pane: BASEMAP_PANE });
  L.geoJSON(basemap, {
    pane: BASEMAP_PANE,
    renderer,
    interactive: false,
    filter: (feature) => feature.properties.kind !== "district-label",
    style: (feature) =>
      feature.properties.kind === "land"
        ? { className: "app-basemap-land", color: "#505a5f", weight: 1.5, fillColor: "#ffffff", fillOpacity: 1 }
        : { className: "app-basemap-border", color: "#6f777b", weight: 1.5, dashArray: "4 4" },
  }).addTo(map);
  for (const feature of basemap.features) {
    if (feature.properties.kind !== "district-label") continue;
    const [lon, lat] = feature.geometry.coordinates;
    L.marker([lat, lon], {
      pane: BASEMAP_PANE,
      interactive: false,
      keyboard: false,
      // Leaflet moves the icon with a transform, so the name is centred by a span inside it.
      icon: L.divIcon({ className: "app-basemap-label", html: "<span></span>", iconSize: null }),
    })
      .addTo(map)
      .getElement().firstChild.textContent = feature.properties.name;
  }
  const showLabels = () => pane.classList.toggle("app-basemap--no-labels", map.getZoom() < LABELS_FROM_ZOOM);
  map.on("zoomend", showLabels);
  map.whenReady(showLabels);
  ensureAttribution(map).addAttribution(attribution);
}

export function addBackground(map, element) {
  const L = window.L;
  const settings = element.dataset;
  if (settings.tileUrl) {
    L.tileLayer(settings.tileUrl, {
      maxZoom: Number(settings.tileMaxZoom) || 18,
      attribution: settings.tileAttribution,
    }).addTo(map);
    ensureAttribution(map);
    return Promise.resolve();
  }
  if (settings.basemapUrl) {
    element.classList.add("app-map--basemap");
    return drawBasemap(map, settings.basemapUrl, settings.basemapAttribution);
  }
  return Promise.resolve();
}
