"""The DataStore: tabular resources as queryable tables (DuckDB files in the data dir)."""
