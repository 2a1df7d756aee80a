"""The DataStore: tabular resources as queryable tables (DuckDB over Parquet in the data dir)."""
