"""One search box across what the packages publish.

Each package registers a *source* per kind of thing: `document(object_id)` returns a
`Document` when the thing is public (else None) and `all_ids()` lists candidates for a
full re-index. Services call `refresh(kind, object_id)` after a change, inside their unit
of work; the kernel never imports the packages.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import delete, select, text

from webapp.db import is_sqlite, unit_of_work, utcnow
from webapp.extensions import db
from webapp.search.models import SearchDocument

START, STOP = "\x01", "\x02"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY = 200


@dataclass(frozen=True)
class Document:
    title: str
    body: str
    url: str


@dataclass(frozen=True)
class Source:
    kind: str
    label: Any
    document: Callable[[int], Document | None]
    all_ids: Callable[[], Iterable[int]]


SOURCES: dict[str, Source] = {}


def register_source(source):
    existing = SOURCES.get(source.kind)
    if existing is not None and existing != source:
        raise ValueError(f"search source {source.kind!r} is already registered")
    SOURCES[source.kind] = source
    return source


def _clean(value, limit):
    return _CONTROL.sub(" ", value or "")[:limit]


def refresh(kind, object_id):
    """Bring one thing's entry in line with its source (added, updated or dropped)."""
    source = SOURCES.get(kind)
    if source is None:
        return
    document = source.document(object_id)
    row = db.session.scalar(
        select(SearchDocument).where(
            SearchDocument.kind == kind, SearchDocument.object_id == object_id
        )
    )
    if document is None:
        if row is not None:
            db.session.delete(row)
        return
    if row is None:
        row = SearchDocument(kind=kind, object_id=object_id)
        db.session.add(row)
    row.title = _clean(document.title, 300)
    row.body = _clean(document.body, 20000)
    row.url = document.url
    row.updated_at = utcnow()


def reindex(kinds=None):
    """Rebuild the index from the sources; return the count of entries per kind."""
    counts = {}
    for kind, source in SOURCES.items():
        if kinds and kind not in kinds:
            continue
        with unit_of_work():
            db.session.execute(delete(SearchDocument).where(SearchDocument.kind == kind))
            for object_id in source.all_ids():
                refresh(kind, object_id)
        counts[kind] = db.session.scalar(
            select(db.func.count(SearchDocument.id)).where(SearchDocument.kind == kind)
        )
    return counts


def _words(query):
    folded = unicodedata.normalize("NFKC", query or "")[:MAX_QUERY]
    return _WORD.findall(folded)[:12]


def _fts5_query(words):
    # Each word quoted (no operator can be injected), as a prefix, all required.
    return " ".join('"' + w.replace('"', "") + '"*' for w in words)


def search(query, kinds=None, limit=20, offset=0):
    """Ranked results with a highlighted snippet; returns (results, total)."""
    words = _words(query)
    if not words:
        return [], 0
    kinds = [k for k in (kinds or []) if k in SOURCES] or list(SOURCES)
    params = {"limit": limit, "offset": offset}
    kind_list = ", ".join(f":k{i}" for i in range(len(kinds)))
    params.update({f"k{i}": k for i, k in enumerate(kinds)})
    if is_sqlite():
        params["q"] = _fts5_query(words)
        base = (
            "FROM webapp_search_fts f JOIN webapp_search_document d ON d.id = f.rowid "
            f"WHERE webapp_search_fts MATCH :q AND d.kind IN ({kind_list})"
        )
        rows_sql = (
            "SELECT d.kind, d.object_id, d.title, d.url, "
            "snippet(webapp_search_fts, 1, char(1), char(2), '…', 16) AS snippet "
            f"{base} ORDER BY bm25(webapp_search_fts, 4.0, 1.0), d.id LIMIT :limit OFFSET :offset"
        )
    else:
        params["q"] = " ".join(words)
        base = (
            "FROM webapp_search_document d, websearch_to_tsquery('french', :q) q "
            f"WHERE d.search_vector @@ q AND d.kind IN ({kind_list})"
        )
        rows_sql = (
            "SELECT d.kind, d.object_id, d.title, d.url, ts_headline('french', d.body, q, "
            "'StartSel=\x01, StopSel=\x02, MaxWords=30, MinWords=12, MaxFragments=1') AS snippet "
            f"{base} ORDER BY ts_rank(d.search_vector, q) DESC, d.id LIMIT :limit OFFSET :offset"
        )
    rows = db.session.execute(text(rows_sql), params).all()
    total = db.session.scalar(text(f"SELECT count(*) {base}"), params)
    return [_result(row) for row in rows], total


def highlight(snippet):
    """Escape the snippet, then turn the backend's markers into <mark> elements."""
    safe = str(escape(snippet or ""))
    return Markup(safe.replace(START, "<mark>").replace(STOP, "</mark>"))


def _result(row):
    source = SOURCES[row.kind]
    return {
        "kind": row.kind,
        "kind_label": source.label,
        "object_id": row.object_id,
        "title": row.title,
        "url": row.url,
        "snippet": highlight(row.snippet),
    }
