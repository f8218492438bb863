"""What non-staff may see of a feature: the one place computing public_geom and
public_properties. Every page, API answer, OGC answer and export reads those columns."""

from sqlalchemy import select

from mapping import formschema, geo
from mapping.models import Feature
from webapp.extensions import db


def columns(inventory, geometry, values):
    """The exact and public columns of a feature (Shapely geometries) from its shape and
    clean values; `apply` sets them on a feature, bulk imports write them directly."""
    fields = inventory.fields
    sensitive = formschema.is_sensitive(fields, values)
    public = geo.generalise(geometry, inventory.generalise_m) if sensitive else geometry
    public_lon, public_lat = geo.centre_of(public)
    return {
        "public_geom": public,
        "public_lon": public_lon,
        "public_lat": public_lat,
        "geometry_type": geometry.geom_type,
        "properties": values,
        "public_properties": formschema.public_values(fields, values, sensitive),
        "is_sensitive": sensitive,
    }


def apply(feature, inventory, geometry, values):
    """Set a feature's exact and public geometry and values from Shapely and clean values."""
    cols = columns(inventory, geometry, values)
    feature.geom = geo.to_db(geometry)
    feature.public_geom = geo.to_db(cols.pop("public_geom"))
    for name, value in cols.items():
        setattr(feature, name, value)


def recompute(inventory, batch=500):
    """Re-apply the rule to every feature after the form or the grid changed."""
    last_id, count = 0, 0
    while True:
        features = db.session.scalars(
            select(Feature)
            .where(Feature.inventory_id == inventory.id, Feature.id > last_id)
            .order_by(Feature.id)
            .limit(batch)
        ).all()
        if not features:
            return count
        for feature in features:
            apply(feature, inventory, geo.from_db(feature.geom), feature.properties)
            count += 1
        last_id = features[-1].id
        db.session.flush()
