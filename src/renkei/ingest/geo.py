"""Where the data is: bounding box (WGS84) and coordinate reference of a table or GeoJSON.

JGD2011 (EPSG:6668) and WGS84 (EPSG:4326) differ by centimetres in Japan, so degrees in either
are used as they are. Plane rectangular coordinates (JGD2011 zones, EPSG:6669-6687) are
converted with pyproj. The old Tokyo datum (EPSG:4301) is hundreds of metres off: flagged.
"""

from __future__ import annotations

import math
import re
from statistics import median
from typing import Any

from renkei.ingest import values
from renkei.ingest.model import Column
from renkei.ingest.problems import ProblemLog

WGS84 = "EPSG:4326"
JGD2011 = "EPSG:6668"
JGD2000 = "EPSG:4612"
TOKYO = "EPSG:4301"
_GEOGRAPHIC = {WGS84, JGD2011, JGD2000, "EPSG:4019", "OGC:CRS84"}

_TOKYO_RE = re.compile(r"(日本測地系|旧測地系|tokyo\s*datum|tokyo|EPSG:?4301)", re.IGNORECASE)
_JGD2011_RE = re.compile(r"(JGD2011|EPSG:?6668)", re.IGNORECASE)
_JGD2000_RE = re.compile(r"(JGD2000|EPSG:?4612)", re.IGNORECASE)
_EPSG_RE = re.compile(r"EPSG:{0,2}:?(\d{4,5})$|^urn:ogc:def:crs:OGC:[\d.]*:CRS84$", re.IGNORECASE)


def crs_from_text(texts: list[str]) -> str | None:
    """A datum named in the column names or a preamble (世界測地系 is WGS84/JGD: no flag)."""
    joined = " ".join(values.normalize(t) for t in texts if t)
    if _TOKYO_RE.search(joined) and "世界測地系" not in joined:
        return TOKYO
    if _JGD2011_RE.search(joined):
        return JGD2011
    if _JGD2000_RE.search(joined):
        return JGD2000
    return None


def flag_tokyo(crs: str | None, log: ProblemLog) -> None:
    if crs == TOKYO:
        log.add(
            "geo.tokyo_datum", "warning",
            "Coordinates are in the old Tokyo datum (EPSG:4301), about 400 m off JGD2011/WGS84: "
            "the extent is approximate",
            "座標が旧日本測地系（EPSG:4301）です。世界測地系と約400mずれるため範囲は概算です",
            fix="Convert the coordinates to JGD2011 (世界測地系) before publishing",
            fix_ja="公開前に世界測地系（JGD2011）へ変換してください",
        )  # fmt: skip


def table_bbox(columns: list[Column], ranges: dict[str, tuple[list[float], list[float]]]
               ) -> list[float] | None:  # fmt: skip
    """The box around lat/lon columns, or the combined "lat,lon" column (first pair found)."""
    lats = [c for c in columns if c.role == "latitude"]
    lons = [c for c in columns if c.role == "longitude"]
    if lats and lons:
        lat, lon = lats[0], lons[0]
        return [float(lon.min), float(lat.min), float(lon.max), float(lat.max)]
    for column in columns:
        if column.role == "latlon" and column.name in ranges:
            lat_range, lon_range = ranges[column.name]
            return [lon_range[0], lat_range[0], lon_range[1], lat_range[1]]
    return None


def to_wgs84(bbox: list[float], crs: str) -> list[float]:
    """Reproject a box to WGS84 degrees (densified edges, so curved zones stay inside)."""
    if crs in _GEOGRAPHIC or crs == TOKYO:
        return bbox
    from pyproj import Transformer

    transformer = Transformer.from_crs(crs, WGS84, always_xy=True)
    west, south, east, north = transformer.transform_bounds(*bbox, densify_pts=21)
    return [west, south, east, north]


def geojson_crs(document: dict[str, Any]) -> str:
    """The legacy GeoJSON 2008 ``crs`` member (still written by GIS exports), else RFC 7946."""
    crs = document.get("crs")
    if isinstance(crs, dict):
        name = (crs.get("properties") or {}).get("name")
        if isinstance(name, str):
            match = _EPSG_RE.search(name.strip())
            if match and match.group(1):
                return f"EPSG:{match.group(1)}"
            if match:
                return WGS84
    return WGS84


def plausible_degrees(bbox: list[float]) -> bool:
    west, south, east, north = bbox
    return -180 <= west <= east <= 180 and -90 <= south <= north <= 90


def round_bbox(bbox: list[float]) -> list[float]:
    return [round(v, 7) for v in bbox]


# A point this far from the median of the others (and 10 times their typical distance) is
# taken for a typing error: 35.4353,139.4823 in a list of Arakawa-ku's Wi-Fi spots.
OUTLIER_MIN_KM = 10.0


def outliers(points: list[tuple[int, float, float]]) -> list[tuple[int, float, float, float]]:
    """(row, lat, lon, km from the median) of the points far from all the others; [] when
    there are too few points to tell, or when many are far (the data is simply spread)."""
    if len(points) < 5:
        return []
    lat0 = median(p[1] for p in points)
    lon0 = median(p[2] for p in points)
    scale = math.cos(math.radians(lat0))
    distances = [111.2 * math.hypot(lat - lat0, (lon - lon0) * scale) for _, lat, lon in points]
    limit = max(OUTLIER_MIN_KM, 10 * median(distances))
    far = [
        (row, lat, lon, d)
        for (row, lat, lon), d in zip(points, distances, strict=True)
        if d > limit
    ]
    return far if len(far) <= max(1, len(points) // 100) else []


def bbox_of_points(points: list[tuple[int, float, float]]) -> list[float]:
    lats = [p[1] for p in points]
    lons = [p[2] for p in points]
    return [min(lons), min(lats), max(lons), max(lats)]
