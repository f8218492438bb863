"""Inventories, mapping parties, map features, photos, spatial queries, imports and exports."""


def init_app(app):
    """Register the feature kinds with the pipeline, and the package's jobs."""
    from mapping import demo, handoff, jobs, models, search_sources  # noqa: F401  (jobs and tables register on import)
    from webapp import demo as kernel_demo

    handoff.register()
    search_sources.register()
    if demo.seed not in kernel_demo.SEEDERS:
        kernel_demo.SEEDERS.append(demo.seed)
