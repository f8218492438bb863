"""Inventories, mapping parties, map features, photos, spatial queries, imports and exports."""


def init_app(app):
    """Register the feature kinds with the pipeline, and the package's jobs."""
    from mapping import handoff, jobs, models  # noqa: F401  (jobs and tables register on import)

    handoff.register()
