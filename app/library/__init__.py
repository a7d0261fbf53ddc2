"""library feature (see the issue tracker for its scope)."""
