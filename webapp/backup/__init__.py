"""Backups: the database and the uploaded files in one checked archive, and their restore."""
