"""Use cases: each opens one unit of work, calls the core, and returns plain results."""
