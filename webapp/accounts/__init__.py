"""Users, roles, departments, API tokens and the one permission check."""
