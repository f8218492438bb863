"""Map builders: folium maps whose Leaflet and plugins are served by the app, cut into
the three parts our base template embeds (head, body, script) with the request's CSP nonce.

Maps never embed features: layers fetch what the viewport needs from the API through
`static/js/maps.js`. Only small, fixed shapes (an area, a meeting point, task cells of a
party) are embedded.
"""

import json
import re

import folium
from branca.element import MacroElement
from flask import current_app, url_for
from jinja2 import Template
from markupsafe import Markup, escape

from mapping import geo
from webapp import settings

VENDOR_JS = {
    "leaflet": "vendor/leaflet/leaflet.js",
    "markercluster": "vendor/markercluster/leaflet.markercluster.js",
    "geoman": "vendor/geoman/leaflet-geoman.min.js",
    "fabrique_maps": "js/maps.js",
    "party_maps": "js/party-maps.js",
}
VENDOR_CSS = {
    "leaflet_css": "vendor/leaflet/leaflet.css",
    "markercluster_css": "vendor/markercluster/MarkerCluster.css",
    "markercluster_default_css": "vendor/markercluster/MarkerCluster.Default.css",
    "geoman_css": "vendor/geoman/leaflet-geoman.css",
}
# Folium's page-level extras we never want in our pages: a viewport that forbids zooming
# (an accessibility failure), and styles that would take over the whole page.
_DROP = [
    re.compile(r"<meta[^>]*>", re.I),
    re.compile(r"<style>\s*html,\s*body\s*\{.*?</style>", re.S),
    re.compile(r"<style>\s*#map\s*\{.*?</style>", re.S),
]


def _static(path):
    return url_for("static", filename=path)


def base_map(bounds=None, center_latlon=(43.6108, 3.8767), zoom=13, plugins=()):
    """A map with the configured base tiles; `bounds` is (minlon, minlat, maxlon, maxlat)."""
    fmap = folium.Map(location=list(center_latlon), zoom_start=zoom, tiles=None, control_scale=True)
    names = ["leaflet", *plugins, "fabrique_maps"]
    fmap.default_js = [(n, _static(VENDOR_JS[n])) for n in names]
    css = ["leaflet_css"] + [c for n in plugins for c in VENDOR_CSS if c.startswith(n)]
    fmap.default_css = [(c, _static(VENDOR_CSS[c])) for c in css]
    folium.TileLayer(
        tiles=current_app.config["TILE_URL"],
        # The admins' wording (plain text) from the institution settings.
        attr=str(escape(settings.current().tile_attribution or "© OpenStreetMap contributors")),
        name="base",
        max_zoom=19,
    ).add_to(fmap)
    if bounds is not None:
        minlon, minlat, maxlon, maxlat = bounds
        fmap.fit_bounds([[minlat, minlon], [maxlat, maxlon]])
    return fmap


class _Call(MacroElement):
    """Calls one function of static/js/maps.js with the map and JSON options."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "FabriqueMaps.{{ this.function }}({{ this._parent.get_name() }}, {{ this.options }});"
        "{% endmacro %}"
    )

    def __init__(self, function, options):
        super().__init__()
        self._name = "FabriqueMaps"
        self.function = function
        # Escape "</" so no value can close the script element.
        self.options = Markup(json.dumps(options).replace("</", "<\\/"))


def add_call(fmap, function, **options):
    _Call(function, options).add_to(fmap)
    return fmap


def add_outline(fmap, geometry, label=None):
    """A small fixed shape (an inventory's or a party's area) drawn as an outline."""
    return add_call(fmap, "outline", geometry=geo.to_geojson(geometry), label=label)


def inventory_map(inventory, data_url, feature_url, labels, bounds=None):
    """The map of an inventory: its area and the features of the viewport, loaded from
    the API as the map moves, clustered when many."""
    area = geo.from_db(inventory.area)
    fmap = base_map(bounds=bounds or area.bounds, plugins=["markercluster"])
    add_outline(fmap, area)
    return add_call(fmap, "viewport", url=data_url, featureUrl=feature_url, labels=labels)


def render(fmap, nonce):
    """Cut a folium map into head, body and script parts for our base template."""
    root = fmap.get_root()
    root.render()
    head = root.header.render()
    for pattern in _DROP:
        head = pattern.sub("", head)
    head = _with_nonce(head, nonce)
    body = root.html.render()
    script = root.script.render()
    return {
        "head": Markup(head),
        "html": Markup(f'<div class="map-frame">{body}</div>'),
        "script": Markup(f'<script nonce="{nonce}">{script}</script>'),
        "id": fmap.get_name(),
    }


def _with_nonce(html, nonce):
    html = html.replace("<style>", f'<style nonce="{nonce}">')
    return re.sub(r"<script>", f'<script nonce="{nonce}">', html)
