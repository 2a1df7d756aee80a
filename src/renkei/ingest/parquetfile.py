"""Parquet: the schema and statistics from DuckDB (SUMMARIZE reads the columns once)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from renkei.ingest.model import Column, Inspection
from renkei.ingest.problems import ProblemLog

_TYPES = {
    "BOOLEAN": "boolean", "TINYINT": "integer", "SMALLINT": "integer", "INTEGER": "integer",
    "BIGINT": "integer", "HUGEINT": "integer", "UTINYINT": "integer", "USMALLINT": "integer",
    "UINTEGER": "integer", "UBIGINT": "integer", "FLOAT": "number", "DOUBLE": "number",
    "DATE": "date", "TIME": "time", "TIMESTAMP": "datetime", "TIMESTAMP WITH TIME ZONE": "datetime",
    "TIMESTAMP_NS": "datetime", "TIMESTAMP_MS": "datetime", "TIMESTAMP_S": "datetime",
}  # fmt: skip


def _table_type(duck: str) -> str:
    if duck.startswith("DECIMAL"):
        return "number"
    return _TYPES.get(duck, "string")


def inspect_parquet(path: Path, base: dict[str, Any], log: ProblemLog) -> Inspection:
    import duckdb

    from renkei.ingest.inspector import _table_inspection_from_columns

    try:
        with duckdb.connect(":memory:") as con:
            rows = con.execute(
                "SELECT column_name, column_type, min, max, count, null_percentage "
                "FROM (SUMMARIZE SELECT * FROM read_parquet(?))",
                [str(path)],
            ).fetchall()
            count = con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()
    except duckdb.Error as exc:
        log.add(
            "parquet.unreadable", "error", f"The Parquet file could not be read: {exc}",
            "Parquet ファイルを読み込めませんでした",
        )  # fmt: skip
        return Inspection(**base, header_rows=0, problems=log.finish())
    total = int(count[0]) if count else 0
    columns = []
    for name, duck_type, low, high, _, null_pct in rows:
        kind = _table_type(str(duck_type))
        column = Column(name=str(name), type=kind)  # type: ignore[arg-type]
        column.null_count = round(total * float(null_pct or 0) / 100)
        if kind in ("integer", "number") and low is not None:
            column.min, column.max = _num(low, kind), _num(high, kind)
        elif kind in ("date", "datetime"):
            column.min, column.max = (
                (str(low)[:19] if low else None),
                (str(high)[:19] if high else None),
            )
        columns.append(column)
    return _table_inspection_from_columns({**base, "header_rows": 0}, columns, total, log)


def _num(value: Any, kind: str) -> Any:
    try:
        return int(value) if kind == "integer" else float(value)
    except (TypeError, ValueError):
        return None
