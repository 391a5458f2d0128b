// Engine sources.
