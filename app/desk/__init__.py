"""desk feature (see the issue tracker for its scope)."""
