"""The mapping package in the JSON API (/api/v1): inventories, features, parties, tasks."""


def register(rest_api):
    """Add the mapping blueprints to the application's API (and its OpenAPI document)."""
    from mapping.api import features, inventories, parties

    rest_api.register_blueprint(inventories.bp)
    rest_api.register_blueprint(features.bp)
    rest_api.register_blueprint(parties.bp)
