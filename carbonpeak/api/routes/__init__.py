"""API route modules: one per resource, each defining `router`."""
