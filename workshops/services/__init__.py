"""Use cases of co-design workshops."""
