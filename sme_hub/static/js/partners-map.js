/* Draws the partners' map from the JSON island #partner-map-data into #partner-map.
   The page is complete without it (the list says everything the map shows), so the map
   box stays hidden unless Leaflet loaded; tiles come from OpenStreetMap in the browser.
   After htmx swaps the directory's results, the markers are redrawn from the new island. */
(function () {
  "use strict";
  var map = null;
  var layer = null;

  function readData() {
    var island = document.getElementById("partner-map-data");
    if (!island) return null;
    try {
      return JSON.parse(island.textContent);
    } catch (e) {
      return null;
    }
  }

  function popupOf(marker, linkText) {
    // Built from text nodes, never HTML: partner names are typed by people.
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = marker.name;
    var link = document.createElement("a");
    link.href = marker.url;
    link.textContent = linkText;
    box.appendChild(name);
    box.appendChild(document.createElement("br"));
    box.appendChild(link);
    return box;
  }

  // Leaflet's marker icon is 25 x 41 px, anchored at its bottom middle. Partners at (nearly)
  // the same address would be drawn over each other: a target nobody can pick (WCAG 2.5.8).
  var ICON = { width: 25, height: 41, gap: 6 };

  function overlaps(a, b) {
    return Math.abs(a.x - b.x) < ICON.width + ICON.gap && Math.abs(a.y - b.y) < ICON.height;
  }

  // Each marker is drawn at its own point, or beside it on the same line when that spot is
  // taken; redone at every zoom, since points that overlap change with it.
  function spread() {
    var placed = [];
    layer.eachLayer(function (marker) {
      var home = map.latLngToLayerPoint(marker.home);
      var point = home;
      for (var step = 1; placed.some(function (p) { return overlaps(p, point); }); step++) {
        var side = step % 2 ? 1 : -1;
        point = home.add([side * Math.ceil(step / 2) * (ICON.width + ICON.gap), 0]);
      }
      placed.push(point);
      marker.setLatLng(map.layerPointToLatLng(point));
    });
  }

  function inPageLanguage(newMap, data) {
    // Leaflet's controls have English titles and labels: the page's words replace them.
    var words = data.controls || {};
    L.control.zoom({ zoomInTitle: words.zoom_in, zoomOutTitle: words.zoom_out }).addTo(newMap);
    var credit = document.createElement("a");
    credit.href = "https://leafletjs.com";
    credit.title = words.leaflet || "";
    credit.textContent = "Leaflet";
    newMap.attributionControl.setPrefix(credit.outerHTML);
    newMap.on("popupopen", function (event) {
      var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close && words.close_popup) close.setAttribute("aria-label", words.close_popup);
    });
    return newMap;
  }

  function draw() {
    var box = document.getElementById("partner-map");
    var data = readData();
    if (!box || typeof L === "undefined") return;
    var markers = (data && data.markers) || [];
    if (!markers.length) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    if (!map) {
      map = inPageLanguage(L.map(box, { scrollWheelZoom: false, zoomControl: false }), data);
      L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.attribution }).addTo(map);
      layer = L.layerGroup().addTo(map);
      map.on("zoomend", spread);
    }
    layer.clearLayers();
    var points = [];
    markers.forEach(function (m) {
      // title and alt give each marker (a focusable image) its accessible name.
      var marker = L.marker([m.lat, m.lng], { title: m.name, alt: m.name, keyboard: true })
        .bindPopup(popupOf(m, data.link_text))
        .addTo(layer);
      marker.home = L.latLng(m.lat, m.lng);
      points.push([m.lat, m.lng]);
    });
    map.invalidateSize();
    if (points.length === 1) {
      map.setView(points[0], data.zoom || 13);
    } else {
      map.fitBounds(points, { padding: [30, 30], maxZoom: data.zoom || 13 });
    }
    spread();
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "partner-results") draw();
  });
})();
