// Progressive enhancement: the Projétothèque works without this map; it only draws the filtered projects.
// The points (one per commune, with its number of projects) come from the listing's carte.json route,
// with the same filters as the page, so the page's HTML does not grow with the number of communes.
(function () {
  "use strict";
  var container = document.getElementById("projects-map");
  if (!container || typeof L === "undefined" || !window.fetch) { return; }
  var source = container.getAttribute("data-points");
  if (!source) { return; }

  function draw(points) {
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
  }

  fetch(source, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : { points: [] }; })
    .then(function (data) { draw(data.points || []); })
    .catch(function () { /* no map: the list of results stays */ });
})();
