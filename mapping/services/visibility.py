"""What non-staff may see of a feature: the one place computing public_geom and
public_properties. Every page, API answer, OGC answer and export reads those columns."""

from sqlalchemy import select

from mapping import formschema, geo
from mapping.models import Feature
from webapp.extensions import db


def apply(feature, inventory, geometry, values):
    """Set a feature's exact and public geometry and values from Shapely and clean values."""
    fields = inventory.fields
    sensitive = formschema.is_sensitive(fields, values)
    public = geo.generalise(geometry, inventory.generalise_m) if sensitive else geometry
    feature.geom = geo.to_db(geometry)
    feature.public_geom = geo.to_db(public)
    feature.public_lon, feature.public_lat = geo.centre_of(public)
    feature.geometry_type = geometry.geom_type
    feature.properties = values
    feature.public_properties = formschema.public_values(fields, values, sensitive)
    feature.is_sensitive = sensitive


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
