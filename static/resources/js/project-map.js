// Progressive enhancement: the Projétothèque works without this map; it only draws the filtered projects.
(function () {
  "use strict";
  var container = document.getElementById("projects-map");
  var data = document.getElementById("projects-map-points");
  if (!container || !data || typeof L === "undefined") { return; }
  var points = JSON.parse(data.textContent);
  if (!points.length) { return; }
  var tiles = container.getAttribute("data-tiles") || "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
  var map = L.map(container, { scrollWheelZoom: false });
  L.tileLayer(tiles, { maxZoom: 18, attribution: "© OpenStreetMap" }).addTo(map);
  var label = container.getAttribute("data-label") || "";
  var bounds = [];
  points.forEach(function (p) {
    var radius = Math.min(6 + Math.sqrt(p.count) * 3, 24);
    var marker = L.circleMarker([p.lat, p.lon], { radius: radius, color: "#000091", weight: 1, fillOpacity: 0.6 });
    var link = document.createElement("a");
    var params = new URLSearchParams(window.location.search);
    params.set("q", p.name);
    params.delete("page");
    link.href = "?" + params.toString();
    link.textContent = p.name + " : " + p.count + " " + label;
    marker.bindPopup(link);
    marker.addTo(map);
    bounds.push([p.lat, p.lon]);
  });
  map.fitBounds(bounds, { padding: [20, 20], maxZoom: 11 });
})();
