"""datastore_search_sql: read-only SQL over the tables the caller may read, in a sandbox.

Each query gets a DuckDB database of its own in which
- only one SELECT statement is accepted (no DDL, DML, PRAGMA, ATTACH, COPY, SET, ...);
- the tables it names are views over the (read-only attached) files of readable tables,
  nothing else: a table the caller may not read simply doesn't exist there;
- file and network access is off (``enable_external_access=false``), extensions can't be
  installed or loaded, and the configuration is locked so the query can't undo any of this;
- memory and threads are capped, the query is interrupted at the deadline, and at most
  ``datastore_rows_max`` rows come back (``records_truncated`` says when there were more).
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from typing import Any

import duckdb

from renkei.catalog.context import Context
from renkei.datastore.engine import attach, deadline, ident, rows_of
from renkei.datastore.query import json_value
from renkei.datastore.service import datastore_of, table_path
from renkei.datastore.types import ALIASES
from renkei.errors import BadRequest, NotAuthorized, NotFound, ValidationError
from renkei.store.tables import DatastoreTable

_DUCKDB_TO_CANONICAL = {
    "VARCHAR": "text",
    "BIGINT": "int",
    "INTEGER": "int",
    "SMALLINT": "int",
    "TINYINT": "int",
    "HUGEINT": "int",
    "UBIGINT": "int",
    "UINTEGER": "int",
    "DOUBLE": "float",
    "FLOAT": "float",
    "BOOLEAN": "bool",
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "JSON": "json",
}


def _readable_tables(ctx: Context, names: set[str]) -> dict[str, DatastoreTable]:
    from renkei.datastore.service import readable_table

    tables: dict[str, DatastoreTable] = {}
    for name in names:
        try:
            table, _ = readable_table(ctx, name)
        except (NotFound, ValidationError):
            continue  # not a table, or not one for this caller: it won't exist in the sandbox
        tables[name] = table
    return tables


def _single_select(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    try:
        statements = con.extract_statements(sql)
    except duckdb.Error as exc:
        raise ValidationError({"sql": [f"can't parse the query: {_first_line(exc)}"]}) from None
    if len(statements) != 1:
        raise ValidationError({"sql": ["send exactly one SELECT statement"]})
    if statements[0].type != duckdb.StatementType.SELECT:
        kind = str(statements[0].type).rsplit(".", 1)[-1]
        raise NotAuthorized(f"Only SELECT queries are allowed here, not {kind}")


_QUOTED = re.compile(r'"((?:[^"]|"")+)"')
_UUID = re.compile(
    r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
)


def _table_names(sql: str) -> set[str]:
    """Names the query may use as tables. DuckDB's parser lists them, but it binds the query
    to do so and fails on some joins (``USING``) over tables it doesn't know; quoted names and
    resource ids in the text are then candidates too. A candidate that isn't a table the
    caller may read is simply not created."""
    names = {m.group(1).replace('""', '"') for m in _QUOTED.finditer(sql)}
    names.update(m.group(0) for m in _UUID.finditer(sql))
    with contextlib.suppress(duckdb.Error):
        names.update(duckdb.get_table_names(sql))
    return names


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0][:300]


@dataclass
class QueryResult:
    fields: list[dict[str, str]]  # [{id, type}] with canonical type names
    rows: list[tuple[Any, ...]]
    truncated: bool


def run_sql(ctx: Context, sql: Any) -> QueryResult:
    """Run one read-only SELECT in a sandbox of its own (see the module's docstring)."""
    settings = ctx.settings
    if not settings.datastore_sql:
        raise BadRequest("datastore_search_sql is turned off on this node")
    if not isinstance(sql, str) or not sql.strip():
        raise ValidationError({"sql": ["Missing value"]})
    store = datastore_of(ctx)
    limit = settings.datastore_rows_max
    with store.engine.isolated(threads=1) as con:
        _single_select(con, sql)
        tables = _readable_tables(ctx, _table_names(sql))
        # The caller's readable tables, attached read-only, named by resource id; then the
        # sandbox closes: no other file can be opened from here on.
        for name, table in tables.items():
            alias = attach(con, table_path(ctx, table))
            source = rows_of(alias, table.row_ids)
            con.execute(f"CREATE VIEW {ident(name)} AS SELECT * FROM {source}")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        try:
            with deadline(con, settings.datastore_sql_timeout_ms):
                cursor = con.execute(sql)
                description = cursor.description or []
                rows = cursor.fetchmany(limit + 1)
        except duckdb.InterruptException:
            seconds = settings.datastore_sql_timeout_ms / 1000
            raise ValidationError(
                {"sql": [f"the query ran longer than {seconds:g} s and was stopped"]}
            ) from None
        except duckdb.OutOfMemoryException:
            raise ValidationError(
                {"sql": [f"the query needs more than {settings.datastore_memory_limit} of memory"]}
            ) from None
        except duckdb.PermissionException as exc:
            raise NotAuthorized(f"Not allowed in a DataStore query: {_first_line(exc)}") from None
        except duckdb.Error as exc:
            raise ValidationError({"sql": [_first_line(exc)]}) from None
    fields = [{"id": column[0], "type": canonical_type(str(column[1]))} for column in description]
    return QueryResult(fields, rows[:limit], len(rows) > limit)


def datastore_search_sql(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Run one read-only SELECT over DataStore tables; a table's name is its resource id
    (quote it: ``SELECT * FROM "3f0c..." WHERE ...``)."""
    sql = data.get("sql")
    result = run_sql(ctx, sql)
    names = [f["id"] for f in result.fields]
    types = [f["type"] for f in result.fields]
    records = [dict(zip(names, map(json_value, row, types), strict=True)) for row in result.rows]
    answer: dict[str, Any] = {"sql": sql, "fields": result.fields, "records": records}
    if result.truncated:
        answer["records_truncated"] = True
    return answer


def canonical_type(duckdb_type: str) -> str:
    base = duckdb_type.split("(")[0].upper()
    if base in _DUCKDB_TO_CANONICAL:
        return _DUCKDB_TO_CANONICAL[base]
    if base.startswith("DECIMAL"):
        return "numeric"
    if base.startswith("TIMESTAMP"):
        return "timestamp"
    return ALIASES.get(base.lower(), "text")
