"""Established engines run on the same data and queries: Groonga and PostgreSQL + pg_trgm."""
