// Agent sources.
