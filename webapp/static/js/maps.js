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

  function parsed(value) {
    if (!value) return null;
    if (typeof value !== "string") return value;
    try { return JSON.parse(value); } catch (e) { return null; }
  }

  function fill(text, values) {
    return Object.keys(values).reduce(function (t, k) { return t.replace("%" + k, values[k]); }, text || "");
  }

  /* Place a point or draw a line or an area (Leaflet-Geoman), written as GeoJSON into a
   * hidden input. Buttons outside the map (data-draw-for="<input id>") drive it, so that
   * it works with a keyboard and offers large touch targets:
   *   data-draw="Point|LineString|Polygon"   choose what to draw
   *   data-draw-action="centre|locate|finish|clear"
   * On a map click in point mode, the point moves there. Options: input, types, initial,
   * statusId, latInput, lonInput, decimalComma,
   * labels {placed, drawn, drawing, cleared, marker, locating, denied, unavailable}. */
  function draw(map, options) {
    var input = document.getElementById(options.input);
    var status = document.getElementById(options.statusId || "draw-status");
    var labels = options.labels || {};
    var types = options.types || ["Point"];
    var container = map.getContainer();
    var layer = null, mode = types[0];
    var PM_SHAPES = {LineString: "Line", Polygon: "Polygon"};
    var buttons = document.querySelectorAll('[data-draw-for="' + options.input + '"]');

    function say(text) { if (status) status.textContent = text || ""; }

    /* Latitude and longitude boxes (coordinate entry, the keyboard's way): they follow the
     * map, and the map follows them. A decimal comma is accepted and shown in French. */
    var latBox = options.latInput && document.getElementById(options.latInput);
    var lonBox = options.lonInput && document.getElementById(options.lonInput);
    var typing = false;

    function shown(value) {
      var text = value.toFixed(6);
      return options.decimalComma ? text.replace(".", ",") : text;
    }

    function degrees(box, limit) {
      var text = (box && box.value || "").replace(/[\s\u00a0]/g, "");
      if (!/^[+-]?\d{1,3}([.,]\d+)?$/.test(text)) return null;
      var value = parseFloat(text.replace(",", "."));
      return Math.abs(value) <= limit ? value : null;
    }

    function fillBoxes(geometry) {
      if (!latBox || !lonBox || typing) return;
      var point = geometry && geometry.type === "Point";
      latBox.value = point ? shown(geometry.coordinates[1]) : "";
      lonBox.value = point ? shown(geometry.coordinates[0]) : "";
    }

    function write(geometry) {
      if (input) input.value = geometry ? JSON.stringify(geometry) : "";
      container.dataset.drawn = geometry ? geometry.type : "";
      fillBoxes(geometry);
      if (input) input.dispatchEvent(new Event("change", {bubbles: true}));
    }

    function followBoxes() {
      var lat = degrees(latBox, 90), lon = degrees(lonBox, 180);
      if (lat === null || lon === null) return;
      typing = true;
      choose("Point", true);
      placePoint(L.latLng(lat, lon));
      map.setView(layer.getLatLng(), Math.max(map.getZoom(), 16));
      typing = false;
    }

    function geometryOf(l) {
      var gj = l.toGeoJSON();
      return gj.type === "Feature" ? gj.geometry : gj;
    }

    function clear(silent) {
      if (map.pm) map.pm.disableDraw();
      if (layer) { map.removeLayer(layer); layer = null; }
      write(null);
      if (!silent) say(labels.cleared);
    }

    function placePoint(latlng, quiet) {
      clear(true);
      layer = L.marker(latlng, {draggable: true, keyboard: true, autoPan: true,
                                title: labels.marker || "", alt: labels.marker || ""}).addTo(map);
      layer.on("dragend", function () { placePoint(layer.getLatLng()); });
      write(geometryOf(layer));
      if (!quiet) say(fill(labels.placed, {lat: latlng.lat.toFixed(5), lon: latlng.lng.toFixed(5)}));
    }

    function editable(l) {
      layer = l;
      if (l.pm) {
        l.pm.enable({allowSelfIntersection: false});
        l.on("pm:edit", function () { write(geometryOf(l)); });
      }
      write(geometryOf(l));
    }

    function show(geometry) {
      if (!geometry) return;
      if (geometry.type === "Point") {
        var c = geometry.coordinates;
        placePoint(L.latLng(c[1], c[0]), true);
        map.setView(layer.getLatLng(), Math.max(map.getZoom(), 16));
        return;
      }
      if (geometry.type === "MultiPolygon" && geometry.coordinates.length === 1) {
        geometry = {type: "Polygon", coordinates: geometry.coordinates[0]};
      }
      var group = L.geoJSON(geometry);
      var first = group.getLayers()[0];
      if (geometry.type === "MultiPolygon" || !first) {
        layer = group.addTo(map);          /* shown as is; drawing again replaces it */
      } else {
        first.addTo(map);
        editable(first);
      }
      map.fitBounds(group.getBounds(), {maxZoom: 17});
      write(geometry);
    }

    function choose(type, idle) {
      mode = type;
      buttons.forEach(function (b) {
        if (b.dataset.draw) b.setAttribute("aria-pressed", String(b.dataset.draw === type));
      });
      if (!map.pm || idle) return;
      map.pm.disableDraw();
      if (PM_SHAPES[type]) {
        map.pm.enableDraw(PM_SHAPES[type], {snappable: false, allowSelfIntersection: false});
        say(labels.drawing);
      }
    }

    function locate() {
      if (!navigator.geolocation) { say(labels.unavailable); return; }
      say(labels.locating);
      navigator.geolocation.getCurrentPosition(function (pos) {
        var here = L.latLng(pos.coords.latitude, pos.coords.longitude);
        map.setView(here, Math.max(map.getZoom(), 17));
        if (mode === "Point" || types.length === 1 && types[0] === "Point") placePoint(here);
        else say("");
      }, function (error) {
        say(error && error.code === 1 ? labels.denied : labels.unavailable);
      }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
    }

    function finish() {
      var shape = PM_SHAPES[mode];
      var drawer = shape && map.pm && map.pm.Draw && map.pm.Draw[shape];
      if (drawer && drawer._enabled && drawer._finishShape) drawer._finishShape();
    }

    /* Vertex handles are focusable markers: give them a name (WCAG 4.1.2). */
    map.on("layeradd", function (e) {
      var icon = e.layer instanceof L.Marker && e.layer.getElement();
      if (icon && !icon.getAttribute("aria-label") && !icon.getAttribute("alt")) {
        icon.setAttribute("aria-label", labels.vertex || "");
      }
    });
    if (map.pm) {
      map.on("pm:create", function (e) {
        if (layer) map.removeLayer(layer);
        editable(e.layer);
        say(labels.drawn);
      });
    }
    map.on("click", function (e) {
      var drawing = map.pm && map.pm.globalDrawModeEnabled && map.pm.globalDrawModeEnabled();
      if (mode === "Point" && !drawing) placePoint(e.latlng);
    });
    buttons.forEach(function (b) {
      b.addEventListener("click", function (ev) {
        ev.preventDefault();
        if (b.dataset.draw) choose(b.dataset.draw);
        var action = b.dataset.drawAction;
        if (action === "centre") { choose("Point", true); placePoint(map.getCenter()); }
        else if (action === "locate") locate();
        else if (action === "finish") finish();
        else if (action === "clear") clear();
      });
      b.disabled = false;
    });
    [latBox, lonBox].forEach(function (box) {
      if (box) box.addEventListener("change", followBoxes);
    });
    var start = parsed(options.initial) || parsed(input && input.value);
    if (start && start.type === "LineString" && types.indexOf("LineString") >= 0) mode = "LineString";
    if (start && /Polygon/.test(start.type) && types.indexOf("Polygon") >= 0) mode = "Polygon";
    typing = true;        /* the boxes keep what the server sent back, typos included */
    show(start);
    typing = false;
    /* Something drawn already: edit it; nothing yet: start drawing what comes first. */
    choose(mode, Boolean(start));
    return {clear: clear, placePoint: placePoint, choose: choose};
  }

  /* One feature's geometry, fitted; a generalised position is drawn as a circle around the
   * cell centre, so that nobody reads it as the real place. */
  function shape(map, options) {
    var geometry = parsed(options.geometry);
    if (!geometry) return null;
    var layer;
    if (options.generalised && geometry.type === "Point") {
      var c = geometry.coordinates;
      layer = L.circle([c[1], c[0]], {radius: options.radius || 500, color: "#8a4b00",
                                      dashArray: "6 4", fillOpacity: 0.15, interactive: false});
    } else {
      layer = L.geoJSON(geometry, {
        style: {color: "#1d4f91", weight: 4, fillOpacity: 0.25},
        pointToLayer: function (f, ll) {
          return L.circleMarker(ll, {radius: 9, color: "#1d4f91", weight: 3, fillOpacity: 0.5});
        },
        interactive: false
      });
    }
    layer.addTo(map);
    map.fitBounds(layer.getBounds(), {maxZoom: options.generalised ? 14 : 17});
    return layer;
  }

  /* A small map of one geometry, made from a static element:
   * <div data-map-preview data-geojson="…" data-tiles="…" data-attribution="…">. */
  function preview(node) {
    var geometry = parsed(node.dataset.geojson);
    if (!geometry || !window.L) return null;
    var map = L.map(node, {scrollWheelZoom: false});
    L.tileLayer(node.dataset.tiles, {attribution: node.dataset.attribution || "", maxZoom: 19})
      .addTo(map);
    shape(map, {geometry: geometry});
    node.dataset.loaded = "1";
    return map;
  }

  function previewAll() {
    document.querySelectorAll("[data-map-preview]").forEach(preview);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", previewAll);
  else previewAll();

  window.FabriqueMaps = {viewport: viewport, outline: outline, draw: draw, shape: shape,
                         preview: preview, el: el, bboxOf: bboxOf};
})();
