"""Folium maps of the mapping-party pages, built on `mapping.maps` and driven by
`static/js/party-maps.js`. Only small fixed shapes are embedded: the area, the meeting
point and the task cells (at most `parties.MAX_CELLS`); contributions are fetched."""

from flask import request
from flask_babel import gettext as _

from mapping import geo, maps
from mapping.services import party_pages

# Montpellier, when a party has neither area nor meeting point yet.
DEFAULT_BOUNDS = (3.85, 43.58, 3.92, 43.63)


def _nonce():
    # Set for each request by flask-talisman (what `csp_nonce()` gives templates).
    return getattr(request, "csp_nonce", "")


def render(fmap):
    return maps.render(fmap, _nonce())


def _bounds(party):
    event = party.registration_list
    if party.area is not None:
        minlon, minlat, maxlon, maxlat = geo.from_db(party.area).bounds
    elif event.lon is not None:
        d = 0.004
        minlon, minlat, maxlon, maxlat = event.lon - d, event.lat - d, event.lon + d, event.lat + d
    else:
        return DEFAULT_BOUNDS
    if event.lon is not None:
        minlon, maxlon = min(minlon, event.lon), max(maxlon, event.lon)
        minlat, maxlat = min(minlat, event.lat), max(maxlat, event.lat)
    return minlon, minlat, maxlon, maxlat


def _meeting_point(fmap, party):
    event = party.registration_list
    if event.lon is not None:
        maps.add_call(
            fmap,
            "meetingPoint",
            lon=event.lon,
            lat=event.lat,
            label=_("Meeting point: %(address)s", address=event.address or ""),
        )


def party_map(party, rows):
    """The party's area, meeting point and task cells coloured by status."""
    fmap = maps.base_map(bounds=_bounds(party), plugins=["party_maps"])
    if party.area is not None:
        maps.add_outline(fmap, geo.from_db(party.area))
    _meeting_point(fmap, party)
    if rows:
        maps.add_call(
            fmap,
            "tasks",
            cells=party_pages.tasks_geojson(rows),
            labels={
                "cell": _("Cell %(number)s", number="__n__"),
                "held_by": _("held by %(name)s", name="__name__"),
                "actions": _("What you can do"),
                "see_row": _("See this cell in the table"),
            },
        )
    return fmap


def live_map(party, feed_url):
    """The party's area and the contributions as they arrive (polled from the API)."""
    fmap = maps.base_map(bounds=_bounds(party), plugins=["party_maps"])
    if party.area is not None:
        maps.add_outline(fmap, geo.from_db(party.area))
    _meeting_point(fmap, party)
    return maps.add_call(
        fmap,
        "live",
        url=feed_url,
        intervalSeconds=10,
        statusId="live-status",
        countId="live-count",
        labels={
            "arrived_one": _("1 new contribution on the map."),
            "arrived_many": _("%(num)s new contributions on the map.", num="__n__"),
            "total": "__n__",
            "pending": _("waiting for review"),
            "paused": _("Updates paused while this tab is hidden."),
            "error": _("The map could not be updated; it will try again."),
            "types": {str(k): str(v) for k, v in party_pages.type_labels().items()},
        },
    )


def edit_map(party=None, area=None, lon=None, lat=None):
    """Draw the area (Leaflet-Geoman) and pick the meeting point on the organisers' form."""
    bounds = _bounds(party) if party is not None else DEFAULT_BOUNDS
    fmap = maps.base_map(bounds=bounds, plugins=["geoman", "party_maps"])
    return maps.add_call(
        fmap,
        "editParty",
        area=area,
        lon=lon,
        lat=lat,
        areaInput="area",
        lonInput="lon",
        latInput="lat",
        labels={"point": _("Meeting point")},
    )


def cells_map(party, rows):
    """Draw cells by hand (Leaflet-Geoman) over the area and the existing cells."""
    fmap = maps.base_map(bounds=_bounds(party), plugins=["geoman", "party_maps"])
    if party.area is not None:
        maps.add_outline(fmap, geo.from_db(party.area))
    return maps.add_call(
        fmap,
        "drawCells",
        cells=party_pages.tasks_geojson(rows),
        input="tasks",
    )
