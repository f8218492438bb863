"""Inventories, mapping parties, map features, photos, spatial queries, imports and exports."""


def init_app(app):
    """Register the feature kinds with the pipeline, the package's jobs, pages and commands."""
    from mapping import handoff, io_api, io_cli, io_views, jobs, models  # noqa: F401
    from webapp.extensions import api as rest_api

    handoff.register()
    app.register_blueprint(io_views.bp)
    rest_api.register_blueprint(io_api.bp)
    app.cli.add_command(io_cli.export_inventory)
