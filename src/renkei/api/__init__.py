"""HTTP layer: the FastAPI app, the CKAN Action API, downloads. Thin: parse, call, render."""
