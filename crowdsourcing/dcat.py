"""The catalogue as DCAT-AP in JSON-LD."""

from flask import url_for

from crowdsourcing.services.catalogue import LICENCE_URIS
from webapp import settings

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
FREQUENCY_URIS = {
    "daily": "DAILY",
    "weekly": "WEEKLY",
    "monthly": "MONTHLY",
    "annual": "ANNUAL",
    "irregular": "IRREG",
}
FREQUENCY_BASE = "http://publications.europa.eu/resource/authority/frequency/"


def _date(value):
    return {"@value": value.isoformat(), "@type": "xsd:date"} if value else None


def dataset(row, publisher):
    """One dcat:Dataset."""
    url = url_for("crowdsourcing.dataset", slug=row.slug, _external=True)
    body = {
        "@id": url,
        "@type": "dcat:Dataset",
        "dct:identifier": row.identifier,
        "dct:title": row.title,
        "dct:description": row.description,
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": row.publisher or publisher},
        "dcat:landingPage": {"@id": url},
        "dcat:theme": row.themes,
        "dcat:keyword": row.keywords,
        "dct:issued": _date(row.issued),
        "dct:modified": _date(row.modified),
        "dct:spatial": row.coverage,
        "dcat:distribution": [
            {
                "@type": "dcat:Distribution",
                "dcat:accessURL": {"@id": resource.url},
                "dct:format": resource.format,
                "dct:title": resource.title,
            }
            for resource in row.resources
        ],
    }
    if row.licence in LICENCE_URIS:
        body["dct:license"] = {"@id": LICENCE_URIS[row.licence]}
        for distribution in body["dcat:distribution"]:
            distribution["dct:license"] = {"@id": LICENCE_URIS[row.licence]}
    elif row.licence_source:
        body["dct:rights"] = row.licence_source
    if row.frequency in FREQUENCY_URIS:
        body["dct:accrualPeriodicity"] = {"@id": FREQUENCY_BASE + FREQUENCY_URIS[row.frequency]}
    return {k: v for k, v in body.items() if v not in (None, "", [])}


def catalogue(rows):
    """The dcat:Catalog of every dataset."""
    name = settings.current().name
    return {
        "@context": CONTEXT,
        "@id": url_for("crowdsourcing.catalogue_dcat", _external=True),
        "@type": "dcat:Catalog",
        "dct:title": f"{name} — catalogue",
        "dct:description": f"Open datasets published by {name}.",
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": name},
        "foaf:homepage": {"@id": url_for("crowdsourcing.catalogue_list", _external=True)},
        "dcat:dataset": [dataset(row, name) for row in rows],
    }
