"""Fabrique's kernel: factory, configuration, accounts, registrations, notifications, API root."""

from webapp.factory import create_app

__all__ = ["create_app"]
