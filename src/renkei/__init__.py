"""Renkei (連携): a node of a linked open-data catalog with a CKAN-compatible API."""

__version__ = "0.1.0"
