// Server sources.
