"""Alembic autogenerate settings for GeoAlchemy2 on PostGIS and SpatiaLite."""

from geoalchemy2 import alembic_helpers

# SpatiaLite's own tables: autogenerate must never drop them.
SPATIALITE_INTERNAL = {
    "SpatialIndex",
    "ElementaryGeometries",
    "KNN",
    "KNN2",
    "sql_statements_log",
    "data_licenses",
    "SE_external_graphics",
    "SE_fonts",
    "rl2map_configurations",
    "spatial_ref_sys",
    "spatial_ref_sys_aux",
    "geometry_columns",
    "geometry_columns_auth",
    "geometry_columns_field_infos",
    "geometry_columns_statistics",
    "geometry_columns_time",
    "spatialite_history",
    "sqlite_sequence",
    "views_geometry_columns",
    "views_geometry_columns_auth",
    "views_geometry_columns_field_infos",
    "views_geometry_columns_statistics",
    "virts_geometry_columns",
    "virts_geometry_columns_auth",
    "virts_geometry_columns_field_infos",
    "virts_geometry_columns_statistics",
}


# Full-text search machinery made by hand in the migration, per backend (see webapp.search).
SEARCH_INTERNAL_PREFIX = "webapp_search_fts"
SEARCH_INTERNAL = {("column", "search_vector"), ("index", "ix_webapp_search_document_vector")}


def include_object(obj, name, obj_type, reflected, compare_to):
    if obj_type == "table" and (name in SPATIALITE_INTERNAL or (name or "").startswith("idx_")):
        return False
    if obj_type == "table" and (name or "").startswith(SEARCH_INTERNAL_PREFIX):
        return False
    if (obj_type, name) in SEARCH_INTERNAL:
        return False
    return alembic_helpers.include_object(obj, name, obj_type, reflected, compare_to)


def _skip_empty(context, revision, directives):
    # Custom directives disable Flask-Migrate's own "no changes, no file" hook: chain it back.
    if (
        getattr(context.config.cmd_opts, "autogenerate", False)
        and directives[0].upgrade_ops.is_empty()
    ):
        directives[:] = []


MIGRATE_KWARGS = {
    "include_object": include_object,
    "process_revision_directives": alembic_helpers.writer.chain(_skip_empty),
    "render_item": alembic_helpers.render_item,
    "compare_type": True,
}
