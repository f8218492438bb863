"""Migrations bring an empty database of either kind to head, matching the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from webapp.alembic_support import include_object
from webapp.extensions import db


def test_migrated_schema_matches_the_models(app, session):
    connection = session.connection()
    context = MigrationContext.configure(
        connection,
        opts={
            "include_object": include_object,
            "compare_type": True,
            "render_as_batch": connection.dialect.name == "sqlite",
        },
    )
    assert compare_metadata(context, db.metadata) == []


def test_geometry_columns_have_a_spatial_index(app, session, backend):
    connection = session.connection()
    if backend == "sqlite":
        enabled = connection.exec_driver_sql(
            "SELECT spatial_index_enabled FROM geometry_columns "
            "WHERE f_table_name = 'webapp_registration_list' AND f_geometry_column = 'location'"
        ).scalar()
        assert enabled == 1
    else:
        indexes = {ix["name"] for ix in inspect(connection).get_indexes("webapp_registration_list")}
        assert "idx_webapp_registration_list_location" in indexes


def test_every_table_is_prefixed_with_its_package():
    for table in db.metadata.tables:
        assert table.split("_")[0] in {"webapp", "crowdsourcing", "mapping", "workshops"}, table
