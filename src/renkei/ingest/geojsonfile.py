"""GeoJSON: feature properties as a table, geometries for the extent (reprojected to WGS84
when a legacy ``crs`` member names a projected system such as EPSG:6675, 平面直角座標系 VII)."""

from __future__ import annotations

from typing import Any

from shapely.geometry import shape

from renkei.ingest import geo
from renkei.ingest.model import Inspection
from renkei.ingest.problems import ProblemLog
from renkei.ingest.tabular import analyse


def inspect_geojson(document: dict[str, Any], base: dict[str, Any], log: ProblemLog) -> Inspection:
    from renkei.ingest.inspector import _json_text, _table_inspection

    features = (
        document.get("features") if document.get("type") == "FeatureCollection" else [document]
    )
    features = [f for f in features or [] if isinstance(f, dict)]
    keys: dict[str, None] = {}
    for feature in features:
        keys.update(dict.fromkeys(str(k) for k in (feature.get("properties") or {})))
    names = list(keys)
    rows = ([_json_text((f.get("properties") or {}).get(k)) for k in names] for f in features)
    table = analyse(rows, log, header=names)
    bounds = None
    bad = 0
    for number, feature in enumerate(features, start=1):
        geometry = feature.get("geometry")
        if not geometry:
            continue
        try:
            west, south, east, north = shape(geometry).bounds
        except (ValueError, TypeError, AttributeError, KeyError):
            bad += 1
            if bad <= 5:
                log.add(
                    "geojson.bad_geometry", "warning",
                    f"Feature {number} has a geometry that can't be read: it is left out of "
                    "the extent",
                    f"{number}番目の地物のジオメトリを読めないため、範囲の計算から除きます",
                    row=number,
                )  # fmt: skip
            continue
        if bounds is None:
            bounds = [west, south, east, north]
        else:
            bounds = [min(bounds[0], west), min(bounds[1], south),
                      max(bounds[2], east), max(bounds[3], north)]  # fmt: skip
    crs = geo.geojson_crs(document)
    inspection = _table_inspection(base, table, log, [])
    inspection.crs = crs
    if bounds is not None:
        try:
            box = geo.to_wgs84(bounds, crs)
        except Exception as exc:  # noqa: BLE001 - pyproj: unknown or unusable CRS
            box = None
            inspection.problems.append(_crs_problem(crs, str(exc)))
        if box is not None and not geo.plausible_degrees(box):
            inspection.problems.append(
                _crs_problem(crs, "the coordinates are not longitude/latitude degrees")
            )
            box = None
        inspection.bbox = geo.round_bbox(box) if box else None
    if crs == geo.TOKYO:
        extra = ProblemLog()
        geo.flag_tokyo(crs, extra)
        inspection.problems.extend(extra.finish())
    return inspection


def _crs_problem(crs: str, detail: str) -> Any:
    from renkei.ingest.problems import finding

    return finding(
        "geo.crs", "warning",
        f"The extent could not be computed in WGS84 from {crs}: {detail}",
        f"{crs} から WGS84 の範囲を計算できませんでした",
        fix="Publish GeoJSON in WGS84 longitude/latitude (RFC 7946)",
        fix_ja="GeoJSON は WGS84 の経度・緯度（RFC 7946）で公開してください",
    )  # fmt: skip
