"""OGC API – Features (Part 1: Core) over the open inventories, for QGIS, GDAL and any
OGC client: landing page, conformance, API definition, collections, items, one item.

An open-data channel: published features only, with the public geometry and values for
everyone (staff work in the app). Collections are the inventories open for contribution;
drafts, closed and archived inventories are not served.
"""

from datetime import UTC, date, datetime, time

from flask import Blueprint, request, url_for
from flask_babel import lazy_gettext as _l

from mapping import formschema, geo, serializers
from mapping.api.common import GEOJSON, json_response
from mapping.models import OPEN
from mapping.services import features, inventories, listing
from webapp import settings
from webapp.db import utcnow
from webapp.errors import DomainError, NotFound, ValidationError
from webapp.urls import SQL_INTEGER_MAX

bp = Blueprint("ogc", __name__, url_prefix="/ogc")

JSON = "application/json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
OGC_REL = "http://www.opengis.net/def/rel/ogc/1.0/"
DEFAULT_LIMIT = 10
MAX_LIMIT = listing.MAX_LIMIT
ITEMS_PARAMETERS = {"bbox", "bbox-crs", "limit", "offset", "datetime", "f"}


class BadRequest(DomainError):
    """OGC API answers 400 to a parameter it does not know or a value it cannot read."""

    status = 400
    default_code = "bad_request"
    default_message = _l("The request was not understood.")


def _refuse(name, message):
    raise BadRequest("ogc.parameter_invalid", fields={name: [message]})


def _check_parameters(allowed, formats=("json",)):
    unknown = sorted(set(request.args) - set(allowed))
    if unknown:
        _refuse(unknown[0], _l("Unknown parameter."))
    if "f" in request.args and request.args["f"] not in formats:
        _refuse("f", _l("Choose one of: %(formats)s.", formats=", ".join(formats)))


def _url(endpoint, **values):
    return url_for(endpoint, _external=True, **values)


def _link(rel, media, href, title=None):
    link = {"rel": rel, "type": media, "href": href}
    if title:
        link["title"] = str(title)
    return link


@bp.get("/", strict_slashes=False)
def landing():
    _check_parameters({"f"})
    return json_response(
        {
            "title": str(_l("%(name)s: open map data", name=settings.current().name)),
            "description": str(_l("The open inventories as OGC API – Features collections.")),
            "links": [
                _link("self", JSON, _url("ogc.landing"), _l("This document")),
                _link("service-desc", OPENAPI, _url("ogc.definition"), _l("API definition")),
                _link("conformance", JSON, _url("ogc.conformance"), _l("Conformance classes")),
                _link(OGC_REL + "conformance", JSON, _url("ogc.conformance")),
                _link("data", JSON, _url("ogc.collections"), _l("Collections")),
                _link(OGC_REL + "data", JSON, _url("ogc.collections")),
            ],
        }
    )


@bp.get("/conformance")
def conformance():
    _check_parameters({"f"})
    return json_response({"conformsTo": CONFORMANCE})


@bp.get("/api")
def definition():
    from mapping.ogc.openapi import document

    _check_parameters({"f"})
    return json_response(document(_url("ogc.landing").rstrip("/")), mimetype=OPENAPI)


def _open_inventory(slug):
    try:
        inventory = inventories.get_visible(None, slug)
    except NotFound:
        inventory = None
    if inventory is None or inventory.status != OPEN:
        raise NotFound("ogc.collection_not_found")
    return inventory


def collection_to_dict(inventory):
    slug = inventory.slug
    licence = serializers.licence_to_dict(inventory.licence)
    bounds = geo.from_db(inventory.area).bounds
    return {
        "id": slug,
        "title": inventory.title,
        "description": inventory.description or "",
        "attribution": inventory.attribution,
        "license": licence["label"],
        "itemType": "feature",
        "crs": [CRS84],
        "extent": {"spatial": {"bbox": [list(bounds)], "crs": CRS84}},
        "links": [
            _link("self", JSON, _url("ogc.collection", slug=slug), inventory.title),
            _link("items", GEOJSON, _url("ogc.items", slug=slug), _l("Features")),
            _link("license", "text/html", licence["url"], licence["label"]),
        ],
    }


@bp.get("/collections")
def collections():
    _check_parameters({"f"})
    rows = inventories.listed(None, statuses=[OPEN])
    return json_response(
        {
            "links": [_link("self", JSON, _url("ogc.collections"))],
            "collections": [collection_to_dict(inventory) for inventory, _n in rows],
        }
    )


@bp.get("/collections/<slug>")
def collection(slug):
    _check_parameters({"f"})
    return json_response(collection_to_dict(_open_inventory(slug)))


def _integer(name, default, low):
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < low:
        _refuse(name, _l("Give a whole number of at least %(low)d.", low=low))
    return value


def _bbox():
    raw = request.args.get("bbox")
    crs = request.args.get("bbox-crs")
    if crs is not None and crs != CRS84:
        _refuse("bbox-crs", _l("Only %(crs)s is supported.", crs=CRS84))
    if raw is None:
        return None
    parts = raw.split(",")
    if len(parts) == 6:
        parts = parts[0:2] + parts[3:5]
    try:
        return geo.parse_bbox(",".join(parts))
    except ValidationError as error:
        raise BadRequest("ogc.parameter_invalid", fields=error.fields) from None


def _moment(text, end):
    """One side of a `datetime` value: an RFC 3339 time or a whole day, in UTC."""
    if text in ("", ".."):
        return None
    try:
        if "T" not in text.upper():
            day = date.fromisoformat(text)
            return datetime.combine(day, time.max if end else time.min, UTC)
        value = datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        return _refuse("datetime", _l("Give an RFC 3339 time, a date or an interval a/b."))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _datetime():
    raw = request.args.get("datetime")
    if raw is None:
        return None
    if "/" not in raw:
        return _moment(raw, False), _moment(raw, True)
    first, _, second = raw.partition("/")
    start, end = _moment(first, False), _moment(second, True)
    if start is not None and end is not None and start > end:
        _refuse("datetime", _l("The interval ends before it starts."))
    return start, end


def _filters(inventory):
    """Equality filters on the collection's attributes, given as query parameters."""
    keys = {f["key"] for f in inventory.fields if f["type"] != formschema.PHOTO}
    _check_parameters(ITEMS_PARAMETERS | keys, formats=("json", "geojson"))
    return {key: request.args[key] for key in keys if key in request.args}


@bp.get("/collections/<slug>/items")
def items(slug):
    inventory = _open_inventory(slug)
    attrs = _filters(inventory)
    limit = min(_integer("limit", DEFAULT_LIMIT, 1), MAX_LIMIT)
    offset = _integer("offset", 0, 0)
    stamp = utcnow()
    body = listing.feature_collection(
        None, inventory, _bbox(), limit, offset, attrs=attrs, updated=_datetime()
    )
    next_offset = body.pop("next_offset")
    links = [_link("self", GEOJSON, _page(limit, offset), _l("This page"))]
    if next_offset is not None:
        links.append(_link("next", GEOJSON, _page(limit, next_offset), _l("Next page")))
    if offset > 0:
        links.append(_link("prev", GEOJSON, _page(limit, max(0, offset - limit))))
    links.append(_link("collection", JSON, _url("ogc.collection", slug=slug), inventory.title))
    body["timeStamp"] = stamp.isoformat().replace("+00:00", "Z")
    body["links"] = links
    return json_response(body, mimetype=GEOJSON)


def _page(limit, offset):
    """This request's URL with the page's limit and offset (other filters kept)."""
    args = request.args.copy()
    args["limit"], args["offset"] = str(limit), str(offset)
    return _url(request.endpoint, **request.view_args, **args.to_dict(flat=True))


@bp.get("/collections/<slug>/items/<feature_id>")
def item(slug, feature_id):
    _check_parameters({"f"}, formats=("json", "geojson"))
    inventory = _open_inventory(slug)
    if not feature_id.isdigit() or int(feature_id) > SQL_INTEGER_MAX:
        raise NotFound("feature.not_found")
    feature = features.get_visible(None, int(feature_id))
    if feature.inventory_id != inventory.id:
        raise NotFound("feature.not_found")
    body = serializers.feature_to_geojson(feature, None, with_photos=False)
    self_url = _url("ogc.item", slug=slug, feature_id=feature.id)
    return json_response(
        {
            "type": "Feature",
            "id": feature.id,
            "geometry": body["geometry"],
            "properties": body["properties"],
            "links": [
                _link("self", GEOJSON, self_url),
                _link("collection", JSON, _url("ogc.collection", slug=slug), inventory.title),
            ],
        },
        mimetype=GEOJSON,
    )
