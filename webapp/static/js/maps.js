/* Fabrique maps: the behaviour behind the folium maps built in mapping/maps.py.
 * Layers fetch what the viewport needs from the API; nothing is embedded in the page. */
(function () {
  "use strict";

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function bboxOf(map) {
    var b = map.getBounds();
    var clamp = function (v, lo, hi) { return Math.max(lo, Math.min(hi, v)); };
    return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -90, 90),
            clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -90, 90)]
      .map(function (v) { return v.toFixed(6); }).join(",");
  }

  function popupFor(feature, options) {
    var box = el("div");
    var props = feature.properties || {};
    var title = props._title || (options.labels && options.labels.feature) || "";
    box.appendChild(el("strong", title + " #" + feature.id));
    if (props._status && props._status !== "published" && options.labels && options.labels.statuses) {
      box.appendChild(el("div", options.labels.statuses[props._status] || props._status, {"class": "small"}));
    }
    if (options.featureUrl) {
      var link = el("a", (options.labels && options.labels.open) || "→",
                    {href: options.featureUrl.replace("__id__", feature.id)});
      box.appendChild(el("div")).appendChild(link);
    }
    return box;
  }

  function styleFor(feature) {
    var status = (feature.properties || {})._status;
    var pending = status && status !== "published";
    return {color: pending ? "#8a4b00" : "#1d4f91", weight: 3, dashArray: pending ? "4 4" : null,
            fillOpacity: 0.25, radius: 7};
  }

  /* The features of the viewport, fetched on every move; server clusters when many. */
  function viewport(map, options) {
    var markers = L.markerClusterGroup ? L.markerClusterGroup({showCoverageOnHover: false}) : L.layerGroup();
    var shapes = L.geoJSON(null, {style: styleFor}).addTo(map);
    var clusters = L.layerGroup().addTo(map);
    markers.addTo(map);
    var status = document.getElementById(options.statusId || "map-status");
    var controller = null, timer = null;

    function say(text) { if (status) status.textContent = text || ""; }

    function draw(data) {
      markers.clearLayers(); shapes.clearLayers(); clusters.clearLayers();
      if (data.type === "Clusters") {
        data.clusters.forEach(function (c) {
          var icon = L.divIcon({className: "map-cluster", html: "", iconSize: [40, 40]});
          var marker = L.marker([c.lat, c.lon], {icon: icon, keyboard: true,
                                                 title: String(c.count)});
          marker.on("add", function () {
            var node = marker.getElement();
            if (node) { node.textContent = String(c.count); }
          });
          marker.on("click", function () { map.setView([c.lat, c.lon], map.getZoom() + 2); });
          clusters.addLayer(marker);
        });
        var total = data.clusters.reduce(function (s, c) { return s + c.count; }, 0);
        say(((options.labels && options.labels.clustered) || "%d").replace("%d", total));
        map.getContainer().dataset.loaded = "clusters";
        return;
      }
      data.features.forEach(function (f) {
        var layer;
        if (f.geometry.type === "Point") {
          var c = f.geometry.coordinates;
          layer = L.circleMarker([c[1], c[0]], styleFor(f));
          markers.addLayer(layer);
        } else {
          layer = L.geoJSON(f, {style: styleFor});
          shapes.addLayer(layer);
        }
        layer.bindPopup(function () { return popupFor(f, options); });
      });
      say(((options.labels && options.labels.shown) || "%d").replace("%d", data.features.length));
      map.getContainer().dataset.loaded = String(data.features.length);
    }

    function load() {
      if (controller) controller.abort();
      controller = new AbortController();
      var url = options.url + (options.url.indexOf("?") < 0 ? "?" : "&") + "bbox=" + bboxOf(map);
      fetch(url, {signal: controller.signal, credentials: "same-origin",
                  headers: {Accept: "application/json"}})
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(draw)
        .catch(function (e) {
          if (e.name !== "AbortError") say((options.labels && options.labels.error) || "!");
        });
    }

    map.on("moveend", function () { clearTimeout(timer); timer = setTimeout(load, 150); });
    load();
    return {reload: load};
  }

  /* A small fixed shape drawn as an outline (an area of interest). */
  function outline(map, options) {
    if (!options.geometry) return null;
    return L.geoJSON(options.geometry, {
      style: {color: "#444", weight: 2, fill: false, dashArray: "6 4"},
      interactive: false
    }).addTo(map);
  }

  window.FabriqueMaps = {viewport: viewport, outline: outline, el: el, bboxOf: bboxOf};
})();
