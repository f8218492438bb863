"""Inventories, mapping parties, map features, photos, spatial queries, imports and exports."""


def init_app(app):
    """Register the feature kinds with the pipeline, the package's jobs, pages and API."""
    # jobs and models register their jobs and tables on import.
    from mapping import handoff, jobs, models, party_api, party_demo, party_views  # noqa: F401
    from webapp import demo as kernel_demo
    from webapp.extensions import api as rest_api

    handoff.register()
    app.register_blueprint(party_views.bp)
    rest_api.register_blueprint(party_api.bp)
    if party_demo.seed not in kernel_demo.SEEDERS:
        kernel_demo.SEEDERS.append(party_demo.seed)
