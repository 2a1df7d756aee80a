"""Load a resource's file into its DataStore table: inspect, convert in DuckDB, publish whole.

Flow: ``renkei.ingest.inspect_file`` tells the encoding, the layout (preamble, header rows,
footer) and each column's type. The cells are handed to DuckDB as text (CSV read by DuckDB
itself, after decoding CP932/EUC-JP/UTF-16 to UTF-8 in Python; XLSX/JSON/GeoJSON through
Arrow), and one ``CREATE TABLE ... AS SELECT`` into a new table file converts every column:
a fast SQL path for the usual spellings (``1,234``, ``2024/4/1``), and
``renkei.ingest.values`` (the very converters the inspection used) for the rest (全角 digits,
令和6年4月1日, 9時30分). If a value doesn't convert after all, the column is demoted to text and
the load runs again, with the demotion reported; the previous version of the table stays in
service until the new one is complete.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from time import perf_counter
from typing import Any

import duckdb
import pyarrow as pa

from renkei.datastore.engine import attach, ident, new_table_file, sql_string
from renkei.datastore.types import FROM_TABLE_SCHEMA
from renkei.datastore.write import Field
from renkei.ingest import Column, Inspection
from renkei.ingest import values as cell
from renkei.ingest.xlsx import cell_text

# Formats the loader reads into tables; others (PDF, images, ...) have no table.
TABULAR_FORMATS = frozenset({"csv", "tsv", "xlsx", "json", "geojson", "parquet"})
MAX_DEMOTIONS = 50
GEOMETRY = "geometry"
_BIGINT_MIN, _BIGINT_MAX = -(2**63), 2**63 - 1
_CONVERT_ERROR = re.compile(r"RK_CONVERT (\d+) (.*)")

_NULLS = ", ".join(sql_string(token) for token in sorted(cell.NULL_TOKENS))
_INT_RE = r"[+-]?(0|[1-9][0-9]*|[1-9][0-9]{0,2}(,[0-9]{3})+)"
_NUM_RE = r"[+-]?(([0-9]+|[0-9]{1,3}(,[0-9]{3})+)(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?"
# Date formats DuckDB's strptime reads exactly as renkei.ingest.values does (1- or 2-digit
# month and day); the others go through the Python converter.
_STRPTIME_FORMATS = frozenset(
    {"%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%m/%d/%Y", "%d/%m/%Y"}
)


class LoadError(Exception):
    """The file can't become a table; the message tells the publisher what to change."""


@dataclass
class Loaded:
    fields: list[Field]
    row_count: int
    problems: list[dict[str, Any]] = field(default_factory=list)


#: Called when the table file is complete but the whole-file problem scan of a sampled file is
#: still to come: it may publish the table (returning where the file went) so that the rows
#: serve at once, or return None to leave the file where it is.
OnLoaded = Callable[[Loaded], Path | None]


def _fail(index: int, value: str) -> None:
    raise ValueError(f"RK_CONVERT {index} {value!r}")


def _converter(kind: str) -> Callable[..., Any]:
    def convert(text: str | None, fmt: str | None, index: int) -> Any:
        if text is None or cell.is_null(text):
            return None
        if kind == "integer":
            result: Any = cell.to_integer(text)
            if result is not None and not _BIGINT_MIN <= result <= _BIGINT_MAX:
                _fail(index, text)  # too large for the table's integer type: text instead
        elif kind == "number":
            number = cell.to_number(text)
            result = float(number) if number is not None else None
        elif kind == "boolean":
            result = cell.to_boolean(text)
        elif kind == "date":
            result = cell.parse_date(text, fmt)
        elif kind == "time":
            result = cell.parse_time(text, fmt)
        else:
            moment = cell.parse_datetime(text, fmt)
            if moment is not None and moment.tzinfo is not None:
                # Stored as UTC without offset, like every time in Renkei.
                moment = moment.astimezone(UTC).replace(tzinfo=None)
            result = moment
        if result is None:
            _fail(index, text)
        return result

    return convert


_UDF_TYPES = {
    "integer": "BIGINT",
    "number": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "time": "TIME",
    "datetime": "TIMESTAMP",
}


def _attempt(kind: str) -> Callable[..., Any]:
    convert = _converter(kind)

    def attempt(text: str | None, fmt: str | None, index: int) -> Any:
        try:
            return convert(text, fmt, index)
        except ValueError:
            return None

    return attempt


def register_converters(con: duckdb.DuckDBPyConnection) -> None:
    """``rk_to_<kind>`` (raises on a value that doesn't convert) and ``rk_try_<kind>`` (NULL)."""
    for prefix, make in (("rk_to_", _converter), ("rk_try_", _attempt)):
        for kind, storage in _UDF_TYPES.items():
            con.create_function(
                f"{prefix}{kind}",
                make(kind),  # type: ignore[arg-type]
                [duckdb.sqltype("VARCHAR"), duckdb.sqltype("VARCHAR"), duckdb.sqltype("INTEGER")],
                duckdb.sqltype(storage),
                null_handling="special",  # type: ignore[arg-type]
                side_effects=False,
            )


# Plain spellings, checked on the untrimmed text before anything else: they are nearly every
# value of a typed column, and one check plus a CAST is the cheapest way through. Numbers are
# capped at 18 integer digits (longer ones take the general path).
_PLAIN_NUM_RE = r"-?(0|[1-9][0-9]{0,17})(\.[0-9]+)?"


def null_cell(column: str) -> str:
    """SQL: the text cell is empty, or a token that means no value (-, なし, ...)."""
    v = ident(column)
    return f"({v} IS NULL OR trim({v}) IN ({_NULLS}))"


def conversion(
    column: str, kind: str, fmt: str | None, index: int, fallback_prefix: str = "rk_to_"
) -> str:
    """SQL turning the text column into ``kind``: plain spellings first, then the usual ones
    in SQL, then Python (``renkei.ingest.values``) for the rest, which raises on a value it
    can't convert (``rk_try_`` functions give NULL instead)."""
    v = ident(column)
    if kind == "string":
        return f"NULLIF({v}, '')"
    plain = _plain(v, kind, fmt)
    general = _general(column, kind, fmt, index, fallback_prefix)
    return f"COALESCE({plain}, {general})" if plain else general


def _plain(v: str, kind: str, fmt: str | None) -> str | None:
    """An expression that is the value for the plain spellings and NULL for everything else
    (COALESCE evaluates the general path only for the rows left NULL)."""
    if kind == "integer":
        # Printing the number back gives the very text only for plain spellings ('0012',
        # '1.5', '+5' and '1_000' all print differently): cheaper than a regular expression.
        number = f"TRY_CAST({v} AS BIGINT)"
        return f"CASE WHEN CAST({number} AS VARCHAR) = {v} THEN {number} END"
    if kind == "number":
        return f"CASE WHEN regexp_full_match({v}, '{_PLAIN_NUM_RE}') THEN CAST({v} AS DOUBLE) END"
    if kind == "date" and fmt in _STRPTIME_FORMATS:
        return f"CAST(try_strptime({v}, {sql_string(fmt)}) AS DATE)"
    if kind == "datetime" and fmt == "iso":
        # DuckDB also reads 'infinity' as a timestamp: only text starting with a digit.
        return f"CASE WHEN left({v}, 1) BETWEEN '0' AND '9' THEN TRY_CAST({v} AS TIMESTAMP) END"
    if kind == "boolean":
        return f"CASE {v} WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE END"
    return None


def _general(column: str, kind: str, fmt: str | None, index: int, fallback_prefix: str) -> str:
    v = ident(column)
    t = f"trim({v})"
    null = null_cell(column)
    fallback = f"{fallback_prefix}{kind}({v}, {sql_string(fmt) if fmt else 'NULL'}, {index})"
    if kind == "integer":
        fast = (
            f"WHEN regexp_full_match({t}, '{_INT_RE}') "
            f"AND TRY_CAST(replace({t}, ',', '') AS BIGINT) IS NOT NULL "
            f"THEN TRY_CAST(replace({t}, ',', '') AS BIGINT)"
        )
    elif kind == "number":
        fast = (
            f"WHEN regexp_full_match({t}, '{_NUM_RE}') AND NOT regexp_matches({t}, '^[+-]?0[0-9]') "
            f"THEN CAST(replace({t}, ',', '') AS DOUBLE)"
        )
    elif kind == "boolean":
        fast = (
            f"WHEN lower({t}) IN ('true', 'yes') THEN TRUE "
            f"WHEN lower({t}) IN ('false', 'no') THEN FALSE"
        )
    elif kind == "date" and fmt in _STRPTIME_FORMATS:
        fast = (
            f"WHEN try_strptime({t}, {sql_string(fmt)}) IS NOT NULL "
            f"THEN CAST(try_strptime({t}, {sql_string(fmt)}) AS DATE)"
        )
    elif kind == "datetime" and fmt == "iso":
        fast = (
            f"WHEN left({t}, 1) BETWEEN '0' AND '9' AND TRY_CAST({t} AS TIMESTAMP) IS NOT NULL "
            f"THEN TRY_CAST({t} AS TIMESTAMP)"
        )
    else:
        fast = ""
    return f"CASE WHEN {null} THEN NULL {fast} ELSE {fallback} END"


def _cell_text(value: Any) -> str | None:
    """A JSON value as the text the inspection typed (objects and lists as JSON)."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return cell_text(value)


def _arrow(rows: Iterator[list[Any]], width: int) -> pa.Table:
    columns: list[list[str | None]] = [[] for _ in range(width)]
    for row in rows:
        for index in range(width):
            columns[index].append(_cell_text(row[index]) if index < len(row) else None)
    return pa.table({f"c{i}": pa.array(values, pa.string()) for i, values in enumerate(columns)})


@dataclass
class Cells:
    """``sql(parallel)``: a relation with the data cells as text columns c0..cN, in file order
    (the argument says whether DuckDB may read the file in parallel); ``csv``: the UTF-8 CSV
    DuckDB reads them from, when the file is a CSV/TSV."""

    sql: Callable[[bool], str]
    csv: Path | None = None


@contextmanager
def raw_cells(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    inspection: Inspection,
    columns: list[Column],
    tmp_dir: Path,
) -> Iterator[Cells]:
    width = len(columns)
    kind = inspection.format
    if kind in ("csv", "tsv"):
        with _utf8_file(path, inspection, tmp_dir) as utf8:
            yield Cells(lambda parallel: _csv_relation(utf8, inspection, width, parallel), utf8)
        return
    if kind == "xlsx":
        table = _arrow(_xlsx_rows(path, inspection), width)
    elif kind in ("json", "geojson"):
        table = _arrow(_json_rows(path, columns), width)
    else:
        raise LoadError(f"{kind} files are not loaded as text cells")
    con.register("rk_cells", table)
    yield Cells(lambda parallel: "rk_cells")


@contextmanager
def _utf8_file(path: Path, inspection: Inspection, tmp_dir: Path) -> Iterator[Path]:
    """The file itself when DuckDB can read it (UTF-8), else a UTF-8 copy decoded in Python."""
    encoding = (inspection.encoding or "utf-8").lower().replace("_", "-")
    if encoding in ("utf-8", "utf-8-sig", "ascii") and inspection.decode_errors == "strict":
        yield path
        return
    from renkei.ingest.read import iter_utf8

    with tempfile.NamedTemporaryFile(dir=tmp_dir, suffix=".csv", delete=True) as handle:
        for chunk in iter_utf8(path, inspection):
            handle.write(chunk)
        handle.flush()
        yield Path(handle.name)


def read_csv_sql(
    path: Path, inspection: Inspection, width: int, parallel: bool, *extra: str
) -> str:
    """DuckDB's read_csv of the data lines as text columns c0..cN; ``extra`` options replace
    the lenient defaults (short rows padded, extra values dropped)."""
    columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
    quote = inspection.quotechar or ""
    options = {
        "auto_detect": "false",
        "header": "false",
        "delim": sql_string(inspection.delimiter or ","),
        "quote": sql_string(quote),
        "escape": sql_string(quote),
        "skip": str(inspection.data_start_row),
        "columns": columns,
        "null_padding": "true",
        "strict_mode": "false",
        "max_line_size": "16777216",
        "parallel": "true" if parallel else "false",
    }
    for option in extra:
        name, value = option.split("=", 1)
        options[name] = value
    listed = ", ".join(f"{name}={value}" for name, value in options.items())
    return f"read_csv({sql_string(str(path))}, {listed})"


def _csv_relation(path: Path, inspection: Inspection, width: int, parallel: bool) -> str:
    source = read_csv_sql(path, inspection, width, parallel)
    if not inspection.footer_rows and not inspection.ignored_rows:
        return f"(SELECT * FROM {source})"
    # Rare (notes under a table, a header repeated per page): number the rows to drop them.
    data_end = f"(SELECT count(*) FROM {source}) - {_footer_lines(path, inspection)}"
    drop = [r - inspection.data_start_row for r in inspection.ignored_rows]
    skip = f" AND rk_n NOT IN ({', '.join(str(r) for r in drop)})" if drop else ""
    return (
        f"(SELECT * EXCLUDE (rk_n) FROM (SELECT row_number() OVER () AS rk_n, * FROM {source}) "
        f"WHERE rk_n <= {data_end}{skip})"
    )


def _footer_lines(utf8: Path, inspection: Inspection) -> int:
    """How many of the notes under the table DuckDB reads as rows: all but the empty lines,
    which its CSV reader skips (the inspection counts them)."""
    with utf8.open("rb") as handle:
        size = handle.seek(0, 2)
        handle.seek(max(0, size - 256 * 1024))
        tail = handle.read().decode("utf-8", errors="replace")
    if size > 256 * 1024:
        tail = tail[tail.find("\n") + 1 :]  # drop the partial first line
    quote = inspection.quotechar or '"'
    records = list(csv.reader(io.StringIO(tail, newline=""), delimiter=inspection.delimiter or ",",
                              quotechar=quote))  # fmt: skip
    footer = records[-inspection.footer_rows :] if inspection.footer_rows else []
    return sum(1 for record in footer if record)


def _xlsx_rows(path: Path, inspection: Inspection) -> Iterator[list[Any]]:
    from renkei.ingest.xlsx import sheet_rows

    first = inspection.data_start_row
    ignored = {r - 1 for r in inspection.ignored_rows}
    for title, rows in sheet_rows(path):
        if inspection.sheet and title != inspection.sheet:
            continue
        data = list(rows)[first:]
        end = len(data) - inspection.footer_rows
        for offset, row in enumerate(data[:end]):
            if first + offset in ignored or all(v is None for v in row):
                continue
            yield row
        return


def _json_rows(path: Path, columns: list[Column]) -> Iterator[list[Any]]:
    document = json.loads(path.read_bytes())
    names = [c.original_name or c.name for c in columns]
    if isinstance(document, dict) and document.get("type") == "FeatureCollection":
        for feature in document.get("features") or []:
            properties = dict(feature.get("properties") or {})
            properties.setdefault("geometry", feature.get("geometry"))
            yield [properties.get(name) for name in names]
        return
    records = document if isinstance(document, list) else document.get("records") or []
    for record in records:
        if isinstance(record, dict):
            yield [record.get(name) for name in names]


def table_fields(columns: list[Column], kinds: list[str], geometry: bool = False) -> list[Field]:
    fields = []
    for column, kind in zip(columns, kinds, strict=True):
        if geometry and column.name == GEOMETRY:
            fields.append(Field(GEOMETRY, "json", {"label": GEOMETRY, "role": "geometry"}))
            continue
        info: dict[str, Any] = {"label": column.original_name or column.name}
        if kind != column.type:
            info["inferred_type"] = column.type
        if column.format:
            info["format"] = column.format
        if column.role:
            info["role"] = column.role
        fields.append(Field(column.name, FROM_TABLE_SCHEMA.get(kind, "text"), info))
    return fields


def load_table(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    inspection: Inspection,
    target: Path,
    tmp_dir: Path,
    *,
    complete_report: bool = False,
    on_loaded: OnLoaded | None = None,
) -> Loaded:
    """Write the file's table to ``target``; demote columns that don't convert, report it.

    ``complete_report``: the inspection saw only part of the file, so list every ragged row and
    every value of a demoted column from the whole file (``renkei.datastore.scan``)."""
    if inspection.format == "parquet":
        return _copy_parquet(con, path, target)
    columns = list(inspection.columns)
    if not columns:
        raise LoadError("No columns were found in the file: is there a header row?")
    # GeoJSON features keep their geometry (as GeoJSON text) next to their properties.
    geometry = inspection.format == "geojson" and all(c.name != GEOMETRY for c in columns)
    if geometry:
        columns.append(Column(name=GEOMETRY, type="string"))
    register_converters(con)
    kinds = [c.type for c in columns]
    problems: list[dict[str, Any]] = []
    parallel = True
    with raw_cells(con, path, inspection, columns, tmp_dir) as cells:
        for _ in range(MAX_DEMOTIONS + 2):
            source = cells.sql(parallel)
            select = ", ".join(
                f"{conversion(f'c{i}', kind, c.format, i)} AS {ident(c.name)}"
                for i, (c, kind) in enumerate(zip(columns, kinds, strict=True))
            )
            try:
                target.unlink(missing_ok=True)
                with new_table_file(con, target) as table:
                    con.execute(f"CREATE TABLE {table} AS SELECT {select} FROM {source}")
                break
            except duckdb.Error as exc:
                if parallel and "parallel=false" in str(exc):
                    # Quoted line breaks in a file with short rows: DuckDB reads it serially.
                    parallel = False
                    continue
                match = _CONVERT_ERROR.search(str(exc))
                if match is None:
                    raise LoadError(
                        f"The file could not be read as a table: {_short(exc)}"
                    ) from None
                index = int(match.group(1))
                problems.append(
                    {
                        "column": columns[index].name,
                        "what": f"value {match.group(2)} is not a {kinds[index]}",
                        "handled": f"the column was loaded as text instead of {kinds[index]}",
                    }
                )
                kinds[index] = "string"
        else:
            raise LoadError("Too many columns had values that did not match their type")
        if complete_report:
            from renkei.datastore import scan

            fields = table_fields(columns, kinds, geometry)
            if on_loaded is not None:
                # The rows are complete: they may serve while the whole file is scanned.
                published = on_loaded(Loaded(fields, _count(con, target), list(problems)))
                target = published or target
            report = scan.ProblemList()
            if cells.csv is not None:
                scan.ragged_rows(con, cells.csv, inspection, len(columns), parallel, report)
            demoted = [i for i, (c, kind) in enumerate(zip(columns, kinds, strict=True))
                       if kind != c.type]  # fmt: skip
            scan.unconverted_values(con, target, columns, demoted, report)
            problems += report.finish()
    return Loaded(table_fields(columns, kinds, geometry), _count(con, target), problems)


def _count(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    alias = attach(con, path)
    try:
        counted = con.execute(f"SELECT count(*) FROM {ident(alias)}.t").fetchone()
    finally:
        con.execute(f"DETACH {ident(alias)}")
    return int(counted[0]) if counted else 0


# Large CSV files are inspected from their head and tail only: the layout (preamble, header,
# notes under the table) and the column types come from there, and DuckDB's conversion then
# checks every value of the whole file (a value that doesn't fit demotes its column, reported).
# The inspector verifies every row in Python at ~13 MB/s; DuckDB loads at ~10x that.
SAMPLE_ABOVE_BYTES = 64 * 1024**2
SAMPLE_HEAD_BYTES = 1024**2
SAMPLE_TAIL_BYTES = 256 * 1024


@contextmanager
def _inspection_sample(
    path: Path, filename: str | None, declared: str | None, tmp_dir: Path, sample_above: int
) -> Iterator[tuple[Path, int | None]]:
    """The file itself, or for a CSV/TSV over ``sample_above`` bytes a copy of its head and
    tail, cut at line ends, with the number of lines that come from the head (row numbers
    beyond it are the tail's)."""
    kind = (declared or Path(filename or path.name).suffix.lstrip(".")).lower()
    size = path.stat().st_size
    if size <= sample_above or kind not in ("csv", "tsv", "txt"):
        yield path, None
        return
    # Head and tail never overlap, even under a small threshold (tests).
    head_bytes = min(SAMPLE_HEAD_BYTES, sample_above // 2)
    tail_bytes = min(SAMPLE_TAIL_BYTES, sample_above // 4)
    with path.open("rb") as source:
        head = source.read(head_bytes)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: no byte-wise cutting
            yield path, None
            return
        source.seek(size - tail_bytes)
        tail = source.read()
    # A newline byte never occurs inside a UTF-8, Shift_JIS or EUC-JP character.
    head = head[: head.rfind(b"\n") + 1]
    tail = tail[tail.find(b"\n") + 1 :]
    with tempfile.NamedTemporaryFile(dir=tmp_dir, suffix=".sample", delete=True) as handle:
        handle.write(head + tail)
        handle.flush()
        yield Path(handle.name), head.count(b"\n")


def inspect_and_load(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    filename: str | None,
    declared_format: str | None,
    target: Path,
    tmp_dir: Path,
    *,
    sample_above: int | None = None,
    on_loaded: Callable[[Inspection, Loaded], Path | None] | None = None,
) -> tuple[Inspection, Loaded, dict[str, float]]:
    """The whole load of a file: inspection, then conversion to ``target``; with timings.
    CSV/TSV files over ``sample_above`` bytes (default SAMPLE_ABOVE_BYTES) are inspected from
    a sample, and their problems listed from a scan of the whole file; ``on_loaded`` is called
    between the two (see ``OnLoaded``), and ``timings["ready"]`` says when that was."""
    from renkei.datastore import scan
    from renkei.ingest import inspect_file

    started = perf_counter()
    above = SAMPLE_ABOVE_BYTES if sample_above is None else sample_above
    with _inspection_sample(path, filename, declared_format, tmp_dir, above) as (
        sample,
        head_lines,
    ):
        inspection = inspect_file(sample, filename=filename, declared_format=declared_format)
    if head_lines is not None:
        # Rows to skip inside the data are known by number only within the head; others (a
        # header repeated further down) fail their columns' types and are reported then.
        # Ragged rows seen in the sample are listed again, all of them, by the whole-file scan.
        inspection = inspection.model_copy(
            update={
                "size": path.stat().st_size,
                "ignored_rows": [r for r in inspection.ignored_rows if r <= head_lines],
                "problems": [
                    p for p in inspection.problems if p.rule not in scan.SAMPLE_RULES_REPLACED
                ],
            }
        )
    inspected = perf_counter()
    if not inspection.ok:
        errors = [p.message for p in inspection.problems if p.severity == "error"]
        raise LoadError("; ".join(errors[:3]) or "the file is not a usable table")
    if inspection.format not in TABULAR_FORMATS:
        raise LoadError("the file is not a table (CSV, TSV, XLSX, JSON, GeoJSON or Parquet)")
    ready: list[float] = []

    def loaded_early(early: Loaded) -> Path | None:
        ready.append(perf_counter())
        return on_loaded(inspection, early) if on_loaded is not None else None

    loaded = load_table(
        con,
        path,
        inspection,
        target,
        tmp_dir,
        complete_report=head_lines is not None,
        on_loaded=loaded_early,
    )
    finished = perf_counter()
    timings = {
        "inspect": inspected - started,
        "convert": (ready[0] if ready else finished) - inspected,
        "ready": (ready[0] if ready else finished) - started,
        "report": finished - (ready[0] if ready else finished),
    }
    return inspection, loaded, timings


def _copy_parquet(con: duckdb.DuckDBPyConnection, path: Path, target: Path) -> Loaded:
    from renkei.datastore.sandbox import canonical_type

    source = f"read_parquet({sql_string(str(path))})"
    described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    fields = [
        Field(name, canonical_type(str(kind)), {"label": name}) for name, kind, *_ in described
    ]
    casts = ", ".join(
        f"CAST({ident(f.id)} AS VARCHAR) AS {ident(f.id)}" if f.type == "text" else ident(f.id)
        for f in fields
    )
    target.unlink(missing_ok=True)
    with new_table_file(con, target) as table:
        con.execute(f"CREATE TABLE {table} AS SELECT {casts} FROM {source}")
    return Loaded(fields, _count(con, target))


def _short(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:300]
