"""HTML forms of the mapping-party pages: they read input and show errors; the rules live
in `mapping.services.parties` and `mapping.services.tasks`."""

import json
from datetime import UTC
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FloatField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, NumberRange, Optional

from mapping import geo
from webapp.accounts.forms import MultiCheckboxField
from webapp.inputs import loads as strict_json

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def _zone():
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def to_utc(local):
    """A wall-clock time of the institution's time zone as an aware UTC datetime."""
    return local.replace(tzinfo=_zone()).astimezone(UTC) if local is not None else None


def to_local(moment):
    return moment.astimezone(_zone()).replace(tzinfo=None) if moment is not None else None


class PartyForm(FlaskForm):
    title = StringField(_l("Title"), validators=[InputRequired()])
    slug = StringField(_l("Address of the page"), validators=[Optional()])
    description = TextAreaField(_l("Description"), validators=[Optional()])
    starts_at = DateTimeLocalField(
        _l("Starts at"), format=LOCAL_FORMAT, validators=[InputRequired()]
    )
    ends_at = DateTimeLocalField(_l("Ends at"), format=LOCAL_FORMAT, validators=[InputRequired()])
    capacity = IntegerField(
        _l("Places"), validators=[InputRequired(), NumberRange(min=1, max=100000)]
    )
    address = StringField(_l("Meeting point (address)"), validators=[Optional()])
    lon = FloatField(_l("Longitude of the meeting point"), validators=[Optional()])
    lat = FloatField(_l("Latitude of the meeting point"), validators=[Optional()])
    inventories = MultiCheckboxField(_l("Inventories"), coerce=int, choices=[])
    area = TextAreaField(_l("Area (GeoJSON)"), validators=[Optional()])
    area_file = FileField(_l("Or upload the area (GeoJSON file)"))
    area_from_inventories = BooleanField(_l("Use the inventories' area"))
    claim_minutes = IntegerField(
        _l("How long a claimed cell stays reserved (minutes)"),
        default=60,
        validators=[InputRequired(), NumberRange(min=5, max=24 * 60)],
    )

    def fill(self, party):
        """Show a party's current values."""
        event = party.registration_list
        self.title.data, self.description.data = event.title, event.description
        self.starts_at.data, self.ends_at.data = to_local(event.starts_at), to_local(event.ends_at)
        self.capacity.data, self.address.data = event.capacity, event.address
        self.lon.data, self.lat.data = event.lon, event.lat
        self.inventories.data = [i.id for i in party.inventories]
        if party.area is not None:
            self.area.data = json.dumps(geo.to_geojson(geo.from_db(party.area)))
        self.claim_minutes.data = party.claim_minutes

    def data_for_service(self):
        """The service's input, or None when the uploaded file cannot be read."""
        area = self.area.data
        upload = self.area_file.data
        if upload and getattr(upload, "filename", ""):
            area = uploaded_area(upload)
            if area is None:
                self.area_file.errors = [_l("This file is not GeoJSON.")]
                return None
        data = {
            name: self[name].data
            for name in ("title", "description", "capacity", "address", "lon", "lat")
        }
        data.update(
            slug=self.slug.data,
            starts_at=to_utc(self.starts_at.data),
            ends_at=to_utc(self.ends_at.data),
            inventories=self.inventories.data or [],
            area=area,
            area_from_inventories=self.area_from_inventories.data,
            claim_minutes=self.claim_minutes.data,
        )
        return data


def uploaded_area(storage):
    """A GeoJSON file (geometry, Feature or FeatureCollection of areas) as one geometry."""
    try:
        document = strict_json(storage.read(2_000_000).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(document, dict):
        return None
    if document.get("type") == "Feature":
        return document.get("geometry")
    if document.get("type") == "FeatureCollection":
        polygons = []
        for item in document.get("features") or []:
            shape = (item or {}).get("geometry") or {}
            if shape.get("type") == "Polygon":
                polygons.append(shape.get("coordinates"))
            elif shape.get("type") == "MultiPolygon":
                polygons.extend(shape.get("coordinates") or [])
        return {"type": "MultiPolygon", "coordinates": polygons}
    return document


class GridForm(FlaskForm):
    cell_m = IntegerField(
        _l("Cell size (metres)"),
        default=200,
        validators=[InputRequired(), NumberRange(min=50, max=5000)],
    )


class DrawnTasksForm(FlaskForm):
    tasks = TextAreaField(_l("Cells (GeoJSON)"), validators=[InputRequired()])

    def geometries(self):
        """The drawn polygons, or None (with an error on the field) when unreadable."""
        try:
            document = strict_json(self.tasks.data or "")
        except ValueError:
            document = None
        if isinstance(document, dict) and document.get("type") == "FeatureCollection":
            return [(f or {}).get("geometry") for f in document.get("features") or []]
        if isinstance(document, dict) and document.get("type") in ("Feature", "Polygon"):
            return [document.get("geometry") if document["type"] == "Feature" else document]
        if isinstance(document, list):
            return document
        self.tasks.errors = [_l("Give a GeoJSON FeatureCollection of polygons.")]
        return None


class ValidatorsForm(FlaskForm):
    people = MultiCheckboxField(_l("Validators"), coerce=int, choices=[])


class TaskNoteForm(FlaskForm):
    note = StringField(_l("Note (optional)"), validators=[Optional()])
