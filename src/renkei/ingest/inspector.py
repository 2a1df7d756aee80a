"""``inspect_file``: from a file on disk to an Inspection (format, encoding, layout, columns,
extents, problems). Bad content never raises: it comes back as ``error`` findings, so the
upload form, the CLI and the DataStore loader all show the publisher the same reasons."""

from __future__ import annotations

import hashlib
import json
import mimetypes
from pathlib import Path
from typing import Any

from renkei.ingest import geo, values, xlsx
from renkei.ingest.csvfile import csv_rows, sniff_delimiter
from renkei.ingest.encoding import detect_encoding, utf16_without_bom
from renkei.ingest.model import Column, Inspection
from renkei.ingest.problems import ProblemLog
from renkei.ingest.read import UnreadableText, sample_text
from renkei.ingest.tabular import MAX_COLUMNS, TableResult, TooWide, analyse
from renkei.ingest.tags import suggest_tags

MIMETYPES = {
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "geojson": "application/geo+json",
    "parquet": "application/vnd.apache.parquet",
    "xls": "application/vnd.ms-excel",
}
EXTENSIONS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".tab": "tsv", ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".json": "json", ".geojson": "geojson", ".parquet": "parquet", ".pq": "parquet",
}  # fmt: skip
# json.load holds the whole document as Python objects (about 10x the file): keep it bounded.
MAX_JSON_BYTES = 100 * 1024**2


def _digest(path: Path) -> tuple[int, str]:
    sha = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            size += len(chunk)
            sha.update(chunk)
    return size, sha.hexdigest()


def detect_format(path: Path, filename: str, declared: str | None = None) -> str | None:
    """The format from the content's first bytes, then the declared format, then the name."""
    with path.open("rb") as handle:
        head = handle.read(8192)
    suffix = Path(filename).suffix.lower()
    by_name = EXTENSIONS.get(suffix)
    hint = (declared or "").strip().lower().lstrip(".") or None
    if head.startswith(b"PK\x03\x04"):
        return "xlsx" if by_name == "xlsx" or hint == "xlsx" or _zip_is_xlsx(path) else None
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"  # Excel 97-2003 (OLE2): refused with a message, not read
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    # A CSV may start with "[注]": a .csv/.tsv name or a declared csv/tsv keeps it a table.
    textual = by_name in ("csv", "tsv") or hint in ("csv", "tsv")
    if stripped[:1] in (b"{", b"[") and not textual and _is_text(head):
        if (
            by_name == "geojson"
            or hint == "geojson"
            or b'"FeatureCollection"' in head
            or (b'"Feature"' in head)
        ):
            return "geojson"
        return "json"
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff")) or utf16_without_bom(head) is not None
    if b"\x00" in head and not utf16:
        return None  # binary, and not a format we read
    if hint in ("csv", "tsv"):
        return hint
    if by_name in ("csv", "tsv") or by_name is None:
        return by_name or "csv"
    return by_name


def _is_text(head: bytes) -> bool:
    """UTF-8 without NUL bytes (the last character may be cut by the 8 KiB read): a binary
    file that happens to start with "{" or "[" is not JSON."""
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start >= len(head) - 3 and error.reason == "unexpected end of data"
    return True


def _zip_is_xlsx(path: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def inspect_file(
    path: Path, *, filename: str | None = None, declared_format: str | None = None
) -> Inspection:
    """Describe ``path`` (read whole, once per pass; nothing is loaded into memory at once)."""
    name = filename or path.name
    size, sha256 = _digest(path)
    fmt = (
        detect_format(path, name, declared_format)
        if size
        else EXTENSIONS.get(Path(name).suffix.lower())
    )
    mimetype = MIMETYPES.get(fmt or "") or mimetypes.guess_type(name)[0]
    base: dict[str, Any] = {"format": fmt, "mimetype": mimetype, "size": size, "sha256": sha256}
    log = ProblemLog()
    if size == 0:
        log.add(
            "file.empty", "error", "The file is empty", "ファイルが空です",
            fix="Upload the file again: it has no content",
            fix_ja="中身のあるファイルを登録してください",
        )  # fmt: skip
        return Inspection(**base, header_rows=0, problems=log.finish())
    if fmt in ("csv", "tsv"):
        result = _inspect_text_table(path, base, log, tsv=fmt == "tsv")
    elif fmt == "xlsx":
        result = _inspect_xlsx(path, base, log)
    elif fmt in ("json", "geojson"):
        result = _inspect_json(path, base, log)
    elif fmt == "xls":
        log.add(
            "file.xls", "error",
            "Excel 97-2003 workbooks (.xls) are not read",
            "Excel 97-2003 形式（.xls）は読み込めません",
            fix="Save the workbook as .xlsx, or export the sheet as CSV (UTF-8)",
            fix_ja=".xlsx 形式で保存し直すか、CSV（UTF-8）で出力してください",
        )  # fmt: skip
        result = Inspection(**base, header_rows=0, problems=log.finish())
    elif fmt == "parquet":
        from renkei.ingest.parquetfile import inspect_parquet

        result = inspect_parquet(path, base, log)
    else:
        log.add(
            "file.not_tabular", "info",
            "The file is not a table Renkei can read (CSV, TSV, XLSX, JSON, GeoJSON, Parquet): "
            "it is stored as it is",
            "表として読める形式（CSV・TSV・XLSX・JSON・GeoJSON・Parquet）ではないため、"
            "そのまま保存します",
        )  # fmt: skip
        result = Inspection(**base, header_rows=0, problems=log.finish())
    result.suggested_tags = suggest_tags(name, result)
    return result


def _table_inspection(
    base: dict[str, Any], table: TableResult, log: ProblemLog, extra_texts: list[str]
) -> Inspection:
    columns = table.columns
    ranges = {
        s.name: (s.lat_range, s.lon_range) for s, c in zip(table.stats, columns, strict=True)
        if c.role == "latlon"
    }  # fmt: skip
    inspection = Inspection(
        **base,
        skip_rows=table.layout.skip_rows,
        header_rows=table.layout.header_rows,
        footer_rows=table.footer_rows,
        ignored_rows=table.ignored_rows,
        columns=columns,
        row_count=table.row_count,
    )
    # Keep the name as written when it had to change (duplicate, too long, empty).
    for column, original in zip(columns, table.layout.original, strict=False):
        if original and original.strip() != column.name:
            column.original_name = original
    _add_extents(inspection, ranges, log, extra_texts)
    _drop_far_points(inspection, table, log)
    if table.row_count == 0:
        log.add(
            "table.no_rows", "warning",
            "The table has a header but no data rows", "見出しはありますがデータ行がありません",
            fix="Check that the file was exported with its data",
            fix_ja="データが含まれているか確認してください",
        )  # fmt: skip
    inspection.problems = log.finish()
    return inspection


def _add_extents(
    inspection: Inspection,
    ranges: dict[str, tuple[list[float], list[float]]],
    log: ProblemLog,
    extra_texts: list[str],
) -> None:
    columns = inspection.columns
    bbox = geo.table_bbox(columns, ranges)
    if bbox is not None:
        crs = geo.crs_from_text([c.name for c in columns] + extra_texts) or geo.WGS84
        geo.flag_tokyo(crs, log)
        inspection.crs = crs
        inspection.bbox = geo.round_bbox(bbox)
    inspection.temporal = _temporal(columns)


def _points(table: TableResult) -> list[tuple[int, float, float]] | None:
    """(row, lat, lon) of every coordinate in the table; None when not all were kept."""
    by_role = {c.role: s for s, c in zip(table.stats, table.columns, strict=True) if c.role}
    if "latitude" in by_role and "longitude" in by_role:
        lat_stat, lon_stat = by_role["latitude"], by_role["longitude"]
        if lat_stat.points_overflow or lon_stat.points_overflow:
            return None
        lons = dict(lon_stat.points)
        rows = [row for row, _ in lat_stat.points if row in lons]
        lat_texts = dict(lat_stat.points)
        try:  # the columns were verified as numbers: float() reads them all, in C
            lat_values = list(map(float, (lat_texts[r] for r in rows)))
            lon_values = list(map(float, (lons[r] for r in rows)))
        except ValueError:
            return None
        return list(zip(rows, lat_values, lon_values, strict=True))
    if "latlon" in by_role:
        stat = by_role["latlon"]
        if stat.points_overflow:
            return None
        found = ((row, values.parse_latlon(text)) for row, text in stat.points)
        return [(row, pair[0], pair[1]) for row, pair in found if pair is not None]
    return None


def _drop_far_points(inspection: Inspection, table: TableResult, log: ProblemLog) -> None:
    """Report coordinates far from all the others, and leave them out of the extent."""
    points = _points(table)
    if not points or inspection.bbox is None:
        return
    far = geo.outliers(points)
    if not far:
        return
    rows = {row for row, *_ in far}
    for row, lat, lon, km in far:
        log.add(
            "geo.outlier", "warning",
            f"Row {row}: the coordinate {lat}, {lon} is {km:.0f} km from the other points: "
            "it looks wrong and is left out of the extent",
            f"{row}行目の座標（{lat}, {lon}）はほかの地点から{km:.0f}km離れており、誤りと"
            "思われるため範囲の計算から除きます",
            row=row,
            fix="Check the latitude and longitude of that row",
            fix_ja="その行の緯度・経度を確認してください",
        )  # fmt: skip
    inspection.bbox = geo.round_bbox(geo.bbox_of_points([p for p in points if p[0] not in rows]))


def _table_inspection_from_columns(
    base: dict[str, Any], columns: list[Column], row_count: int, log: ProblemLog
) -> Inspection:
    """For formats that carry their own schema (Parquet): roles and extents from the columns."""
    from renkei.ingest.infer import ColumnStats

    for column in columns:
        column.role = ColumnStats(column.name, 0).geo_role(column)  # type: ignore[assignment]
    inspection = Inspection(**base, columns=columns, row_count=row_count)
    _add_extents(inspection, {}, log, [])
    inspection.problems = log.finish()
    return inspection


def _temporal(columns: list[Column]) -> dict[str, str] | None:
    starts = [str(c.min)[:10] for c in columns if c.type in ("date", "datetime") and c.min]
    ends = [str(c.max)[:10] for c in columns if c.type in ("date", "datetime") and c.max]
    for column in columns:
        if column.format == "fiscal_year" and column.min is not None:
            starts.append(f"{int(column.min):04d}-04-01")
            ends.append(f"{int(column.max) + 1:04d}-03-31")
    if not starts:
        return None
    return {"start": min(starts), "end": max(ends)}


def _inspect_text_table(path: Path, base: dict[str, Any], log: ProblemLog, tsv: bool) -> Inspection:
    found = detect_encoding(path)
    draft = Inspection(**base, encoding=found.encoding)
    if found.error_offset is not None:
        draft.decode_errors = "replace"
        at_end = base["size"] - found.error_offset <= 4
        if at_end:
            log.add(
                "encoding.truncated", "warning",
                f"The file ends in the middle of a character ({found.encoding}): it looks "
                "truncated; the broken character is replaced",
                "ファイルが文字の途中で終わっています（途中で切れている可能性）。壊れた文字は置き換えます",
                row=found.error_line,
                fix="Export or download the file again", fix_ja="ファイルを出力し直してください",
            )  # fmt: skip
        else:
            log.add(
                "encoding.mixed", "error",
                f"No single encoding reads the whole file: it reads as {found.encoding} until "
                f"byte {found.error_offset} (line {found.error_line}), which is not "
                f"{found.encoding}. Tried: {', '.join(found.tried)}",
                f"ファイル全体を一つの文字コードで読めません。{found.error_line}行目"
                f"（{found.error_offset}バイト目）から{found.encoding}として読めない文字があります"
                "（文字コードの混在）",
                row=found.error_line,
                fix="Save the whole file in one encoding (UTF-8 is recommended)",
                fix_ja="ファイル全体を一つの文字コード（UTF-8 推奨）で保存し直してください",
            )  # fmt: skip
    sample = sample_text(path, draft)
    delimiter, quotechar = sniff_delimiter(sample, "\t" if tsv else None)
    draft.delimiter = delimiter
    draft.quotechar = quotechar
    base = {
        **base,
        "format": "tsv" if delimiter == "\t" else "csv",
        "mimetype": MIMETYPES["tsv" if delimiter == "\t" else "csv"],
        "encoding": found.encoding,
        "decode_errors": draft.decode_errors,
        "delimiter": delimiter,
        "quotechar": quotechar,
    }
    try:
        table = analyse(csv_rows(path, draft, delimiter, quotechar), log)
    except TooWide as exc:
        return _too_wide(base, log, exc.width)
    except UnreadableText as exc:
        log.add(
            "file.unreadable_text", "error",
            f"The file can't be read as {base['format'].upper()} past line {exc.line}: "
            f"{exc.reason} (an unterminated quote, or binary data?)",
            f"{exc.line}行目以降を表として読めません（閉じていない引用符、またはバイナリデータ）",
            row=exc.line,
            fix="Check the quotes around that line, or export the file again",
            fix_ja="その行付近の引用符を確認するか、ファイルを出力し直してください",
        )  # fmt: skip
        return Inspection(**base, header_rows=0, problems=log.finish())
    return _table_inspection(base, table, log, [])


def _too_wide(base: dict[str, Any], log: ProblemLog, width: int) -> Inspection:
    log.add(
        "table.too_wide", "error",
        f"The table has {width} columns; at most {MAX_COLUMNS} are accepted",
        f"列数が{width}で、上限の{MAX_COLUMNS}を超えています",
        fix="Split the table or transpose it", fix_ja="表を分割するか、行と列を入れ替えてください",
    )  # fmt: skip
    return Inspection(**base, header_rows=0, problems=log.finish())


def _inspect_xlsx(path: Path, base: dict[str, Any], log: ProblemLog) -> Inspection:
    try:
        xlsx.check_zip(path)
    except xlsx.UnsafeWorkbook as exc:
        log.add(
            "xlsx.refused", "error", exc.message, exc.message_ja,
            fix="Save the workbook again from Excel, or publish it as CSV",
            fix_ja="Excel で保存し直すか、CSV で公開してください",
        )  # fmt: skip
        return Inspection(**base, header_rows=0, problems=log.finish())
    formulas = xlsx.formula_cells(path) if xlsx.has_formulas(path) else {}
    sheets: list[Inspection] = []
    try:
        for title, rows in xlsx.sheet_rows(path):
            sheet_log = ProblemLog(sheet=title)
            for row, col, formula, cached in formulas.get(title, []):
                if not cached:
                    sheet_log.add(
                        "xlsx.formula_without_value", "warning",
                        f"Cell at row {row}, column {col} holds a formula ({formula[:60]}) with "
                        "no saved result: it reads as empty",
                        f"{row}行{col}列のセルは計算結果が保存されていない数式（{formula[:60]}）"
                        "のため空欄として扱います",
                        row=row, column=col,
                        fix="Open and save the workbook in Excel so results are stored, "
                        "or replace formulas by values",
                        fix_ja="Excel で開いて保存し直すか、数式を値に置き換えてください",
                    )  # fmt: skip
            cached_count = sum(1 for f in formulas.get(title, []) if f[3])
            if cached_count:
                sheet_log.add(
                    "xlsx.formulas", "info",
                    f"{cached_count} cells hold formulas: the results Excel saved are used",
                    f"{cached_count}個のセルが数式です。保存されている計算結果を使います",
                )  # fmt: skip
            sheet_base = {**base, "sheet": title}
            try:
                table = analyse(rows, sheet_log)
            except TooWide as exc:
                sheets.append(_too_wide(sheet_base, sheet_log, exc.width))
                continue
            sheets.append(_table_inspection(sheet_base, table, sheet_log, []))
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for broken parts
        log.add(
            "xlsx.unreadable", "error",
            f"The workbook could not be read: {type(exc).__name__}: {exc}",
            "ブックを読み込めませんでした（ファイルが壊れている可能性があります）",
            fix="Save the workbook again from Excel, or publish it as CSV",
            fix_ja="Excel で保存し直すか、CSV で公開してください",
        )  # fmt: skip
        return Inspection(**base, header_rows=0, problems=log.finish())
    tables = [s for s in sheets if s.columns and s.row_count > 0] or sheets
    if not tables:
        log.add("xlsx.no_sheets", "error", "The workbook has no sheets", "シートがありません")
        return Inspection(**base, header_rows=0, problems=log.finish())
    first = tables[0].model_copy()
    first.sheets = sheets
    first.problems = [*log.finish(), *first.problems]
    return first


def _inspect_json(path: Path, base: dict[str, Any], log: ProblemLog) -> Inspection:
    if base["size"] > MAX_JSON_BYTES:
        log.add(
            "json.too_large", "error",
            f"JSON files over {MAX_JSON_BYTES} bytes are not inspected",
            f"{MAX_JSON_BYTES}バイトを超える JSON は調べません",
            fix="Publish large tables as CSV or Parquet",
            fix_ja="大きな表は CSV か Parquet で公開してください",
        )  # fmt: skip
        return Inspection(**base, header_rows=0, problems=log.finish())
    found = detect_encoding(path)
    try:
        document = json.loads(path.read_bytes().decode(found.encoding))
    except (UnicodeDecodeError, ValueError) as exc:
        log.add(
            "json.invalid", "error", f"The file is not valid JSON: {exc}",
            "JSON として読めません（構文エラー）",
            fix="Check the file with a JSON validator", fix_ja="JSON の構文を確認してください",
        )  # fmt: skip
        return Inspection(**base, header_rows=0, problems=log.finish())
    base = {**base, "encoding": found.encoding}
    if isinstance(document, dict) and document.get("type") in ("FeatureCollection", "Feature"):
        from renkei.ingest.geojsonfile import inspect_geojson

        return inspect_geojson(document, {**base, "format": "geojson",
                                          "mimetype": MIMETYPES["geojson"]}, log)  # fmt: skip
    records = _records(document)
    if records is None:
        log.add(
            "json.not_tabular", "info",
            "The JSON is not a list of records: no columns are described",
            "JSON がレコードの配列ではないため、列は推定しません",
        )  # fmt: skip
        return Inspection(**base, header_rows=0, problems=log.finish())
    keys: dict[str, None] = {}
    for record in records:
        if isinstance(record, dict):
            keys.update(dict.fromkeys(str(k) for k in record))
    names = list(keys)
    rows = ([_json_text(r.get(k)) if isinstance(r, dict) else None for k in names] for r in records)
    table = analyse(rows, log, header=names)
    return _table_inspection({**base, "format": "json"}, table, log, [])


def _records(document: Any) -> list[Any] | None:
    if isinstance(document, list) and all(isinstance(r, dict) for r in document[:100]):
        return document
    if isinstance(document, dict):
        for key in ("records", "data", "items", "result", "results", "rows"):
            value = document.get(key)
            if isinstance(value, list) and all(isinstance(r, dict) for r in value[:100]):
                return value
            if isinstance(value, dict):
                nested = _records(value)
                if nested is not None:
                    return nested
    return None


def _json_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)
