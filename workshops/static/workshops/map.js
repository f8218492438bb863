// Leaflet maps of workshops: show a point, or let people pick one into two inputs.
// Settings come from data attributes (no inline script: the Content-Security-Policy forbids it).
(function () {
  "use strict";
  function number(value) {
    var parsed = parseFloat(value);
    return isNaN(parsed) ? null : parsed;
  }
  document.querySelectorAll("[data-map]").forEach(function (element) {
    var data = element.dataset;
    var lon = number(data.lon);
    var lat = number(data.lat);
    var hasPoint = lon !== null && lat !== null;
    var centre = hasPoint ? [lat, lon] : [number(data.centerLat), number(data.centerLon)];
    var map = L.map(element).setView(centre, hasPoint ? 16 : parseInt(data.zoom || "13", 10));
    L.tileLayer(data.tiles, { attribution: data.attribution, maxZoom: 19 }).addTo(map);
    var options = { alt: data.markerLabel, keyboard: false };
    var marker = hasPoint ? L.marker([lat, lon], options).addTo(map) : null;
    if (!data.pickLon) {
      return;
    }
    var lonInput = document.getElementById(data.pickLon);
    var latInput = document.getElementById(data.pickLat);
    function place(latlng) {
      if (marker) {
        marker.setLatLng(latlng);
      } else {
        marker = L.marker(latlng, options).addTo(map);
      }
    }
    map.on("click", function (event) {
      var point = event.latlng.wrap();
      // Longitude first in the form, as everywhere in Fabrique.
      lonInput.value = point.lng.toFixed(6);
      latInput.value = point.lat.toFixed(6);
      place(point);
    });
    function fromInputs() {
      var typedLon = number(lonInput.value);
      var typedLat = number(latInput.value);
      if (typedLon !== null && typedLat !== null && Math.abs(typedLat) <= 90) {
        place([typedLat, typedLon]);
      }
    }
    lonInput.addEventListener("change", fromInputs);
    latInput.addEventListener("change", fromInputs);
  });
})();
