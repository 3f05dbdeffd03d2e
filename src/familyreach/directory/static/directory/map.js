// Draws the places listed on the page on a Leaflet map. The list is the accessible
// equivalent (the map is a labelled region saying so), and the page works without it.
import { addBackground } from "../familyreach/maps.js";

const data = document.getElementById("find-map-data") || document.getElementById("service-map-data");
const element = document.getElementById("find-map") || document.getElementById("service-map");

if (data && element && window.L) {
  const { centre, points } = JSON.parse(data.textContent);
  const map = window.L.map(element, { scrollWheelZoom: false });
  addBackground(map, element);
  const bounds = [];
  if (centre) {
    window.L.circleMarker([centre.lat, centre.lon], { radius: 6, color: "#0b0c0c" })
      .bindTooltip(centre.label)
      .addTo(map);
    bounds.push([centre.lat, centre.lon]);
  }
  for (const point of points) {
    const marker = window.L.circleMarker([point.lat, point.lon], { radius: 8, color: "#1d70b8" });
    const label = document.createElement("span");
    if (point.url) {
      const link = document.createElement("a");
      link.href = point.url;
      link.textContent = point.name;
      label.appendChild(link);
    } else {
      label.textContent = point.name;
    }
    if (point.place) {
      label.appendChild(document.createTextNode(`, ${point.place}`));
    }
    marker.bindPopup(label).addTo(map);
    bounds.push([point.lat, point.lon]);
  }
  if (bounds.length === 1) {
    map.setView(bounds[0], 14);
  } else if (bounds.length > 1) {
    map.fitBounds(bounds, { padding: [20, 20] });
  }
}
