"""Background work of a node (DataStore loads today)."""
