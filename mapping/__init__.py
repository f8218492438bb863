"""Inventories, mapping parties, map features, photos, spatial queries, imports and exports."""


def init_app(app):
    """Register the feature kinds with the pipeline, the package's jobs, pages and demo data."""
    from mapping import demo, handoff, jobs, map_api, models, views  # noqa: F401  (jobs and tables register on import)
    from webapp import demo as kernel_demo
    from webapp.extensions import api as rest_api

    handoff.register()
    app.register_blueprint(views.bp)
    rest_api.register_blueprint(map_api.bp)
    if demo.seed not in kernel_demo.SEEDERS:
        kernel_demo.SEEDERS.append(demo.seed)
