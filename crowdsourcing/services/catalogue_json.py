"""Read a portal's JSON catalogue (CKAN API answer, DCAT-AP JSON-LD, or a DCAT-US
`data.json`) into the rows the catalogue import understands.

Every record becomes a published-dataset row; resources keep their URL, format and title.
"""

from flask_babel import lazy_gettext as _l

from webapp.errors import ValidationError
from webapp.inputs import loads as strict_json

PUBLISHED = "pub"


def _refuse(message):
    return ValidationError("catalogue.json_invalid", fields={"file": [message]})


def _text(value):
    """A plain string from JSON-LD values ({"@value"}, {"@id"}, lists, language maps)."""
    if value is None:
        return ""
    if isinstance(value, str | int | float):
        return str(value).strip()
    if isinstance(value, list):
        return _text(value[0]) if value else ""
    if isinstance(value, dict):
        for key in ("@value", "@id", "name", "foaf:name", "title", "fr", "en"):
            if key in value:
                return _text(value[key])
    return ""


def _list(value):
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [t for t in (_text(i) for i in items) if t]


def _get(record, *keys):
    for key in keys:
        if key in record and record[key] not in (None, "", []):
            return record[key]
    return None


def _records(document):
    """The dataset records of any of the supported shapes, and the shape's name."""
    if isinstance(document, list):
        return document, "ckan"
    if not isinstance(document, dict):
        return None, None
    result = document.get("result")
    if isinstance(result, dict) and isinstance(result.get("results"), list):
        return result["results"], "ckan"
    if isinstance(result, list):
        return result, "ckan"
    graph = document.get("@graph")
    if isinstance(graph, list):
        catalogues = [n for n in graph if "Catalog" in str(n.get("@type", ""))]
        if catalogues and isinstance(catalogues[0].get("dcat:dataset"), list):
            return catalogues[0]["dcat:dataset"], "dcat"
        return [n for n in graph if "Dataset" in str(n.get("@type", ""))], "dcat"
    for key in ("dcat:dataset", "dataset"):
        if isinstance(document.get(key), list):
            return document[key], "dcat"
    return None, None


def _ckan_row(record):
    tags = [t.get("name") if isinstance(t, dict) else t for t in record.get("tags") or []]
    groups = [
        g.get("title") or g.get("name") for g in record.get("groups") or [] if isinstance(g, dict)
    ]
    organisation = record.get("organization") or {}
    resources = [
        {
            "url": r.get("url") or "",
            "format": (r.get("format") or "")[:40] or None,
            "title": (r.get("name") or "")[:200] or None,
        }
        for r in record.get("resources") or []
        if isinstance(r, dict)
    ]
    return {
        "Statut": PUBLISHED,
        "Identifiant": _text(_get(record, "id", "name")),
        "Titre": _text(record.get("title")),
        "Description": _text(record.get("notes")),
        "Licence": _text(_get(record, "license_title", "license_id")),
        "Mots clés": ";".join(t for t in tags if t),
        "Catégorie": groups[0] if groups else "",
        "Diffuseur": _text(organisation.get("title")) if isinstance(organisation, dict) else "",
        "Date publication": _text(record.get("metadata_created"))[:10],
        "Date mise à jour": _text(record.get("metadata_modified"))[:10],
        "URL": _text(_get(record, "url")) or (resources[0]["url"] if resources else ""),
        "_resources": resources,
    }


def _dcat_row(record):
    distributions = _get(record, "dcat:distribution", "distribution") or []
    if isinstance(distributions, dict):
        distributions = [distributions]
    resources = []
    for d in distributions:
        if not isinstance(d, dict):
            continue
        url = _text(_get(d, "dcat:downloadURL", "dcat:accessURL", "downloadURL", "accessURL"))
        resources.append(
            {
                "url": url,
                "format": _text(_get(d, "dct:format", "format", "mediaType"))[:40] or None,
                "title": _text(_get(d, "dct:title", "title"))[:200] or None,
            }
        )
    themes = _list(_get(record, "dcat:theme", "theme"))
    licence = _get(record, "dct:license", "license", "dct:rights")
    return {
        "Statut": PUBLISHED,
        "Identifiant": _text(_get(record, "dct:identifier", "identifier", "@id")),
        "Titre": _text(_get(record, "dct:title", "title")),
        "Description": _text(_get(record, "dct:description", "description")),
        "Licence": _licence_words(_text(licence)),
        "Mots clés": ";".join(_list(_get(record, "dcat:keyword", "keyword"))),
        "Catégorie": themes[0] if themes else "",
        "Diffuseur": _text(_get(record, "dct:publisher", "publisher")),
        "Date publication": _text(_get(record, "dct:issued", "issued"))[:10],
        "Date mise à jour": _text(_get(record, "dct:modified", "modified"))[:10],
        "URL": _text(_get(record, "dcat:landingPage", "landingPage"))
        or (resources[0]["url"] if resources else ""),
        "_resources": resources,
    }


def _licence_words(value):
    """Licence URIs become words `licence_of` recognises; other text is kept as it is."""
    lowered = value.lower()
    if "etalab" in lowered or "licence-ouverte" in lowered:
        return "Licence Ouverte"
    if "odbl" in lowered:
        return "ODbL"
    if "creativecommons.org/licenses/by/4.0" in lowered:
        return "CC-BY 4.0"
    return value


def rows(data):
    """Decode a JSON catalogue into import rows; refuse what is not one."""
    try:
        document = strict_json(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise _refuse(_l("This file is not valid JSON in UTF-8.")) from None
    records, shape = _records(document)
    if records is None:
        raise _refuse(
            _l("This JSON is neither a CKAN answer nor a DCAT catalogue (no list of datasets).")
        )
    convert = _ckan_row if shape == "ckan" else _dcat_row
    return [convert(r) if isinstance(r, dict) else {"Statut": PUBLISHED} for r in records]
