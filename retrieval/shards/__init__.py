"""A corpus split into shards: built and served in one process, or on a Ray cluster."""
