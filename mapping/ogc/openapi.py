"""The OpenAPI 3.0 definition of the OGC API – Features endpoints (`/ogc/api`), built from
the same constants the endpoints use, so both say the same thing."""

from mapping import ogc

JSON_CONTENT = {"application/json": {"schema": {"type": "object"}}}
GEOJSON_CONTENT = {"application/geo+json": {"schema": {"type": "object"}}}
ERROR = {"description": "Error in the one error shape", "content": JSON_CONTENT}


def _parameter(name, where, description, schema, required=False):
    return {
        "name": name,
        "in": where,
        "description": description,
        "required": required or where == "path",
        "schema": schema,
        "style": "form" if where == "query" else "simple",
        "explode": False,
    }


PARAMETERS = {
    "f": _parameter("f", "query", "Format: json (the only one)", {"type": "string"}),
    "collectionId": _parameter("collectionId", "path", "Inventory slug", {"type": "string"}),
    "featureId": _parameter("featureId", "path", "Feature id", {"type": "string"}),
    "bbox": _parameter(
        "bbox",
        "query",
        "minlon,minlat,maxlon,maxlat (or 6 numbers), WGS 84 longitude/latitude",
        {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
    ),
    "bbox-crs": _parameter("bbox-crs", "query", "Only CRS84", {"type": "string"}),
    "limit": _parameter(
        "limit",
        "query",
        "Features per page (larger values are capped at the maximum)",
        {"type": "integer", "minimum": 1, "maximum": ogc.MAX_LIMIT, "default": ogc.DEFAULT_LIMIT},
    ),
    "offset": _parameter(
        "offset",
        "query",
        "Features to skip (follow the next link)",
        {"type": "integer", "minimum": 0},
    ),
    "datetime": _parameter(
        "datetime",
        "query",
        "Time of the feature's last change: an RFC 3339 time, a date, or an interval a/b "
        "(.. for open ends)",
        {"type": "string"},
    ),
}


def _ref(name):
    return {"$ref": f"#/components/parameters/{name}"}


def _get(summary, operation_id, parameters, content, errors=(400,)):
    responses = {"200": {"description": summary, "content": content}}
    for status in errors:
        responses[str(status)] = {"$ref": "#/components/responses/Error"}
    return {
        "get": {
            "summary": summary,
            "operationId": operation_id,
            "tags": ["OGC API – Features"],
            "parameters": [_ref(p) for p in parameters],
            "responses": responses,
        }
    }


def document(base_url):
    """The definition, with the server at `base_url` (the landing page)."""
    items = (
        "The collection's published features. Other parameters: any attribute of the "
        "collection's form, for an exact match."
    )
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Fabrique – OGC API – Features",
            "version": "1.0.0",
            "description": "The open inventories as OGC API – Features collections.",
        },
        "servers": [{"url": base_url}],
        "paths": {
            "/": _get("Landing page", "getLandingPage", ["f"], JSON_CONTENT),
            "/conformance": _get(
                "Conformance classes", "getConformanceDeclaration", ["f"], JSON_CONTENT
            ),
            "/api": _get(
                "This API definition",
                "getApiDefinition",
                ["f"],
                {ogc.OPENAPI: {"schema": {"type": "object"}}},
            ),
            "/collections": _get("Collections", "getCollections", ["f"], JSON_CONTENT),
            "/collections/{collectionId}": _get(
                "One collection",
                "describeCollection",
                ["collectionId", "f"],
                JSON_CONTENT,
                (400, 404),
            ),
            "/collections/{collectionId}/items": _get(
                items,
                "getFeatures",
                ["collectionId", "bbox", "bbox-crs", "limit", "offset", "datetime", "f"],
                GEOJSON_CONTENT,
                (400, 404),
            ),
            "/collections/{collectionId}/items/{featureId}": _get(
                "One feature",
                "getFeature",
                ["collectionId", "featureId", "f"],
                GEOJSON_CONTENT,
                (400, 404),
            ),
        },
        "components": {
            "parameters": PARAMETERS,
            "responses": {"Error": ERROR},
        },
    }
