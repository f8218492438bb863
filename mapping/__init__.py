"""Inventories, mapping parties, map features, photos, spatial queries, imports and exports."""


def init_app(app):
    """Register the feature kinds with the pipeline, the package's jobs, its API and its
    OGC API – Features collections."""
    from mapping import api, handoff, jobs, models, ogc  # noqa: F401  (jobs and tables register on import)
    from webapp.extensions import api as rest_api

    handoff.register()
    api.register(rest_api)
    app.register_blueprint(ogc.bp)
