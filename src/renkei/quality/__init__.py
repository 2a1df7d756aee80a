"""Quality evaluation: scorers that explain every lost point with the rule it comes from."""
