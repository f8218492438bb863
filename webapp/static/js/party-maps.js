/* Fabrique mapping parties: task cells by status, the meeting point, the live map of
 * contributions, and the organisers' drawing tools (Leaflet-Geoman). The pages work
 * without this file: every action is also a plain form in the page. */
(function () {
  "use strict";

  var COLOURS = {open: "#5c636a", claimed: "#b35c00", done: "#1d4f91", validated: "#146c43"};

  function el(tag, text, attrs) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function fill(template, values) {
    return Object.keys(values).reduce(function (text, key) {
      return text.split("__" + key + "__").join(values[key]);
    }, template || "");
  }

  function cellStyle(props) {
    var colour = COLOURS[props.status] || COLOURS.open;
    return {
      color: props.mine ? "#000" : colour,
      weight: props.mine ? 4 : 2,
      dashArray: props.mine ? "6 3" : null,
      fillColor: colour,
      fillOpacity: props.status === "open" ? 0.08 : 0.35
    };
  }

  /* The popup of a cell: its number, status, holder, and the same forms as its table row. */
  function cellPopup(feature, labels) {
    var p = feature.properties, box = el("div", null, {"class": "task-popup"});
    box.appendChild(el("strong", fill(labels.cell, {n: p.number})));
    var status = p.status_label + (p.holder ? " — " + fill(labels.held_by, {name: p.holder}) : "");
    box.appendChild(el("div", status, {"class": "small mb-1"}));
    var row = document.getElementById("task-" + feature.id);
    var actions = row && row.querySelector(".task-actions");
    if (actions && actions.querySelector("form")) {
      box.appendChild(el("div", labels.actions, {"class": "small fw-semibold"}));
      var copy = actions.cloneNode(true);
      // The copy must not repeat the row's ids: its note field keeps its name as a label.
      Array.prototype.forEach.call(copy.querySelectorAll("label[for]"), function (label) {
        var field = copy.querySelector("#" + label.getAttribute("for"));
        if (field) { field.setAttribute("aria-label", label.textContent); field.removeAttribute("id"); }
        label.parentNode.removeChild(label);
      });
      box.appendChild(copy);
    }
    if (row) box.appendChild(el("a", labels.see_row, {href: "#task-" + feature.id, "class": "small"}));
    return box;
  }

  /* Task cells coloured by effective status; a click shows what the viewer can do. */
  function tasks(map, options) {
    var labels = options.labels || {};
    var layer = L.geoJSON(options.cells, {
      style: function (f) { return cellStyle(f.properties); },
      onEachFeature: function (feature, cell) {
        var p = feature.properties;
        cell.bindTooltip(fill(labels.cell, {n: p.number}) + " · " + p.status_label, {sticky: true});
        cell.bindPopup(function () { return cellPopup(feature, labels); });
        cell.on("click", function () {
          var row = document.getElementById("task-" + feature.id);
          Array.prototype.forEach.call(document.querySelectorAll("tr.task-selected"), function (r) {
            r.classList.remove("task-selected");
          });
          if (row) row.classList.add("task-selected");
        });
      }
    }).addTo(map);
    map.getContainer().dataset.cells = String(options.cells.features.length);
    return layer;
  }

  function meetingPoint(map, options) {
    return L.marker([options.lat, options.lon], {title: options.label, alt: options.label})
      .bindTooltip(options.label).addTo(map);
  }

  /* Contributions as they arrive: poll the feed every few seconds while the tab is visible. */
  function live(map, options) {
    var labels = options.labels || {}, seen = {}, since = null, timer = null, first = true;
    var group = L.featureGroup().addTo(map);
    var status = document.getElementById(options.statusId);
    var counter = document.getElementById(options.countId);
    var interval = (options.intervalSeconds || 10) * 1000;

    function say(text) { if (status) status.textContent = text; }

    function draw(feature) {
      var p = feature.properties || {}, pending = p._status !== "published";
      var style = {color: pending ? "#8a4b00" : "#1d4f91", weight: 3, radius: 7,
                   dashArray: pending ? "4 4" : null, fillOpacity: 0.3};
      var layer = feature.geometry.type === "Point"
        ? L.circleMarker([feature.geometry.coordinates[1], feature.geometry.coordinates[0]], style)
        : L.geoJSON(feature, {style: style});
      var text = ((labels.types || {})[p._type] || p._type || "") + " #" + feature.id;
      layer.bindPopup(text + (pending ? " (" + labels.pending + ")" : ""));
      if (seen[feature.id]) group.removeLayer(seen[feature.id]);
      seen[feature.id] = layer;
      group.addLayer(layer);
    }

    function schedule() {
      clearTimeout(timer);
      if (!document.hidden) timer = setTimeout(poll, interval);
    }

    function poll() {
      var url = options.url + (since ? "?since=" + encodeURIComponent(since) : "");
      fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (data) {
          var fresh = data.features.filter(function (f) { return !seen[f.id]; }).length;
          data.features.forEach(draw);
          since = data.next_since;
          var total = Object.keys(seen).length;
          if (counter) counter.textContent = String(total);
          if (!first && fresh) {
            say(fresh === 1 ? labels.arrived_one : fill(labels.arrived_many, {n: fresh}));
          }
          first = false;
          map.getContainer().dataset.features = String(total);
        })
        .catch(function () { say(labels.error); })
        .then(schedule);
    }

    document.addEventListener("visibilitychange", function () {
      if (document.hidden) { clearTimeout(timer); } else { poll(); }
    });
    poll();
    return {poll: poll};
  }

  function polygonsOf(group) {
    var out = [];
    group.eachLayer(function (layer) {
      var g = layer.toGeoJSON().geometry;
      if (g.type === "Polygon") out.push(g.coordinates);
      if (g.type === "MultiPolygon") out.push.apply(out, g.coordinates);
    });
    return out;
  }

  function drawControls(map) {
    if (!map.pm) return false;
    map.pm.setLang(document.documentElement.lang === "fr" ? "fr" : "en");
    map.pm.addControls({
      position: "topleft", drawMarker: false, drawCircleMarker: false, drawPolyline: false,
      drawCircle: false, drawText: false, cutPolygon: false, rotateMode: false, dragMode: false
    });
    // Geoman's buttons are links named only by their container's tooltip: give them the name.
    Array.prototype.forEach.call(
      map.getContainer().querySelectorAll(".leaflet-buttons-control-button"),
      function (button) {
        var title = button.parentNode && button.parentNode.getAttribute("title");
        if (title) button.setAttribute("aria-label", title);
      });
    return true;
  }

  /* The organisers' form: draw the area, click to place the meeting point. */
  function editParty(map, options) {
    var areaInput = document.getElementById(options.areaInput);
    var lonInput = document.getElementById(options.lonInput);
    var latInput = document.getElementById(options.latInput);
    var drawn = L.featureGroup().addTo(map), marker = null;
    if (options.area) {
      var area = typeof options.area === "string" ? JSON.parse(options.area) : options.area;
      L.geoJSON(area).eachLayer(function (l) { drawn.addLayer(l); });
    }
    function writeArea() {
      var polygons = polygonsOf(drawn);
      if (areaInput) {
        areaInput.value = polygons.length ? JSON.stringify({type: "MultiPolygon", coordinates: polygons}) : "";
      }
    }
    function place(lat, lon) {
      if (marker) { marker.setLatLng([lat, lon]); } else {
        marker = L.marker([lat, lon], {title: options.labels.point, alt: options.labels.point}).addTo(map);
      }
    }
    if (options.lon !== null && options.lon !== undefined) place(options.lat, options.lon);
    if (drawControls(map)) {
      map.on("pm:create", function (e) {
        drawn.addLayer(e.layer);
        e.layer.on("pm:edit", writeArea);
        writeArea();
      });
      map.on("pm:remove", function (e) { drawn.removeLayer(e.layer); writeArea(); });
      drawn.eachLayer(function (l) { l.on("pm:edit", writeArea); });
    }
    map.on("click", function (e) {
      if (map.pm && map.pm.globalDrawModeEnabled && map.pm.globalDrawModeEnabled()) return;
      place(e.latlng.lat, e.latlng.lng);
      if (lonInput) lonInput.value = e.latlng.lng.toFixed(6);
      if (latInput) latInput.value = e.latlng.lat.toFixed(6);
    });
    [lonInput, latInput].forEach(function (input) {
      if (!input) return;
      input.addEventListener("change", function () {
        var lon = parseFloat(lonInput.value), lat = parseFloat(latInput.value);
        if (isFinite(lon) && isFinite(lat)) place(lat, lon);
      });
    });
    return drawn;
  }

  /* The organisers' cells page: draw polygons, written to the form as a FeatureCollection. */
  function drawCells(map, options) {
    var input = document.getElementById(options.input);
    L.geoJSON(options.cells, {style: {color: "#5c636a", weight: 1, fillOpacity: 0.05},
                              interactive: false, pmIgnore: true}).addTo(map);
    var drawn = L.featureGroup().addTo(map);
    function write() {
      var features = polygonsOf(drawn).map(function (coords) {
        return {type: "Feature", properties: {}, geometry: {type: "Polygon", coordinates: coords}};
      });
      if (input) input.value = features.length ? JSON.stringify({type: "FeatureCollection", features: features}) : "";
    }
    if (drawControls(map)) {
      map.on("pm:create", function (e) { drawn.addLayer(e.layer); e.layer.on("pm:edit", write); write(); });
      map.on("pm:remove", function (e) { drawn.removeLayer(e.layer); write(); });
    }
    return drawn;
  }

  var ours = {tasks: tasks, meetingPoint: meetingPoint, live: live, editParty: editParty,
              drawCells: drawCells};

  function extend(target) {
    Object.keys(ours).forEach(function (k) { target[k] = ours[k]; });
    return target;
  }

  /* maps.js may load after this file and assign window.FabriqueMaps afresh: add our
   * functions to whichever object ends up there. */
  if (window.FabriqueMaps) {
    extend(window.FabriqueMaps);
  } else {
    var holder;
    Object.defineProperty(window, "FabriqueMaps", {
      configurable: true,
      enumerable: true,
      get: function () { return holder; },
      set: function (value) { holder = value ? extend(value) : value; }
    });
  }
})();
