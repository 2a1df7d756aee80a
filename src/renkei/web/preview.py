"""What a resource page can show of a file: a table, points or shapes on a map, text, an image.

Only uploaded files are read (the node holds them); links are never fetched. Everything read
here is data: the templates escape it, and the map receives it as JSON.

``table_preview`` is the one entry point for tables, so that the DataStore (typed, paged
tables) can replace the file reader without touching the pages.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from renkei.datastore.preview import chart_number
from renkei.ingest.encoding import detect_encoding

# How much of a file a preview reads: enough for the first rows of any sane table.
TABLE_BYTES = 1024 * 1024
TABLE_ROWS = 100
MAP_POINTS = 5000
CHART_BINS = 12
MAX_CHARTS = 6
TEXT_BYTES = 64 * 1024
GEOJSON_BYTES = 20 * 1024 * 1024
TABLE_FORMATS = {"CSV", "TSV", "TXT"}
GEOJSON_FORMATS = {"GEOJSON"}
IMAGE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}
TEXT_FORMATS = {"TXT", "MD", "JSON", "XML", "RDF", "TTL"}

Kind = Literal["table", "geojson", "image", "pdf", "text", "none"]
LAT_NAMES = {"lat", "latitude", "緯度", "y", "ido"}
LON_NAMES = {"lon", "lng", "long", "longitude", "経度", "x", "keido"}
# A "lat,lon" pair in one cell, as in the Takamatsu files' location column.
PAIR_RE = re.compile(r"^\s*(-?\d{1,3}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
INT_RE = re.compile(r"^[+-]?\d{1,18}$")
NUM_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
DATE_RE = re.compile(r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2})?)?$")


def preview_kind(resource: dict[str, Any]) -> Kind:
    """Which preview fits the resource (an uploaded file; links get none)."""
    if resource.get("url_type") != "upload":
        return "none"
    fmt = (resource.get("format") or "").upper()
    mimetype = (resource.get("mimetype") or "").lower()
    if fmt in GEOJSON_FORMATS or mimetype == "application/geo+json":
        return "geojson"
    if fmt in ("CSV", "TSV") or mimetype in ("text/csv", "text/tab-separated-values"):
        return "table"
    if mimetype in IMAGE_TYPES or fmt in ("PNG", "JPEG", "JPG", "GIF", "WEBP"):
        return "image"
    if fmt == "PDF" or mimetype == "application/pdf":
        return "pdf"
    if fmt in TEXT_FORMATS or mimetype.startswith("text/"):
        return "text"
    return "none"


# -- text -------------------------------------------------------------------------------------


def decode(raw: bytes) -> tuple[str, str]:
    """Text and encoding name of the start of a file, by the project's one detector
    (``renkei.ingest.encoding``, as inspection and the quality checks: BOM, UTF-8, then CP932 or
    EUC-JP verified on these bytes). No character is split: a UTF-8 text drops a last character
    cut by the read, a legacy one is cut on a line end; bytes that do not decode show as U+FFFD."""
    found = detect_encoding(raw)
    codec = found.encoding
    if codec.startswith(("utf-8", "utf-16")):
        decoder = codecs.getincrementaldecoder(codec)("replace")
        # Not final: a character cut at the end of the read stays in the decoder, unshown.
        return decoder.decode(raw, final=False), "utf-8" if codec == "utf-8-sig" else codec
    sample = raw[: raw.rfind(b"\n") + 1] or raw
    return sample.decode(codec, errors="replace"), codec


def text_preview(path: Path, limit: int = TEXT_BYTES) -> dict[str, Any]:
    with path.open("rb") as fh:
        raw = fh.read(limit + 1)
    text, encoding = decode(raw[:limit])
    return {"text": text, "encoding": encoding, "truncated": len(raw) > limit}


# -- tables -----------------------------------------------------------------------------------


@dataclass
class Table:
    columns: list[str]
    types: list[str]
    rows: list[list[str]]
    encoding: str
    delimiter: str
    truncated: bool
    comments: list[str] = field(default_factory=list)
    points: dict[str, Any] | None = None  # GeoJSON FeatureCollection of lat/lon columns
    charts: list[dict[str, Any]] = field(default_factory=list)  # numeric column histograms
    rows_read: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": "file",
            "columns": [
                {"name": n, "type": t} for n, t in zip(self.columns, self.types, strict=True)
            ],
            "rows": self.rows,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "truncated": self.truncated,
            "comments": self.comments,
            "points": self.points,
            "charts": self.charts,
            "rows_read": self.rows_read,
        }


def table_preview(path: Path, fmt: str | None, limit: int = TABLE_ROWS) -> Table:
    """The first ``limit`` rows of a CSV/TSV file, with guessed column types and, when the
    table has coordinates, its first rows as points. Raises ValueError when it isn't a table."""
    with path.open("rb") as fh:
        raw = fh.read(TABLE_BYTES + 1)
    truncated_file = len(raw) > TABLE_BYTES
    if truncated_file:
        raw = raw[: raw.rfind(b"\n") + 1] or raw[:TABLE_BYTES]
    text, encoding = decode(raw)
    lines = text.splitlines()
    # Leading "#" lines are metadata (the Japanese "CSV format for local governments" puts
    # language, licence and the English column names there); "#property" names the columns.
    comments: list[str] = []
    while lines and lines[0].startswith("#"):
        comments.append(lines.pop(0))
    delimiter = "\t" if (fmt or "").upper() == "TSV" else _sniff(lines[:20])
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise ValueError("The file is empty")
    rows: list[list[str]] = []
    more = False
    for row in reader:
        if len(rows) >= max(limit, MAP_POINTS):
            more = True
            break
        rows.append(row)
    width = len(header)
    named = _comment_header(comments, width)
    if named:
        # The format has no header row of its own: "#property" names the columns and the
        # first line after the comments is already data.
        rows.insert(0, header)
        header = named
    rows = [(r + [""] * width)[:width] for r in rows]
    columns = [c.strip() or f"column {i + 1}" for i, c in enumerate(header)]
    types = [_column_type([r[i] for r in rows[:limit]]) for i in range(width)]
    points = _points(columns, rows)
    charts = _charts(columns, types, rows)
    return Table(
        columns=columns,
        types=types,
        rows=rows[:limit],
        encoding=encoding,
        delimiter=delimiter,
        truncated=more or truncated_file or len(rows) > limit,
        comments=comments,
        points=points,
        charts=charts,
        rows_read=len(rows),
    )


def _sniff(lines: list[str]) -> str:
    sample = "\n".join(lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        return ","


def _comment_header(comments: list[str], width: int) -> list[str] | None:
    for line in comments:
        cells = next(csv.reader([line]))
        if cells and cells[0].strip().lower() == "#property" and len(cells) == width:
            return ["#", *cells[1:]]
    return None


def _column_type(values: list[str]) -> str:
    present = [v.strip() for v in values if v.strip()]
    if not present:
        return "text"
    if all(INT_RE.match(v) for v in present):
        return "integer"
    if all(NUM_RE.match(v.replace(",", "")) for v in present):
        return "number"
    if all(DATE_RE.match(v) for v in present):
        return "date"
    return "text"


def chartable(name: str, kind: str) -> bool:
    """A numeric column worth a histogram: not an id, a code or a coordinate."""
    lowered = name.strip().lower()
    if kind not in ("integer", "number") or lowered in LAT_NAMES | LON_NAMES:
        return False
    return not (
        lowered in ("#", "id", "_id", "no", "番号") or lowered.endswith(("code", "コード", "id"))
    )


# DataStore column types as the preview names them.
DATASTORE_TYPES = {
    "int": "integer",
    "numeric": "number",
    "float": "number",
    "date": "date",
    "timestamp": "date",
}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def datastore_points(fields: list[dict[str, Any]], rows: list[list[Any]]) -> dict[str, Any] | None:
    """The rows with coordinates as GeoJSON points (see ``_points``), or None."""
    return _points([f["id"] for f in fields], [[_cell(v) for v in row] for row in rows])


def datastore_table(
    fields: list[dict[str, Any]],
    rows: list[list[Any]],
    map_rows: list[list[Any]],
    *,
    total: int,
    offset: int,
) -> dict[str, Any]:
    """A page of a DataStore table in the shape the resource page shows (see Table.as_dict),
    with its place in the whole table; ``map_rows`` are the first rows, for the map."""
    return {
        "source": "datastore",
        "columns": [
            {"name": f["id"], "type": DATASTORE_TYPES.get(f["type"], "text")} for f in fields
        ],
        "rows": [[_cell(v) for v in row] for row in rows],
        "total": total,
        "first": offset + 1 if rows else 0,
        "last": offset + len(rows),
        "encoding": None,
        "delimiter": None,
        "truncated": offset + len(rows) < total or offset > 0,
        "comments": [],
        "points": datastore_points(fields, map_rows),
        "charts": [],
        "rows_read": total,
    }


def _charts(columns: list[str], types: list[str], rows: list[list[str]]) -> list[dict[str, Any]]:
    """A histogram of each numeric column over the rows read (ids and coordinates left out),
    for the small charts beside the table."""
    charts = []
    for i, (name, kind) in enumerate(zip(columns, types, strict=True)):
        if not chartable(name, kind):
            continue
        values = []
        for row in rows:
            try:
                value = float(row[i].replace(",", ""))
            except ValueError:
                continue
            if math.isfinite(value):
                values.append(value)
        if len(values) < 2:
            continue
        low, high = min(values), max(values)
        if low == high:
            continue
        width = (high - low) / CHART_BINS
        counts = [0] * CHART_BINS
        for value in values:
            counts[min(CHART_BINS - 1, int((value - low) / width))] += 1
        charts.append(
            {
                "column": name,
                "count": len(values),
                "min": chart_number(low),
                "max": chart_number(high),
                "mean": chart_number(round(sum(values) / len(values), 2)),
                "bins": [
                    {
                        "from": chart_number(low + b * width),
                        "to": chart_number(low + (b + 1) * width),
                        "count": c,
                    }
                    for b, c in enumerate(counts)
                ],
            }
        )
        if len(charts) >= MAX_CHARTS:
            break
    return charts


def _points(columns: list[str], rows: list[list[str]]) -> dict[str, Any] | None:
    """Points from latitude/longitude columns (or one "lat,lon" column), WGS84 degrees."""
    lowered = [c.strip().lower() for c in columns]
    lat = next((i for i, c in enumerate(lowered) if c in LAT_NAMES), None)
    lon = next((i for i, c in enumerate(lowered) if c in LON_NAMES), None)
    pair = None
    if lat is None or lon is None:
        lat = lon = None
        for i in range(len(columns)):
            values = [r[i] for r in rows[:20] if r[i].strip()]
            if values and all(PAIR_RE.match(v) for v in values):
                pair = i
                break
        if pair is None:
            return None
    label = _label_column(columns)
    features = []
    for row in rows[:MAP_POINTS]:
        if pair is not None:
            match = PAIR_RE.match(row[pair])
            coords = (match.group(1), match.group(2)) if match else None
        else:
            assert lat is not None and lon is not None
            coords = (row[lat], row[lon])
        point = _coordinates(coords)
        if point is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": point},
                "properties": {"label": row[label] if label is not None else ""},
            }
        )
    if not features:
        return None
    return {"type": "FeatureCollection", "features": features}


def _label_column(columns: list[str]) -> int | None:
    for i, name in enumerate(columns):
        if name.strip().lower() in ("name", "名称", "施設名", "title"):
            return i
    return None


def _coordinates(pair: tuple[str, str] | None) -> list[float] | None:
    if pair is None:
        return None
    try:
        lat, lon = float(pair[0]), float(pair[1])
    except ValueError:
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return [round(lon, 7), round(lat, 7)]


# -- GeoJSON ----------------------------------------------------------------------------------


class NotPreviewable(ValueError):
    """The file can't be shown as asked (too large, not GeoJSON, unknown CRS)."""


def geojson_preview(path: Path) -> dict[str, Any]:
    """The file as GeoJSON in WGS84 (RFC 7946): a ``crs`` member naming another EPSG code is
    honoured by reprojecting with pyproj, so the Japanese plane-rectangular files show too."""
    if path.stat().st_size > GEOJSON_BYTES:
        raise NotPreviewable(f"larger than {GEOJSON_BYTES // (1024 * 1024)} MB")
    try:
        data = json.loads(decode(path.read_bytes())[0])
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotPreviewable("not valid JSON") from exc
    if not isinstance(data, dict) or data.get("type") not in (
        "FeatureCollection",
        "Feature",
        "Point",
        "MultiPoint",
        "LineString",
        "MultiLineString",
        "Polygon",
        "MultiPolygon",
        "GeometryCollection",
    ):
        raise NotPreviewable("not a GeoJSON object")
    epsg = _epsg(data.get("crs"))
    if epsg not in (None, 4326, 4612, 6668):  # WGS84 and JGD2000/2011 degrees: same axes
        _reproject(data, epsg)
    data.pop("crs", None)
    return data


def _epsg(crs: Any) -> int | None:
    if not isinstance(crs, dict):
        return None
    name = str((crs.get("properties") or {}).get("name") or "")
    if name.upper().endswith("CRS84"):
        return None
    match = re.search(r"EPSG:{1,2}(\d+)$", name, re.IGNORECASE)
    if not match:
        raise NotPreviewable(f"unknown coordinate reference system {name!r}")
    return int(match.group(1))


def _reproject(data: dict[str, Any], epsg: int) -> None:
    from pyproj import Transformer
    from pyproj.exceptions import CRSError

    try:
        transformer = Transformer.from_crs(epsg, 4326, always_xy=True)
    except CRSError as exc:
        raise NotPreviewable(f"unknown coordinate reference system EPSG:{epsg}") from exc

    def convert(coords: Any) -> Any:
        if coords and isinstance(coords[0], int | float):
            x, y = transformer.transform(coords[0], coords[1])
            return [round(x, 7), round(y, 7)]
        return [convert(c) for c in coords]

    def geometry(geom: Any) -> None:
        if not isinstance(geom, dict):
            return
        if geom.get("type") == "GeometryCollection":
            for g in geom.get("geometries") or []:
                geometry(g)
        elif "coordinates" in geom:
            geom["coordinates"] = convert(geom["coordinates"])

    if data.get("type") == "FeatureCollection":
        for feature in data.get("features") or []:
            geometry(feature.get("geometry") if isinstance(feature, dict) else None)
    elif data.get("type") == "Feature":
        geometry(data.get("geometry"))
    else:
        geometry(data)
