"""Tables and query results as files: CSV (UTF-8, optional BOM for Excel, or CP932), TSV, JSON,
Parquet and GeoJSON.

DuckDB writes the file (``COPY ... TO``), so a ten-million-row table streams through bounded
memory; the HTTP layer then streams the file and deletes it. CP932 is produced from the UTF-8
CSV chunk by chunk; a character CP932 can't carry (e.g. 𠮷) is reported with its line rather
than replaced silently.
"""

from __future__ import annotations

import codecs
import json
import shutil
from pathlib import Path
from typing import Any

import duckdb

from renkei.datastore.engine import ident, sql_string
from renkei.datastore.write import Field
from renkei.errors import ValidationError

FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "tsv": ("text/tab-separated-values; charset=utf-8", "tsv"),
    "json": ("application/json", "json"),
    "parquet": ("application/vnd.apache.parquet", "parquet"),
    "geojson": ("application/geo+json", "geojson"),
}
ENCODINGS = ("utf-8", "cp932")
UTF8_BOM = codecs.BOM_UTF8
CHUNK = 1024 * 1024


def check_options(fmt: str, encoding: str, bom: bool) -> None:
    if fmt not in FORMATS:
        raise ValidationError({"format": [f"must be one of {', '.join(FORMATS)}"]})
    if encoding not in ENCODINGS:
        raise ValidationError({"encoding": [f"must be one of {', '.join(ENCODINGS)}"]})
    if encoding != "utf-8" and fmt not in ("csv", "tsv"):
        raise ValidationError({"encoding": ["only CSV and TSV can be written in CP932"]})
    if bom and (fmt not in ("csv", "tsv") or encoding != "utf-8"):
        raise ValidationError({"bom": ["a BOM is only written for UTF-8 CSV and TSV"]})


def media_type(fmt: str, encoding: str) -> str:
    kind = FORMATS[fmt][0]
    return kind.replace("utf-8", "shift_jis") if encoding == "cp932" else kind


def write(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: list[Any],
    fields: list[Field],
    fmt: str,
    target: Path,
    *,
    encoding: str = "utf-8",
    bom: bool = False,
) -> None:
    """Write the rows of ``sql`` to ``target`` in ``fmt``."""
    check_options(fmt, encoding, bom)
    if fmt == "geojson":
        _write_geojson(con, sql, params, fields, target)
        return
    options = {
        "csv": "FORMAT csv, HEADER true",
        "tsv": "FORMAT csv, HEADER true, DELIMITER '\t'",
        "json": "FORMAT json, ARRAY true",
        "parquet": "FORMAT parquet, COMPRESSION zstd",
    }[fmt]
    plain = target.with_name(target.name + ".utf8") if (bom or encoding != "utf-8") else target
    con.execute(f"COPY ({sql}) TO {sql_string(str(plain))} ({options})", params)
    if plain == target:
        return
    try:
        with plain.open("rb") as source, target.open("wb") as out:
            if bom:
                out.write(UTF8_BOM)
                shutil.copyfileobj(source, out, CHUNK)
            else:
                _transcode(source, out, encoding)
    finally:
        plain.unlink(missing_ok=True)


def _transcode(source: Any, out: Any, encoding: str) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    while chunk := source.read(CHUNK):
        text = decoder.decode(chunk)
        try:
            out.write(text.encode(encoding))
        except UnicodeEncodeError as exc:
            bad = text[exc.start]
            where = line + text.count("\n", 0, exc.start)
            raise ValidationError(
                {
                    "encoding": [
                        f"line {where} has {bad!r} (U+{ord(bad):04X}), which {encoding.upper()} "
                        "can't represent; download UTF-8 (with a BOM for Excel) instead"
                    ]
                }
            ) from None
        line += text.count("\n")


def _geometry_sql(fields: list[Field]) -> tuple[str, str] | None:
    """(kind, SQL) of a table's geometry: a GeoJSON column, or latitude and longitude."""
    roles = {(f.info or {}).get("role"): f.id for f in fields}
    if "geometry" in roles:
        return "geojson", ident(roles["geometry"])
    if "latitude" in roles and "longitude" in roles:
        return "latlon", f"{ident(roles['latitude'])}, {ident(roles['longitude'])}"
    if "latlon" in roles:
        return "pair", ident(roles["latlon"])
    return None


def _write_geojson(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[Any], fields: list[Field], target: Path
) -> None:
    from renkei.datastore.query import json_value
    from renkei.ingest.values import parse_latlon

    geometry = _geometry_sql(fields)
    if geometry is None:
        raise ValidationError(
            {"format": ["this table has no geometry or latitude/longitude columns for GeoJSON"]}
        )
    kind, columns = geometry
    cursor = con.execute(f"SELECT {columns}, * FROM ({sql})", params)
    names = [d[0] for d in cursor.description or []]
    width = 1 if kind in ("geojson", "pair") else 2
    types = {f.id: f.type for f in fields}
    with target.open("w", encoding="utf-8") as out:
        out.write('{"type":"FeatureCollection","features":[')
        first = True
        while rows := cursor.fetchmany(10_000):
            for row in rows:
                point: Any = None
                if kind == "geojson" and row[0]:
                    point = json.loads(row[0]) if isinstance(row[0], str) else row[0]
                elif kind == "latlon" and row[0] is not None and row[1] is not None:
                    point = {"type": "Point", "coordinates": [float(row[1]), float(row[0])]}
                elif kind == "pair" and row[0]:
                    pair = parse_latlon(str(row[0]))
                    point = pair and {"type": "Point", "coordinates": [pair[1], pair[0]]}
                properties = {
                    name: json_value(value, types.get(name, "text"))
                    for name, value in zip(names[width:], row[width:], strict=True)
                    if not (kind == "geojson" and name == names[0])
                }
                feature = {"type": "Feature", "geometry": point, "properties": properties}
                out.write(("" if first else ",") + json.dumps(feature, ensure_ascii=False))
                first = False
        out.write("]}")
