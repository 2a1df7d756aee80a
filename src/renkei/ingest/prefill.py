"""Registration pre-fill: what an inspection suggests for the resource and its dataset.

The suggestions are shaped as ``resource_create`` and ``package_create``/``package_patch``
input, so a form or a script can show them, let the publisher edit them, and send them back.
The columns become a Frictionless Table Schema kept on the resource (``schema``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from renkei.ingest.model import Inspection
from renkei.ingest.values import NULL_TOKENS


def table_schema(inspection: Inspection) -> dict[str, Any] | None:
    """A Frictionless Table Schema for the inspected table (None when it has no columns)."""
    if not inspection.columns:
        return None
    fields: list[dict[str, Any]] = []
    for column in inspection.columns:
        field: dict[str, Any] = {"name": column.name, "type": column.type}
        if column.format and column.type != "string":
            field["format"] = column.format
        if column.original_name:
            field["title"] = column.original_name
        if column.role:
            field["rdfType"] = {
                "latitude": "http://www.w3.org/2003/01/geo/wgs84_pos#lat",
                "longitude": "http://www.w3.org/2003/01/geo/wgs84_pos#long",
                "latlon": "http://www.w3.org/2003/01/geo/wgs84_pos#lat_long",
            }[column.role]
        constraints: dict[str, Any] = {}
        if column.null_count == 0 and inspection.row_count:
            constraints["required"] = True
        if column.type in ("integer", "number", "date", "datetime") and column.min is not None:
            constraints["minimum"] = column.min
            constraints["maximum"] = column.max
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    return {"fields": fields, "missingValues": sorted(NULL_TOKENS)}


def bbox_geojson(bbox: list[float]) -> str:
    """The box as a GeoJSON Polygon (a Point when it has no area), as ckanext-spatial stores it."""
    west, south, east, north = bbox
    if west == east and south == north:
        return json.dumps({"type": "Point", "coordinates": [west, south]})
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def suggest(inspection: Inspection, filename: str) -> dict[str, Any]:
    """``{"resource": {...}, "dataset": {...}}``: fields to pre-fill, all editable."""
    resource: dict[str, Any] = {
        "name": filename,
        "format": (inspection.format or "").upper() or None,
        "mimetype": inspection.mimetype,
        "size": inspection.size,
        "hash": inspection.sha256,
    }
    schema = table_schema(inspection)
    if schema is not None:
        resource["schema"] = schema
        resource["row_count"] = inspection.row_count
    if inspection.encoding:
        resource["encoding"] = inspection.encoding
    extras: list[dict[str, str]] = []
    if inspection.bbox is not None:
        extras.append({"key": "spatial", "value": bbox_geojson(inspection.bbox)})
    if inspection.temporal is not None:
        extras.append({"key": "temporal_start", "value": inspection.temporal["start"]})
        extras.append({"key": "temporal_end", "value": inspection.temporal["end"]})
    dataset: dict[str, Any] = {
        "tags": [{"name": tag} for tag in inspection.suggested_tags],
        "extras": extras,
    }
    return {"resource": {k: v for k, v in resource.items() if v is not None}, "dataset": dataset}


def inspect_and_suggest(
    path: Path, filename: str, declared_format: str | None = None
) -> dict[str, Any]:
    """What the registration forms and ``/api/v1/inspect`` answer: the inspection and the
    metadata it suggests for the resource and its dataset."""
    from renkei.ingest import inspect_file

    inspection = inspect_file(path, filename=filename, declared_format=declared_format)
    return {
        "inspection": inspection.model_dump(mode="json"),
        "suggested": suggest(inspection, filename),
    }
