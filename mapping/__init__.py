"""Inventories, mapping parties, map features, photos, spatial queries, imports and exports."""


def init_app(app):
    """Register the feature kinds with the pipeline, the package's jobs, and its API."""
    from mapping import api, handoff, jobs, models  # noqa: F401  (jobs and tables register on import)
    from webapp.extensions import api as rest_api

    handoff.register()
    api.register(rest_api)
