"""Inventories, mapping parties, map features, photos, spatial queries, imports and exports."""


def init_app(app):
    """Attach this package to the application (blueprints arrive with their issues)."""
