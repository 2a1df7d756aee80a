"""Inspecting files into metadata: encoding, layout, column types, extents, problems.

``inspect_file`` is the one entry point; the DataStore loader converts values with
``renkei.ingest.values`` and reads text through ``renkei.ingest.read.open_text`` so that it
loads exactly what the inspection described.
"""

from renkei.ingest.inspector import inspect_file
from renkei.ingest.model import Column, Inspection

__all__ = ["Column", "Inspection", "inspect_file"]
