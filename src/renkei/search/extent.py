"""A dataset's spatial extent and temporal coverage, read from its extras.

The conventions are CKAN's: ``spatial`` holds GeoJSON (ckanext-spatial), ``temporal_start``
and ``temporal_end`` hold ISO 8601 dates (as DCAT-AP's ``dct:temporal`` maps them).
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from typing import Any

from shapely.geometry import shape

from renkei.errors import ValidationError

BBox = tuple[float, float, float, float]  # west, south, east, north (WGS84 degrees)


def bbox_of(spatial: str | None) -> BBox | None:
    """The bounding box of a GeoJSON geometry (or Feature), or None when there is none."""
    if not spatial or not spatial.strip():
        return None
    try:
        data = json.loads(spatial)
        if isinstance(data, dict) and data.get("type") == "Feature":
            data = data.get("geometry")
        west, south, east, north = shape(data).bounds
    except (ValueError, TypeError, AttributeError, KeyError):
        return None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        return None
    return west, south, east, north


def parse_bbox(text: str) -> BBox:
    """``ext_bbox=minx,miny,maxx,maxy`` as ckanext-spatial takes it, checked."""
    parts = text.split(",")
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise ValidationError(
            {"ext_bbox": ["Must be four numbers: west,south,east,north (e.g. 139.5,35.5,140,36)"]}
        ) from None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise ValidationError(
            {"ext_bbox": ["Longitudes must lie in -180..180, latitudes in -90..90, south <= north"]}
        )
    if west > east:
        raise ValidationError({"ext_bbox": ["west must not exceed east"]})
    return west, south, east, north


def parse_moment(text: str | None) -> datetime | None:
    if not text or not str(text).strip():
        return None
    value = str(text).strip()
    try:
        if len(value) == 4 and value.isdigit():
            return datetime(int(value), 1, 1)
        if len(value) == 7 and value[4] == "-":
            return datetime(int(value[:4]), int(value[5:]), 1)
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed.replace(tzinfo=None)
    except ValueError:
        return None


def temporal_of(extras: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    return parse_moment(extras.get("temporal_start")), parse_moment(extras.get("temporal_end"))


def parse_temporal(text: str) -> tuple[datetime | None, datetime | None]:
    """``ext_temporal=START/END`` (ISO 8601 interval; ``..`` or empty for an open end)."""
    start_text, sep, end_text = text.partition("/")
    if not sep:
        raise ValidationError({"ext_temporal": ["Must be START/END, e.g. 2020-01-01/2023-12-31"]})
    start = None if start_text in ("", "..") else parse_moment(start_text)
    end = None if end_text in ("", "..") else parse_moment(end_text)
    if (start_text not in ("", "..") and start is None) or (
        end_text not in ("", "..") and end is None
    ):
        raise ValidationError({"ext_temporal": ["Dates must be ISO 8601, e.g. 2024-04-01"]})
    if start and end and start > end:
        raise ValidationError({"ext_temporal": ["The start is after the end"]})
    if isinstance(start, date) and isinstance(end, date) and len(end_text) <= 10 and end:
        end = end.replace(hour=23, minute=59, second=59)  # a date as end means the whole day
    return start, end
