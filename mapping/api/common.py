"""What the mapping API modules share: GeoJSON responses, paging links, body parsing."""

import json
from urllib.parse import urlencode

import marshmallow as ma
from flask import Response, abort, request
from flask_babel import lazy_gettext as _l

from webapp.errors import ValidationError
from webapp.inputs import loads as strict_json

GEOJSON = "application/geo+json"


def _encode(value):
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def json_response(body, status=200, mimetype="application/json", headers=None):
    """Serialise directly: pages of thousands of features skip marshmallow's dump."""
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=_encode)
    return Response(text, status=status, mimetype=mimetype, headers=headers)


def geojson_response(body, status=200, headers=None):
    return json_response(body, status, GEOJSON, headers)


def url_with(**changes):
    """This request's absolute URL with some query parameters replaced (None drops one)."""
    args = request.args.copy()
    for name, value in changes.items():
        args.poplist(name)
        if value is not None:
            args.setlist(name, [str(value)])
    query = urlencode(list(args.items(multi=True)))
    return request.base_url + (f"?{query}" if query else "")


def page_links(next_offset, offset, limit, media=GEOJSON):
    """`self`, and `next`/`prev` when there is such a page."""
    links = [{"rel": "self", "type": media, "href": url_with()}]
    if next_offset is not None:
        links.append({"rel": "next", "type": media, "href": url_with(offset=next_offset)})
    if offset > 0:
        links.append(
            {"rel": "prev", "type": media, "href": url_with(offset=max(0, offset - limit))}
        )
    return links


def load(schema, data):
    """Parse a body with a schema; errors are field errors in the one error shape."""
    try:
        return schema.load(data)
    except ma.ValidationError as error:
        raise ValidationError("request.invalid", fields=error.messages) from None


def json_body():
    """The JSON object sent, or the right HTTP error."""
    if not request.is_json:
        abort(415)
    data = request.get_json(silent=True)
    if data is None:
        abort(400)
    if not isinstance(data, dict):
        raise ValidationError("request.invalid", fields={"json": [_l("Send a JSON object.")]})
    return data


def uploaded_photos():
    """Photo files of a multipart body, keyed by their photo field; one per field."""
    photos = {}
    for key in request.files:
        files = request.files.getlist(key)
        if len(files) > 1:
            raise ValidationError(
                "photo.one_per_field",
                fields={key: [_l("Send one photo per field at a time.")]},
            )
        photos[key] = files[0].read()
    return photos


def require_photos(photos):
    if not photos:
        raise ValidationError(
            "photo.missing", fields={"photos": [_l("Send at least one photo file.")]}
        )


def multipart_body(schema):
    """A multipart body: the JSON part `feature` (parsed with `schema`) and photo files."""
    raw = request.form.get("feature")
    if raw is None:
        raise ValidationError(
            "request.invalid",
            fields={"feature": [_l("Send the feature as JSON in a part named feature.")]},
        )
    try:
        data = strict_json(raw)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ValidationError(
            "request.invalid", fields={"feature": [_l("The feature part is not a JSON object.")]}
        )
    return load(schema, data), uploaded_photos()


def parse_attrs(values):
    """`key:value` filters into a dict."""
    attrs = {}
    for value in values or ():
        key, sep, wanted = value.partition(":")
        if not sep or not key:
            raise ValidationError(
                "feature.filter_invalid",
                fields={"attr": [_l("Write each attribute filter as key:value.")]},
            )
        attrs[key] = wanted
    return attrs


def multipart_doc(description):
    """OpenAPI description of a multipart body of photo files keyed by their field."""
    return {
        "type": "object",
        "description": description,
        "additionalProperties": {"type": "string", "format": "binary"},
    }
