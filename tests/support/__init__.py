"""Code the tests need in the application's processes (e.g. job functions for workers)."""
