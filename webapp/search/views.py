"""The search page and its API endpoint."""

import marshmallow as ma
from flask import Blueprint, render_template, request
from flask_smorest import Blueprint as ApiBlueprint
from marshmallow import validate

from webapp import search

bp = Blueprint("search", __name__)
api_bp = ApiBlueprint("api_search", __name__, url_prefix="/api/v1", description="Search")
PER_PAGE = 20


@bp.get("/search")
def results():
    query = (request.args.get("q") or "").strip()[: search.MAX_QUERY]
    kind = request.args.get("kind") or None
    page = max(1, request.args.get("page", 1, type=int) or 1)
    found, total = search.search(query, [kind] if kind else None, PER_PAGE, (page - 1) * PER_PAGE)
    return render_template(
        "search/results.html",
        query=query,
        kind=kind if kind in search.SOURCES else None,
        kinds=search.SOURCES,
        results=found,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
    )


class SearchQuerySchema(ma.Schema):
    q = ma.fields.String(required=True, validate=validate.Length(min=1, max=search.MAX_QUERY))
    kind = ma.fields.List(ma.fields.String(), load_default=list, metadata={"description": "Kinds"})
    limit = ma.fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    offset = ma.fields.Integer(load_default=0, validate=validate.Range(min=0, max=10000))


class SearchResultSchema(ma.Schema):
    kind = ma.fields.String(required=True)
    object_id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    url = ma.fields.String(required=True)
    snippet = ma.fields.String(
        required=True, metadata={"description": "HTML-escaped text with <mark> around matches"}
    )


class SearchPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(SearchResultSchema), required=True)
    total = ma.fields.Integer(required=True)


@api_bp.get("/search")
@api_bp.arguments(SearchQuerySchema, location="query")
@api_bp.response(200, SearchPageSchema)
def api_search(args):
    """Search datasets, backlog items, dataset requests, inventories and more."""
    found, total = search.search(args["q"], args["kind"], args["limit"], args["offset"])
    return {"items": [{**r, "snippet": str(r["snippet"])} for r in found], "total": total}
