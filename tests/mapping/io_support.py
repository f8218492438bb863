"""Helpers of the import and export tests: inventories for the real files, one-call imports."""

import csv
import io
import os

from mapping.services import imports
from tests import factories

DATA = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data")
MONTPELLIER_WIDE = (3.70, 43.50, 4.00, 43.75)
PARIS = (2.22, 48.80, 2.48, 48.91)
MELUN = (2.55, 48.48, 2.75, 48.60)


def data(name):
    with open(os.path.join(DATA, name), "rb") as handle:
        return handle.read()


def organiser():
    return factories.user(roles=["organiser"])


def trees(actor, area=MONTPELLIER_WIDE, **overrides):
    return factories.inventory(actor, template="trees", area=factories.square(*area), **overrides)


def biodiversity(actor, area=MONTPELLIER_WIDE, **overrides):
    return factories.inventory(
        actor, template="biodiversity", area=factories.square(*area), **overrides
    )


def _choice(value, label):
    return {"value": value, "label_fr": label, "label_en": label}


def toilets(actor):
    kinds = ["sanisette", "toilettes", "wc_publics_permanents", "urinoir", "urinoir_femme"]
    schema = {
        "osm_tags": {"amenity": "toilets"},
        "fields": [
            {
                "key": "kind",
                "type": "choice",
                "label_fr": "Type",
                "label_en": "Kind",
                "required": True,
                "choices": [_choice(k, k.replace("_", " ").capitalize()) for k in kinds]
                + [_choice("lavatory", "Lavatory")],
            },
            {"key": "address", "type": "text", "label_fr": "Adresse", "label_en": "Address"},
            {"key": "hours", "type": "text", "label_fr": "Horaires", "label_en": "Opening hours"},
            {
                "key": "wheelchair",
                "type": "boolean",
                "label_fr": "Accessible PMR",
                "label_en": "Wheelchair accessible",
                "osm_tag": "wheelchair",
            },
        ],
    }
    return factories.inventory(
        actor,
        template="trees",
        theme="amenities",
        area=factories.square(*PARIS),
        form_schema=schema,
    )


def amenities(actor, area=MELUN, types=("Point", "LineString", "Polygon")):
    schema = {
        "osm_tags": {},
        "fields": [
            {
                "key": "kind",
                "type": "choice",
                "label_fr": "Type",
                "label_en": "Kind",
                "required": True,
                "choices": [
                    dict(_choice("townhall", "Mairie"), osm="amenity=townhall"),
                    dict(_choice("post_office", "Poste"), osm="amenity=post_office"),
                    dict(_choice("parking", "Parking"), osm="amenity=parking"),
                    dict(_choice("bicycle_parking", "Vélos"), osm="amenity=bicycle_parking"),
                    dict(_choice("bus_stop", "Arrêt de bus"), osm="highway=bus_stop"),
                ],
            },
            {
                "key": "name",
                "type": "text",
                "label_fr": "Nom",
                "label_en": "Name",
                "osm_tag": "name",
                "locating": False,
            },
        ],
    }
    return factories.inventory(
        actor,
        template="heritage",
        theme="amenities",
        area=factories.square(*area),
        geometry_types=list(types),
        form_schema=schema,
    )


def run_import(actor, inventory, name, content, **choices):
    """Upload and start an import (the job runs inline); return the finished import."""
    record = imports.upload(actor, inventory.id, name, content)
    options = {
        "fields": dict(record.options["fields"], **choices.pop("fields", {})),
        "geometry": choices.pop("geometry", record.options["geometry"]),
        "crs": choices.pop("crs", "auto"),
        "id_column": choices.pop("id_column", ""),
    }
    assert not choices, choices
    return imports.start(actor, record.id, options)


def report(record):
    path = imports.absolute(record.report_path)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))[1:]


def csv_bytes(lines, encoding="utf-8", delimiter=";"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(lines)
    return buffer.getvalue().encode(encoding)
