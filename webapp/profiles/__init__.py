"""Profiles, the skills vocabulary, and field-by-field visibility (one access rule)."""
