"""The JSON API under /api/v1 for the foundation's intake channels, reached with scoped integration tokens."""
