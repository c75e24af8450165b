// Progressive enhancement: the pages work without their maps; a map only draws what the page lists.
// Every map draws on the départements' outlines shipped with the site (carte/fond.geojson), so no
// visitor's address goes to a third party; a tile layer is added only when the site configures one
// (HUB_MAP_TILES_URL, whose origin the Content-Security-Policy then admits).
// A map element (.hub-map) may carry:
//   data-points  a JSON URL answering {points: [{name, lat, lon, count, url?}]}: one circle per point;
//   data-points-inline  the id of a <script type="application/json"> holding such a list, in the page;
//   data-outline a GeoJSON URL (a territory's outline), drawn over the base and fitted;
//   data-base    the base outlines' URL; data-tiles the tile URL template; data-label the counted noun.
(function () {
  "use strict";
  if (typeof L === "undefined" || !window.fetch) { return; }

  function getJSON(url) {
    if (!url) { return Promise.resolve(null); }
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .catch(function () { return null; });
  }

  function inline(id) {
    var element = id && document.getElementById(id);
    return element ? Promise.resolve({ points: JSON.parse(element.textContent) }) : null;
  }

  function popupLink(point, label) {
    var link = document.createElement("a");
    if (point.url) {
      link.href = point.url;
    } else {
      var params = new URLSearchParams(window.location.search);
      params.set("q", point.name);
      params.delete("page");
      link.href = "?" + params.toString();
    }
    link.textContent = point.name + " : " + point.count + " " + label;
    return link;
  }

  function draw(container, base, outline, data) {
    var points = (data && data.points) || [];
    if (!points.length && !outline) { return; }
    var tiles = container.getAttribute("data-tiles");
    var label = container.getAttribute("data-label") || "";
    var layers = [];
    var bounds = L.latLngBounds([]);
    if (tiles) {
      layers.push(L.tileLayer(tiles, { maxZoom: 18 }));  // its credit line is printed under the map
    }
    if (base) {
      layers.push(L.geoJSON(base, {
        interactive: false,
        style: { color: "#8d8d8d", weight: 0.8, fillColor: "#ffffff", fillOpacity: tiles ? 0 : 1 }
      }));
    }
    if (outline) {
      var shape = L.geoJSON(outline, { interactive: false, style: { color: "#000091", weight: 2, fillOpacity: 0.08 } });
      layers.push(shape);
      bounds.extend(shape.getBounds());
    }
    points.forEach(function (p) {
      var radius = Math.min(6 + Math.sqrt(p.count) * 3, 24);
      var marker = L.circleMarker([p.lat, p.lon], { radius: radius, color: "#000091", weight: 1, fillOpacity: 0.6 });
      marker.bindPopup(popupLink(p, label));
      layers.push(marker);
      bounds.extend([p.lat, p.lon]);
    });
    // The view first: Leaflet draws vector layers against the view they are added to.
    var map = L.map(container, { scrollWheelZoom: false, attributionControl: false });
    map.fitBounds(bounds, { padding: [20, 20], maxZoom: outline ? 12 : 8 });
    layers.forEach(function (layer) { layer.addTo(map); });
    container.classList.add("hub-map--drawn");
  }

  Array.prototype.forEach.call(document.querySelectorAll(".hub-map"), function (container) {
    Promise.all([
      getJSON(container.getAttribute("data-base")),
      getJSON(container.getAttribute("data-outline")),
      inline(container.getAttribute("data-points-inline")) || getJSON(container.getAttribute("data-points"))
    ]).then(function (parts) { draw(container, parts[0], parts[1], parts[2]); });
  });
})();
