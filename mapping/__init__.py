"""Inventories, mapping parties, map features, photos, spatial queries, imports and exports."""


def init_app(app):
    """Register the feature kinds with the pipeline, the package's jobs, pages, API, OGC API –
    Features collections and commands."""
    from mapping import (  # noqa: F401  (jobs and tables register on import)
        api,
        demo,
        handoff,
        io_api,
        io_cli,
        io_views,
        jobs,
        models,
        ogc,
        party_api,
        party_views,
        search_sources,
        views,
    )
    from webapp import demo as kernel_demo
    from webapp.extensions import api as rest_api

    handoff.register()
    search_sources.register()
    app.register_blueprint(views.bp)
    app.register_blueprint(party_views.bp)
    app.register_blueprint(io_views.bp)
    app.register_blueprint(ogc.bp)
    api.register(rest_api)
    rest_api.register_blueprint(party_api.bp)
    rest_api.register_blueprint(io_api.bp)
    app.cli.add_command(io_cli.export_inventory)
    app.cli.add_command(io_cli.map_grid_rebuild)
    if demo.seed not in kernel_demo.SEEDERS:
        kernel_demo.SEEDERS.append(demo.seed)
