"""Rows written through the API (datastore_create / upsert / delete) into a new table version.

Records arrive as JSON objects. Each value is turned into text, staged as an Arrow table, and
cast by DuckDB to the column's type; a value that doesn't cast is reported with its record
number and field before anything is written. The result is a complete new table file: the
caller publishes it (or throws it away) as one step.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from renkei.datastore.engine import ident
from renkei.datastore.types import STORAGE
from renkei.errors import ValidationError

ROW_ID = "_id"
_ROW = "__rk_row"  # position of a record in the request, for error messages
_HAS = "__rk_has_"  # presence flag of a field in a record (update only what was sent)


@dataclass(frozen=True)
class Field:
    id: str
    type: str  # canonical (types.STORAGE key)
    info: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.info:
            data["info"] = self.info
        return data


def fields_from_json(stored: list[dict[str, Any]]) -> list[Field]:
    return [Field(f["id"], f["type"], f.get("info")) for f in stored]


def _text(value: Any, field: Field, position: int) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _record_error(position, field.id, f"{value} is not a number JSON can carry")
        return repr(value)
    if isinstance(value, (dict, list)):
        if field.type != "json":
            kind = "an object" if isinstance(value, dict) else "a list"
            raise _record_error(position, field.id, f"{kind} is not a {field.type} value")
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str):
        return value
    raise _record_error(position, field.id, f"unsupported value {value!r}")


def _record_error(position: int, field: str, message: str) -> ValidationError:
    return ValidationError({"records": [f"record {position + 1}, field {field!r}: {message}"]})


def stage_records(
    con: duckdb.DuckDBPyConnection, fields: list[Field], records: Any, *, name: str = "incoming"
) -> None:
    """Register the records as a relation ``name`` with typed columns, a row number, and a
    presence flag per field; raise ValidationError naming the first value that doesn't fit."""
    if not isinstance(records, list):
        raise ValidationError({"records": ["records must be a list of objects"]})
    # Records may carry _id to say which row they update (CKAN's key without a primary key).
    if any(isinstance(r, dict) and ROW_ID in r for r in records):
        fields = [Field(ROW_ID, "int"), *fields]
    by_id = {f.id: f for f in fields}
    columns: dict[str, list[Any]] = {f.id: [] for f in fields}
    present: dict[str, list[bool]] = {f.id: [] for f in fields}
    for position, record in enumerate(records):
        if not isinstance(record, dict):
            raise ValidationError({"records": [f"record {position + 1} is not an object"]})
        extra = [key for key in record if key not in by_id]
        if extra:
            names = ", ".join(repr(k) for k in extra[:5])
            raise ValidationError(
                {"records": [f"record {position + 1} has fields the table doesn't: {names}"]}
            )
        for field in fields:
            columns[field.id].append(_text(record.get(field.id), field, position))
            present[field.id].append(field.id in record)
    arrays: dict[str, pa.Array] = {_ROW: pa.array(range(len(records)), pa.int64())}
    for field in fields:
        arrays[_raw(field.id)] = pa.array(columns[field.id], pa.string())
        arrays[_HAS + field.id] = pa.array(present[field.id], pa.bool_())
    staged = pa.table(arrays)
    con.register(f"{name}_raw", staged)
    for field in fields:
        if field.type == "text":
            continue
        bad = con.execute(
            f"SELECT {_ROW}, {ident(_raw(field.id))} FROM {name}_raw "
            f"WHERE {ident(_raw(field.id))} IS NOT NULL "
            f"AND TRY_CAST({ident(_raw(field.id))} AS {STORAGE[field.type]}) IS NULL "
            f"ORDER BY {_ROW} LIMIT 1"
        ).fetchone()
        if bad is not None:
            raise _record_error(bad[0], field.id, f"{bad[1]!r} is not a valid {field.type}")
    casts = ", ".join(
        f"CAST({ident(_raw(f.id))} AS {STORAGE[f.type]}) AS {ident(f.id)}, {ident(_HAS + f.id)}"
        for f in fields
    )
    con.execute(f"CREATE TEMP VIEW {name} AS SELECT {_ROW}, {casts} FROM {name}_raw")


def _raw(field_id: str) -> str:
    return "__rk_raw_" + field_id


def load_current(con: duckdb.DuckDBPyConnection, fields: list[Field], current: Path | None) -> None:
    """Create the temp table ``cur`` with the rows of the SQL source ``current`` (or none)."""
    columns = ", ".join(f"{ident(f.id)} {STORAGE[f.type]}" for f in fields)
    con.execute(f"CREATE TEMP TABLE cur ({ident(ROW_ID)} BIGINT, {columns})")
    if current is not None:
        names = ", ".join(ident(n) for n in [ROW_ID, *(f.id for f in fields)])
        # Columns added since that version come back NULL (union_by_name would need a file
        # per schema; selecting only known columns is enough).
        existing = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {current}").fetchall()}
        select = ", ".join(
            ident(n) if n in existing else "NULL" for n in [ROW_ID, *(f.id for f in fields)]
        )
        con.execute(f"INSERT INTO cur ({names}) SELECT {select} FROM {current}")


def apply_records(
    con: duckdb.DuckDBPyConnection,
    fields: list[Field],
    primary_key: list[str],
    method: str,
) -> None:
    """Apply the staged ``incoming`` records to ``cur`` by ``method`` (insert/update/upsert)."""
    key = primary_key or [ROW_ID]
    staged = {row[0] for row in con.execute("DESCRIBE incoming").fetchall()}
    # update needs the key in every record; upsert inserts records without an _id as new rows
    # (CKAN's behaviour), but a primary key must always be given.
    needs_key = method == "update" or (method == "upsert" and bool(primary_key))
    if needs_key and any(k not in staged or not _all_present(con, k) for k in key):
        raise ValidationError(
            {"records": [f"{method} needs every record to carry the key {', '.join(key)}"]}
        )
    if primary_key:
        duplicate = con.execute(
            f"SELECT {', '.join(ident(k) for k in primary_key)} FROM incoming "
            f"GROUP BY ALL HAVING count(*) > 1 LIMIT 1"
        ).fetchone()
        if duplicate is not None:
            raise ValidationError(
                {"records": [f"two records share the primary key value {list(duplicate)}"]}
            )
    can_match = all(k in staged for k in key)
    match = " AND ".join(f"cur.{ident(k)} = incoming.{ident(k)}" for k in key)
    matched = f"EXISTS (SELECT 1 FROM cur WHERE {match})" if can_match else "FALSE"
    if method == "insert" and primary_key:
        clash = con.execute(f"SELECT {_ROW} FROM incoming WHERE {matched} LIMIT 1").fetchone()
        if clash is not None:
            raise ValidationError(
                {"records": [f"record {clash[0] + 1} has a primary key value already in the table"]}
            )
    if method == "update":
        unmatched = con.execute(
            f"SELECT {_ROW} FROM incoming WHERE NOT {matched} LIMIT 1"
        ).fetchone()
        if unmatched is not None:
            raise ValidationError(
                {"records": [f"record {unmatched[0] + 1} matches no row to update"]}
            )
    if method in ("update", "upsert"):
        assignments = ", ".join(
            f"{ident(f.id)} = CASE WHEN incoming.{ident(_HAS + f.id)} "
            f"THEN incoming.{ident(f.id)} ELSE cur.{ident(f.id)} END"
            for f in fields
            if f.id not in key
        )
        if assignments and can_match:
            con.execute(f"UPDATE cur SET {assignments} FROM incoming WHERE {match}")
    if method in ("insert", "upsert"):
        names = ", ".join(ident(f.id) for f in fields)
        values = ", ".join(f"incoming.{ident(f.id)}" for f in fields)
        condition = f"WHERE NOT {matched}" if method == "upsert" else ""
        con.execute(
            f"INSERT INTO cur ({ident(ROW_ID)}, {names}) "
            f"SELECT (SELECT coalesce(max({ident(ROW_ID)}), 0) FROM cur) "
            f"+ row_number() OVER (ORDER BY {_ROW}), {values} FROM incoming {condition}"
        )


def _all_present(con: duckdb.DuckDBPyConnection, field_id: str) -> bool:
    row = con.execute(
        f"SELECT bool_and({ident(_HAS + field_id)} AND {ident(field_id)} IS NOT NULL) FROM incoming"
    ).fetchone()
    return bool(row and row[0] is not False)


def write_current(con: duckdb.DuckDBPyConnection, target: str) -> int:
    """Create the table ``target`` from ``cur``, ordered by _id; return the row count."""
    con.execute(f"CREATE TABLE {target} AS SELECT * FROM cur ORDER BY {ident(ROW_ID)}")
    row = con.execute("SELECT count(*) FROM cur").fetchone()
    return int(row[0]) if row else 0
